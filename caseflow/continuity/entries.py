"""The cohort entries of the continuity measure: one SQL query making one row per release.

A release is a custody episode whose actual release date falls in the dates asked for, read
from its facts row (``continuity.facts``: the records' values, kept in step with them). Its row
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
from sqlalchemy.sql.elements import ColumnClause
from sqlalchemy.sql.visitors import replacement_traverse

from caseflow import reporting_db
from caseflow.continuity import facts, rules
from caseflow.continuity.rules import Outcome, Placement, Settings
from caseflow.organisations.models import LocalAuthority, Organisation
from caseflow.people.models import CustodyEpisode
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
    """Whose releases are counted, as a condition on CustodyEpisode. ``every_release``: the
    whole country, the one scope whose months' counts are kept (``continuity.rollups``)."""

    name: str
    condition: object = field(default_factory=true, compare=False)
    every_release: bool = field(default=False, compare=False)

    @classmethod
    def national(cls) -> "Scope":
        return cls("England", true(), every_release=True)

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


def on_facts(condition):
    """A condition on CustodyEpisode (a scope's) as the same condition on the facts table, whose
    columns carry the episode's values under the same names (its id as episode_id, its actual
    release date as release_date). A column the facts do not hold is a KeyError: a scope must
    be one the facts can answer."""
    renamed = {"id": "episode_id", "actual_release_date": "release_date"}
    episodes = CustodyEpisode.__table__

    def replace(element):
        if isinstance(element, ColumnClause) and getattr(element, "table", None) is episodes:
            return facts.FACTS.c[renamed.get(element.name, element.name)]
        return None

    return replacement_traverse(condition, {}, replace)


def _in_ranges(column, start: date, end: date, within):
    if not within:
        return and_(column >= start, column <= end)
    return or_(*(and_(column >= first, column <= last) for first, last in within))


def _released(scope: Scope, start: date, end: date, from_records: bool, within):
    """The releases' facts rows in [start, end] (or in the ranges ``within``): kept ones, or
    made from the records."""
    if from_records:
        return facts.facts_query(
            and_(
                _in_ranges(CustodyEpisode.actual_release_date, start, end, within),
                scope.condition,
            )
        ).cte()
    table = facts.FACTS
    return (
        select(*(_bare(column, column.name) for column in table.columns))
        .where(_in_ranges(table.c.release_date, start, end, within), on_facts(scope.condition))
        .cte()
    )


def entries(
    scope: Scope,
    start: date,
    end: date,
    settings: Settings,
    today: date,
    *,
    from_records: bool = False,
    within: list[tuple[date, date]] | None = None,
):
    """One row per release in [start, end] (or in the date ranges ``within``: the months a
    dashboard counts live), with its outcome: a subquery.

    It reads the releases' facts rows (``continuity.facts``), one narrow table by release date,
    and decides each one's outcome from them by the settings and today. ``from_records`` makes
    the same rows from the records themselves (the reconciliation checks the records, and the
    tests that the kept facts are theirs)."""
    released = _released(scope, start, end, from_records, within)
    episode = released.c
    released_on = released.c.release_date
    window_end = _plus_days(released_on, settings.window_days)
    first_start = episode.treatment_start_date
    first_attended = episode.first_attended_date
    died_on = episode.date_of_death

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
        died_on.is_not(None),
        died_on <= window_end,
        or_(first_start.is_(None), first_start > died_on),
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
            episode.provider_id.label("provider"),
            episode.destination_local_authority_code.label("local_authority"),
            LocalAuthority.region.label("region"),
            episode.prison_id.label("prison"),
            episode.substance_group.label("substance_group"),
            episode.sex.label("sex"),
            episode.ethnic_group.label("ethnic_group"),
            age_band.label("age_band"),
        )
        .select_from(released)
        .outerjoin(
            LocalAuthority,
            LocalAuthority.ons_code == episode.destination_local_authority_code,
        )
        .subquery("entries")
    )
