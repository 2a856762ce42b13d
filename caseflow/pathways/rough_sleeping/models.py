"""The rough sleeping pathway's records: a case per release, its accommodation history and its
append-only history of changes.

Accommodation, one truth: the custody episode's ``accommodation_on_release`` is what the prison
expected before the release. Once the pathway records where the person stayed (the first night
after release, then each move), its history is the record, and the episode's value is only the
starting point shown until then. ``housing_status_sql`` is the one place that says which applies.
"""

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy import select as sql_select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.auth.models import User
from caseflow.models import Entity, utcnow
from caseflow.organisations.models import Organisation
from caseflow.pathways.rough_sleeping.codes import LIVE_STATUSES, EventKind, Status
from caseflow.people.models import CustodyEpisode, Person
from caseflow.personal_data import holds_personal_data
from caseflow.security.crypto import Encrypted

_LIVE = "status IN ({})".format(", ".join(f"'{status.value}'" for status in LIVE_STATUSES))


class RoughSleepingCase(Entity):
    """One release on the rough sleeping pathway: the outreach team working it, same-day
    prescribing, the Duty to Refer and the housing authority's response, and the accommodation
    outcomes at 3 weeks and 3 months after release (counted from the episode's release date, never
    stored here, so a corrected release date moves them)."""

    __tablename__ = "rough_sleeping_cases"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("custody_episodes.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=Status.OPEN, index=True)
    opened_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    opening_organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id"), index=True
    )
    outreach_team_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id"), index=True
    )
    # Same-day prescribing on the day of release: None until someone says yes or no.
    same_day_prescribing: Mapped[bool | None] = mapped_column(Boolean)
    _prescriber: Mapped[str | None] = mapped_column("prescriber", Text)
    prescriber = Encrypted()
    # The Duty to Refer (Homelessness Reduction Act 2017).
    homelessness: Mapped[str | None] = mapped_column(String(20))
    housing_authority_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    referred_on: Mapped[date | None] = mapped_column(Date)
    consent_to_referral: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_to_share_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    authority_response: Mapped[str | None] = mapped_column(String(30))
    response_on: Mapped[date | None] = mapped_column(Date)
    outcome_3_weeks: Mapped[str | None] = mapped_column(String(20))
    outcome_3_months: Mapped[str | None] = mapped_column(String(20))
    closing_reason: Mapped[str | None] = mapped_column(String(30))
    creation_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    person: Mapped[Person] = relationship()
    episode: Mapped[CustodyEpisode] = relationship()
    outreach_team: Mapped[Organisation | None] = relationship(foreign_keys=[outreach_team_id])
    opening_organisation: Mapped[Organisation] = relationship(
        foreign_keys=[opening_organisation_id]
    )
    housing_authority: Mapped[Organisation | None] = relationship(
        foreign_keys=[housing_authority_id]
    )
    events: Mapped[list["RoughSleepingEvent"]] = relationship(
        back_populates="case", order_by="RoughSleepingEvent.occurred_at"
    )
    accommodation: Mapped[list["AccommodationEntry"]] = relationship(
        back_populates="case",
        order_by="(AccommodationEntry.from_date, AccommodationEntry.created_at)",
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # One live case per release, even when two are opened at the same moment.
        Index(
            "uq_rough_sleeping_cases_live_per_release",
            "episode_id",
            unique=True,
            postgresql_where=text(_LIVE),
            sqlite_where=text(_LIVE),
        ),
    )

    @property
    def reference(self) -> str:
        return str(self.id)[:8].upper()


class AccommodationEntry(Entity):
    """Where the person stayed from a date: the first night after release, then each move."""

    __tablename__ = "rough_sleeping_accommodation"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rough_sleeping_cases.id"), index=True)
    category: Mapped[str] = mapped_column(String(30))
    from_date: Mapped[date] = mapped_column(Date)
    first_night: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))

    case: Mapped[RoughSleepingCase] = relationship(back_populates="accommodation")
    recorded_by: Mapped[User] = relationship()


class RoughSleepingEvent(Entity):
    """One change of a case, append-only: who, when, from what status to what, and why."""

    __tablename__ = "rough_sleeping_events"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rough_sleeping_cases.id"), index=True)
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
    # What the entry records, in codes and dates (never free text): an outcome, a response.
    value: Mapped[str | None] = mapped_column(String(40))
    event_date: Mapped[date | None] = mapped_column(Date)

    case: Mapped[RoughSleepingCase] = relationship(back_populates="events")
    actor: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()

    @property
    def kind_label(self) -> str:
        return EventKind.label_of(self.kind)


def housing_status_sql(episode_id_column, expected_column):
    """A release's housing status now: the latest accommodation the pathway recorded for it,
    else what the prison expected at release (the episode's ``accommodation_on_release``)."""
    latest = (
        sql_select(AccommodationEntry.category)
        .join(RoughSleepingCase, RoughSleepingCase.id == AccommodationEntry.case_id)
        .where(RoughSleepingCase.episode_id == episode_id_column)
        .order_by(AccommodationEntry.from_date.desc(), AccommodationEntry.created_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(latest, expected_column)


holds_personal_data(
    "rough_sleeping_cases",
    RoughSleepingCase,
    link=RoughSleepingCase.person_id,
    order_by=(RoughSleepingCase.created_at,),
)
holds_personal_data(
    "rough_sleeping_accommodation",
    AccommodationEntry,
    link=AccommodationEntry.case_id,
    parent="rough_sleeping_cases",
    order_by=(AccommodationEntry.from_date, AccommodationEntry.created_at),
)
holds_personal_data(
    "rough_sleeping_events",
    RoughSleepingEvent,
    link=RoughSleepingEvent.case_id,
    parent="rough_sleeping_cases",
    order_by=(RoughSleepingEvent.occurred_at,),
)
