"""Referrals, their append-only history and appointments."""

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.auth.models import User
from caseflow.models import Entity, utcnow
from caseflow.organisations.models import Organisation
from caseflow.people.models import CustodyEpisode, Person
from caseflow.personal_data import holds_personal_data
from caseflow.referrals.codes import (
    LIVE_STATUSES,
    REASON_LISTS,
    SENT_STATUSES,
    AppointmentOutcome,
    HandoverField,
    Status,
)
from caseflow.security.crypto import Encrypted

# The live and sent statuses as the database's partial indexes read them.
_LIVE = "status IN ({})".format(", ".join(f"'{status.value}'" for status in LIVE_STATUSES))
_SENT = "status IN ({})".format(", ".join(f"'{status.value}'" for status in SENT_STATUSES))


class Referral(Entity):
    """A handover to a community treatment provider: from custody, on the release pathway, or
    (with no custody episode) a community referral by probation, which has no release clock.

    The release date is never stored here: it is read from the custody episode, so a correction
    there moves the clock. One live referral per release and pathway (a community referral: per
    person and pathway), held by the database as well as the service.
    """

    __tablename__ = "referrals"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    # None for a community referral: the person is not leaving custody. The continuity measure
    # counts releases, so a referral without an episode is never in its cohort.
    episode_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("custody_episodes.id"), index=True
    )
    pathway: Mapped[str] = mapped_column(String(20), default="release")
    referring_organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id"), index=True
    )
    referred_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=Status.DRAFT, index=True)
    assigned_keyworker_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    consent: Mapped[str] = mapped_column(String(20))
    _consent_override_reason: Mapped[str | None] = mapped_column("consent_override_reason", Text)
    consent_override_reason = Encrypted()

    substance_group: Mapped[str | None] = mapped_column(String(30))
    opioid_medicine: Mapped[str] = mapped_column(String(30), default="none")
    _opioid_dose: Mapped[str | None] = mapped_column("opioid_dose", Text)
    opioid_dose = Encrypted()
    last_dose_date: Mapped[date | None] = mapped_column(Date)
    bridging_prescription: Mapped[bool] = mapped_column(Boolean, default=False)
    long_acting_injectable: Mapped[bool] = mapped_column(Boolean, default=False)
    naloxone_on_release: Mapped[bool] = mapped_column(Boolean, default=False)
    mental_health_need: Mapped[bool] = mapped_column(Boolean, default=False)
    housing_need: Mapped[bool] = mapped_column(Boolean, default=False)
    _risks: Mapped[str | None] = mapped_column("risks", Text)
    risks = Encrypted()
    _contact_after_release: Mapped[str | None] = mapped_column("contact_after_release", Text)
    contact_after_release = Encrypted()

    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    treatment_start_date: Mapped[date | None] = mapped_column(Date, index=True)
    closing_reason: Mapped[str | None] = mapped_column(String(30))
    creation_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    person: Mapped[Person] = relationship()
    episode: Mapped[CustodyEpisode | None] = relationship()
    provider: Mapped[Organisation] = relationship(foreign_keys=[provider_id])
    referring_organisation: Mapped[Organisation] = relationship(
        foreign_keys=[referring_organisation_id]
    )
    referred_by: Mapped[User] = relationship(foreign_keys=[referred_by_id])
    assigned_keyworker: Mapped[User | None] = relationship(foreign_keys=[assigned_keyworker_id])
    events: Mapped[list["ReferralEvent"]] = relationship(
        back_populates="referral", order_by="ReferralEvent.occurred_at"
    )
    appointments: Mapped[list["Appointment"]] = relationship(
        back_populates="referral", order_by="Appointment.appointment_date"
    )

    __mapper_args__ = {"version_id_col": version}
    # A provider's worklists read its referrals by status; without this they scan every
    # referral nationally in that status.
    __table_args__ = (
        Index("ix_referrals_provider_id_status", "provider_id", "status"),
        # One live referral per release and pathway, and per person and pathway for community
        # referrals, even when two are made at the same moment (DOMAIN.md, Referral).
        Index(
            "uq_referrals_live_per_release",
            "episode_id",
            "pathway",
            unique=True,
            postgresql_where=text(f"{_LIVE} AND episode_id IS NOT NULL"),
            sqlite_where=text(f"{_LIVE} AND episode_id IS NOT NULL"),
        ),
        Index(
            "uq_referrals_live_community",
            "person_id",
            "pathway",
            unique=True,
            postgresql_where=text(f"{_LIVE} AND episode_id IS NULL"),
            sqlite_where=text(f"{_LIVE} AND episode_id IS NULL"),
        ),
        # Whether a release has a referral sent (the releasing-soon lists leave those out),
        # answered from the index alone for each release a list finds.
        Index(
            "ix_referrals_sent_per_release",
            "episode_id",
            postgresql_where=text(_SENT),
            sqlite_where=text(_SENT),
        ),
    )

    @property
    def reference(self) -> str:
        return short_reference(self.id)

    @property
    def community(self) -> bool:
        """A community referral: no custody episode, so no release and no release clock."""
        return self.episode_id is None and self.episode is None


def short_reference(referral_id: uuid.UUID) -> str:
    """A short reference people can read out on the phone; not personal data."""
    return str(referral_id)[:8].upper()


class ReferralEvent(Entity):
    """One change of a referral, append-only: who, when, from what to what, and why."""

    __tablename__ = "referral_events"

    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    actor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reason_code: Mapped[str | None] = mapped_column(String(40))
    _reason: Mapped[str | None] = mapped_column("reason", Text)
    reason = Encrypted()
    from_provider_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    to_provider_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    event_date: Mapped[date | None] = mapped_column(Date)
    # An edit of a draft names the fields it changed (HandoverField codes, comma-separated),
    # never what they hold.
    changed_fields: Mapped[str | None] = mapped_column(String(400))
    # A change of a date (an appointment moved, a treatment start corrected) keeps the date it
    # replaced here and the new one in event_date, like from_status and to_status.
    from_date: Mapped[date | None] = mapped_column(Date)

    referral: Mapped[Referral] = relationship(back_populates="events")
    actor: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])

    @property
    def changed_field_labels(self) -> list[str]:
        """The fields an edit changed, in words."""
        codes = (self.changed_fields or "").split(",")
        return [HandoverField.label_of(code) for code in codes if code]

    @property
    def reason_label(self) -> str:
        """The reason code in words, from the list this kind of entry draws its reason from."""
        reasons = REASON_LISTS.get(self.kind)
        if reasons is None:
            return self.reason_code or ""
        return reasons.label_of(self.reason_code, missing="")


class Appointment(Entity):
    __tablename__ = "appointments"

    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id"), index=True)
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    appointment_date: Mapped[date] = mapped_column(Date, index=True)
    appointment_time: Mapped[str | None] = mapped_column(String(5))
    outcome: Mapped[str] = mapped_column(String(20), default=AppointmentOutcome.OFFERED)
    booked_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    creation_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    referral: Mapped[Referral] = relationship(back_populates="appointments")


holds_personal_data("referrals", Referral, link=Referral.person_id, order_by=(Referral.created_at,))
holds_personal_data(
    "events",
    ReferralEvent,
    link=ReferralEvent.referral_id,
    parent="referrals",
    order_by=(ReferralEvent.occurred_at,),
)
holds_personal_data(
    "appointments",
    Appointment,
    link=Appointment.referral_id,
    parent="referrals",
    order_by=(Appointment.appointment_date,),
)
