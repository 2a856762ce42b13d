"""The cohort entries of the continuity measure: one SQL query making one row per release.

A release is a custody episode whose actual release date falls in the dates asked for. Its row
carries its outcome (met, not met, pending, excluded, or not in the cohort at all, by
``continuity.rules``), the exclusion reason, the first treatment start from the release date on
and the provider credited with it (the referral that started treatment; otherwise the one the
release's latest referral is with), the first attended appointment from the release date on
(the second measure), and the columns each breakdown groups by. ``continuity.services`` counts,
groups and pages this query in the database.

Dates are London local dates already (release and treatment start are dates, not times); the
window's last day is release date + window (day 21 met, day 22 not), and a window is open
(pending) while today, London's today, is on or before it.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import (
    Date,
    Integer,
    Uuid,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    true,
    type_coerce,
)

from caseflow import reporting_db
from caseflow.continuity import rules
from caseflow.continuity.rules import Outcome, Placement, Settings
from caseflow.organisations.models import LocalAuthority, Organisation
from caseflow.people.models import CustodyEpisode, Person
from caseflow.referrals.codes import AppointmentOutcome, Status
from caseflow.referrals.models import Appointment, Referral
from caseflow.security.scope import measured_releases, releases_into_areas_of

NOT_IN_COHORT = Placement.NOT_IN_COHORT.value


def session():
    """The session the measure reads through: every query of continuity's figures gets it here,
    so the reads can be sent elsewhere (a replica) in this one place: caseflow.reporting_db."""
    return reporting_db.session()


# Dates in SQL, the same on PostgreSQL and SQLite -----------------------------------------------


def _sqlite() -> bool:
    return session().get_bind().dialect.name == "sqlite"


def _plus_days(day, days: int):
    if _sqlite():
        return func.date(day, f"+{int(days)} days", type_=Date)
    return day + literal(int(days), Integer)


def days_between(later, earlier):
    """Whole days from earlier to later (negative when later is earlier)."""
    if _sqlite():
        return cast(func.julianday(later) - func.julianday(earlier), Integer)
    return cast(later - earlier, Integer)


def month_of(day):
    if _sqlite():
        return func.strftime("%Y-%m", day)
    return func.to_char(day, "YYYY-MM")


# Whose releases ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Whose releases are counted, as a condition on CustodyEpisode."""

    name: str
    condition: object = field(default_factory=true, compare=False)

    @classmethod
    def national(cls) -> "Scope":
        return cls("England", true())

    @classmethod
    def of_partnership(cls, organisation: Organisation) -> "Scope":
        return cls(organisation.name, releases_into_areas_of(organisation.id))

    @classmethod
    def of_viewer(cls, user) -> "Scope":
        return cls(user.organisation.name, measured_releases(user))


# The cohort entries ---------------------------------------------------------------------------


def _bare(column, name: str):
    """A table's column as a plain value of its type: a subquery copies a column's foreign keys
    with it, and SQLAlchemy registers each copy, milliseconds a column on every request."""
    return type_coerce(column, column.type).label(name)


def entries(scope: Scope, start: date, end: date, settings: Settings, today: date):
    """One row per release in [start, end], with its outcome: a subquery.

    The releases are selected once (a CTE), and the referrals and appointments each is measured
    by are read in one pass each, joined to them (not a subquery per release and column: that
    re-read the referrals of every release for each place a first start was used)."""
    released = (
        select(
            _bare(CustodyEpisode.id, "episode_id"),
            _bare(CustodyEpisode.actual_release_date, "release_date"),
            *(
                _bare(getattr(CustodyEpisode, name), name)
                for name in (
                    "person_id",
                    "age_at_release",
                    "treatment_need",
                    "release_type",
                    "removed_from_country_on",
                    "destination_local_authority_code",
                    "prison_id",
                    "substance_group",
                )
            ),
        )
        .where(
            CustodyEpisode.actual_release_date >= start,
            CustodyEpisode.actual_release_date <= end,
            scope.condition,
        )
        .cte()
    )
    episode = released.c
    # The first treatment start from release day on, and the referral that made it.
    starts = (
        select(
            _bare(Referral.episode_id, "episode_id"),
            _bare(Referral.treatment_start_date, "treatment_start_date"),
            _bare(Referral.provider_id, "provider_id"),
            func.row_number()
            .over(
                partition_by=Referral.episode_id,
                order_by=(Referral.treatment_start_date, Referral.created_at),
            )
            .label("n"),
        )
        .join(released, released.c.episode_id == Referral.episode_id)
        .where(Referral.treatment_start_date >= released.c.release_date)
        .subquery("starts")
    )
    # The referral the release is with now: its latest one sent.
    latest = (
        select(
            _bare(Referral.episode_id, "episode_id"),
            _bare(Referral.provider_id, "provider_id"),
            func.row_number()
            .over(
                partition_by=Referral.episode_id,
                order_by=(Referral.created_at.desc(), Referral.id),
            )
            .label("n"),
        )
        .join(released, released.c.episode_id == Referral.episode_id)
        .where(Referral.status != Status.DRAFT)
        .subquery("latest")
    )
    attendances = (
        select(
            _bare(Referral.episode_id, "episode_id"),
            func.min(Appointment.appointment_date).label("first_attended"),
        )
        .join(Appointment, Appointment.referral_id == Referral.id)
        .join(released, released.c.episode_id == Referral.episode_id)
        .where(
            Appointment.outcome == AppointmentOutcome.ATTENDED,
            Appointment.appointment_date >= released.c.release_date,
        )
        .group_by(Referral.episode_id)
        .subquery("attendances")
    )
    released_on = released.c.release_date
    window_end = _plus_days(released_on, settings.window_days)
    first_start = starts.c.treatment_start_date
    first_attended = attendances.c.first_attended

    in_cohort_codes = settings.release_types_placed(Placement.COHORT)
    excluded_codes = settings.release_types_placed(Placement.EXCLUDED)
    whens = [
        (
            or_(
                episode.age_at_release.is_(None),
                episode.age_at_release < 18,
                episode.treatment_need.not_in(settings.treatment_needs_in_cohort() or [""]),
                episode.release_type.not_in([*in_cohort_codes, *excluded_codes] or [""]),
            ),
            (NOT_IN_COHORT, None),
        ),
    ]
    if excluded_codes:
        whens.append((episode.release_type.in_(excluded_codes), ("excluded", "release_type")))
    removal = and_(
        episode.removed_from_country_on.is_not(None),
        episode.removed_from_country_on <= window_end,
    )
    death = and_(
        Person.date_of_death.is_not(None),
        Person.date_of_death <= window_end,
        or_(first_start.is_(None), first_start > Person.date_of_death),
    )
    for reason, condition in (
        (rules.ExclusionReason.REMOVED, removal),
        (rules.ExclusionReason.DIED, death),
    ):
        placement = settings.exclusion(reason)
        if placement == Placement.EXCLUDED:
            whens.append((condition, ("excluded", reason.value)))
        elif placement == Placement.NOT_IN_COHORT:
            whens.append((condition, (NOT_IN_COHORT, None)))
    met = and_(first_start.is_not(None), first_start <= window_end)
    whens.append((met, (Outcome.MET.value, None)))
    whens.append((literal(today, Date) <= window_end, (Outcome.PENDING.value, None)))

    outcome = case(
        *((condition, literal(value)) for condition, (value, _) in whens),
        else_=literal(Outcome.NOT_MET.value),
    )
    reason = case(
        *(
            (condition, episode.release_type if why == "release_type" else literal(why))
            for condition, (_, why) in whens
            if why is not None
        ),
        else_=None,
    )
    attended_in_window = and_(first_attended.is_not(None), first_attended <= window_end)
    attended = case(
        (attended_in_window, literal(Outcome.MET.value)),
        (literal(today, Date) <= window_end, literal(Outcome.PENDING.value)),
        else_=literal(Outcome.NOT_MET.value),
    )
    age = episode.age_at_release
    age_band = case(
        (age < 25, literal("18-24")),
        (age < 35, literal("25-34")),
        (age < 45, literal("35-44")),
        (age < 55, literal("45-54")),
        else_=literal("55+"),
    )
    return (
        select(
            episode.episode_id,
            episode.person_id,
            released_on.label("release_date"),
            window_end.label("window_end"),
            outcome.label("outcome"),
            reason.label("exclusion_reason"),
            first_start.label("treatment_start_date"),
            first_attended.label("first_attended_date"),
            attended.label("attended"),
            func.coalesce(starts.c.provider_id, latest.c.provider_id, type_=Uuid).label("provider"),
            episode.destination_local_authority_code.label("local_authority"),
            LocalAuthority.region.label("region"),
            episode.prison_id.label("prison"),
            episode.substance_group.label("substance_group"),
            Person.sex.label("sex"),
            Person.ethnic_group.label("ethnic_group"),
            age_band.label("age_band"),
        )
        .select_from(released)
        .join(Person, Person.id == episode.person_id)
        .outerjoin(
            LocalAuthority,
            LocalAuthority.ons_code == episode.destination_local_authority_code,
        )
        # "n <= 1", not "n = 1": the same rows, but PostgreSQL guesses a third of them pass
        # rather than one in two hundred, and so hashes the join instead of looping over it.
        .outerjoin(starts, and_(starts.c.episode_id == episode.episode_id, starts.c.n <= 1))
        .outerjoin(latest, and_(latest.c.episode_id == episode.episode_id, latest.c.n <= 1))
        .outerjoin(attendances, attendances.c.episode_id == episode.episode_id)
        .subquery("entries")
    )
