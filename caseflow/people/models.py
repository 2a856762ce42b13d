"""A person and their custody episodes. Identifying fields are encrypted; codes are not."""

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
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.auth.models import User
from caseflow.dates import display
from caseflow.models import Entity
from caseflow.organisations.models import LocalAuthority, Organisation
from caseflow.people.codes import PersonFlag, TreatmentNeed
from caseflow.personal_data import holds_personal_data
from caseflow.security.crypto import Encrypted, blind_index


class Person(Entity):
    __tablename__ = "people"

    _given_name: Mapped[str] = mapped_column("given_name", Text)
    _family_name: Mapped[str] = mapped_column("family_name", Text)
    _date_of_birth: Mapped[str] = mapped_column("date_of_birth", Text)
    _nhs_number: Mapped[str | None] = mapped_column("nhs_number", Text)
    _prison_number: Mapped[str | None] = mapped_column("prison_number", Text)
    _crn: Mapped[str | None] = mapped_column("crn", Text)
    _pnc_number: Mapped[str | None] = mapped_column("pnc_number", Text)
    _address: Mapped[str | None] = mapped_column("address", Text)
    _phone: Mapped[str | None] = mapped_column("phone", Text)

    given_name = Encrypted()
    family_name = Encrypted()
    date_of_birth = Encrypted(date)
    nhs_number = Encrypted()
    prison_number = Encrypted()
    crn = Encrypted()
    pnc_number = Encrypted()
    address = Encrypted()
    phone = Encrypted()

    nhs_number_index: Mapped[str | None] = mapped_column(String(64), unique=True)
    prison_number_index: Mapped[str | None] = mapped_column(String(64), unique=True)
    crn_index: Mapped[str | None] = mapped_column(String(64), unique=True)
    name_dob_index: Mapped[str | None] = mapped_column(String(64), index=True)

    sex: Mapped[str] = mapped_column(String(20))
    ethnic_group: Mapped[str] = mapped_column(String(20))
    interpreter_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    risk_to_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    safeguarding: Mapped[bool] = mapped_column(Boolean, default=False)

    recorded_by_organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id"), index=True
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The one-time token of the form that added the person: the same form sent twice adds one.
    creation_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # A date, not a secret the measure may not read: a death within the window decides an
    # exclusion from the continuity measure, counted in SQL (DeathSource says who told us).
    date_of_death: Mapped[date | None] = mapped_column(Date)
    date_of_death_source: Mapped[str | None] = mapped_column(String(20))

    episodes: Mapped[list["CustodyEpisode"]] = relationship(
        back_populates="person", order_by="CustodyEpisode.reception_date.desc()"
    )
    # Read only with the person's page, in the statement that finds the person (a few rows:
    # one contact of each kind); changed through people/contacts.py.
    named_contacts: Mapped[list["NamedContact"]] = relationship(viewonly=True)

    __mapper_args__ = {"version_id_col": version}

    ENCRYPTED_FIELDS = (
        "given_name",
        "family_name",
        "date_of_birth",
        "nhs_number",
        "prison_number",
        "crn",
        "pnc_number",
        "address",
        "phone",
    )

    def refresh_blind_indexes(self) -> None:
        def index(kind: str, *values) -> str | None:
            return blind_index(kind, *values) if all(values) else None

        self.nhs_number_index = index("nhs_number", self.nhs_number)
        self.prison_number_index = index("prison_number", self.prison_number)
        self.crn_index = index("crn", self.crn)
        dob = self.date_of_birth.isoformat() if self.date_of_birth else None
        self.name_dob_index = index("name_dob", self.family_name, dob)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def flags(self) -> list[PersonFlag]:
        """The person's flags that are set, in the code list's order."""
        return [flag for flag in PersonFlag if getattr(self, flag.value)]

    @property
    def current_episode(self) -> "CustodyEpisode | None":
        return self.episodes[0] if self.episodes else None


class CustodyEpisode(Entity):
    """One stay in custody, from reception to release, at one prison after any transfers."""

    __tablename__ = "custody_episodes"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    # Indexed first in ix_custody_episodes_prison_released, as the destination is in
    # ix_custody_episodes_area_released.
    prison_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    reception_date: Mapped[date] = mapped_column(Date)
    expected_release_date: Mapped[date | None] = mapped_column(Date, index=True)
    expected_release_unknown_reason: Mapped[str | None] = mapped_column(String(20))
    actual_release_date: Mapped[date | None] = mapped_column(Date, index=True)
    release_type: Mapped[str | None] = mapped_column(String(30))
    unplanned_release: Mapped[bool] = mapped_column(Boolean, default=False)
    age_at_release: Mapped[int | None] = mapped_column(Integer)
    destination_local_authority_code: Mapped[str | None] = mapped_column(
        ForeignKey("local_authorities.ons_code")
    )
    accommodation_on_release: Mapped[str | None] = mapped_column(String(30))
    treatment_need: Mapped[str] = mapped_column(String(20))
    substance_group: Mapped[str | None] = mapped_column(String(30))
    opioid_substitution: Mapped[str] = mapped_column(String(30), default="none")
    last_dose_date: Mapped[date | None] = mapped_column(Date)
    naloxone_issued: Mapped[bool] = mapped_column(Boolean, default=False)
    bridging_prescription: Mapped[bool] = mapped_column(Boolean, default=False)
    # Deported or removed from the country after release: within the window, an exclusion.
    removed_from_country_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)

    person: Mapped[Person] = relationship(back_populates="episodes")
    prison: Mapped[Organisation] = relationship()
    destination: Mapped[LocalAuthority | None] = relationship()
    changes: Mapped[list["CustodyChange"]] = relationship(
        back_populates="episode", order_by="CustodyChange.created_at"
    )

    __mapper_args__ = {"version_id_col": version}
    # A prison's and a probation unit's worklists start from their own releases: those the
    # prison holds, or released into the unit's areas; releasing soon (not yet released, by
    # expected date) or released lately (by release date); and a unit's, from the people it
    # recorded or referred, each one's releases soon. See scope.worked_episodes.
    __table_args__ = (
        Index(
            "ix_custody_episodes_prison_releasing",
            "prison_id",
            "expected_release_date",
            postgresql_where=text("actual_release_date IS NULL"),
            sqlite_where=text("actual_release_date IS NULL"),
        ),
        Index("ix_custody_episodes_prison_released", "prison_id", "actual_release_date"),
        Index(
            "ix_custody_episodes_area_releasing",
            "destination_local_authority_code",
            "expected_release_date",
            postgresql_where=text("actual_release_date IS NULL"),
            sqlite_where=text("actual_release_date IS NULL"),
        ),
        Index(
            "ix_custody_episodes_area_released",
            "destination_local_authority_code",
            "actual_release_date",
        ),
        Index(
            "ix_custody_episodes_person_releasing",
            "person_id",
            "expected_release_date",
            postgresql_where=text("actual_release_date IS NULL"),
            sqlite_where=text("actual_release_date IS NULL"),
        ),
    )

    @property
    def released(self) -> bool:
        return self.actual_release_date is not None


class CustodyChange(Entity):
    """An append-only record of a change to an episode: what changed, from and to, and why."""

    __tablename__ = "custody_changes"

    episode_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("custody_episodes.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    old_value: Mapped[str | None] = mapped_column(String(200))
    new_value: Mapped[str | None] = mapped_column(String(200))
    changed_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    _reason: Mapped[str] = mapped_column("reason", Text)
    reason = Encrypted()

    episode: Mapped[CustodyEpisode] = relationship(back_populates="changes")
    # Whoever made the change is named wherever it is shown (the timeline, the changes table).
    changed_by: Mapped[User] = relationship(lazy="joined")

    @property
    def changed_at(self) -> datetime:
        return self.created_at

    @property
    def old_words(self) -> str:
        return _change_words(self.old_value)

    @property
    def new_words(self) -> str:
        return _change_words(self.new_value)


def _change_words(value: str | None) -> str:
    """A value a change kept, as people read it: a date as GOV.UK writes it, a code's label."""
    if not value:
        return "none"
    if TreatmentNeed.has(value):
        return TreatmentNeed.label_of(value)
    try:
        return display(date.fromisoformat(value))
    except ValueError:
        return value


class CaseNote(Entity):
    """Free text on a person's timeline, encrypted."""

    __tablename__ = "case_notes"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    _text: Mapped[str] = mapped_column("text", Text)
    text = Encrypted()
    creation_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    author: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()


class BreakGlassGrant(Entity):
    """Emergency access to one person outside the user's caseload, for one hour, with a reason."""

    __tablename__ = "break_glass_grants"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    _reason: Mapped[str] = mapped_column("reason", Text)
    reason = Encrypted()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)

    user: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()


holds_personal_data(
    "custody_episodes",
    CustodyEpisode,
    link=CustodyEpisode.person_id,
    order_by=(CustodyEpisode.reception_date, CustodyEpisode.created_at),
)
holds_personal_data(
    "changes",
    CustodyChange,
    link=CustodyChange.episode_id,
    parent="custody_episodes",
    order_by=(CustodyChange.created_at,),
)
holds_personal_data(
    "case_notes", CaseNote, link=CaseNote.person_id, order_by=(CaseNote.created_at,)
)
holds_personal_data(
    "break_glass",
    BreakGlassGrant,
    link=BreakGlassGrant.person_id,
    order_by=(BreakGlassGrant.created_at,),
)


class NamedContact(Entity):
    """Whom to call about a person: their prison offender manager, community offender manager
    (probation) or keyworker (``ContactKind``), and how to reach them. One of each kind per
    person, changed in place (version-checked); who changed it last and when are kept, and
    every change is audited. Names and means of contact are a member of staff's personal data,
    and tie them to the person: encrypted like the person's own."""

    __tablename__ = "named_contacts"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    _name: Mapped[str] = mapped_column("name", Text)
    _team: Mapped[str | None] = mapped_column("team", Text)
    _phone: Mapped[str | None] = mapped_column("phone", Text)
    _email: Mapped[str | None] = mapped_column("email", Text)
    name = Encrypted()
    team = Encrypted()
    phone = Encrypted()
    email = Encrypted()
    # The Caseflow account, when the contact is one (the keyworker assigned on a referral).
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    changed_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    changed_by: Mapped[User] = relationship(foreign_keys=[changed_by_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("person_id", "kind"),)


holds_personal_data(
    "named_contacts",
    NamedContact,
    link=NamedContact.person_id,
    order_by=(NamedContact.kind, NamedContact.created_at),
)
