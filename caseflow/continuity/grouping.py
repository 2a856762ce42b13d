"""The measure's counts, in one SQL statement: the cohort once, counted every way a page needs.

``count(scope, period, ...)`` builds the cohort entries (``continuity.entries``) of the period,
and of the trend's months when asked, once per request: a materialised CTE, each row flagged
as in the period and in the trend. Every figure asked for is one ``GROUP BY`` over that CTE,
the groupings joined by ``UNION ALL`` into the one statement (the same on PostgreSQL and
SQLite, which has no ``GROUPING SETS``):

- the headline: by outcome, second-measure outcome and exclusion reason, over the period;
- a breakdown per dimension asked for (``DIMENSIONS``): by its value and outcome;
- the breakdown by pathway: one grouping per pathway registered in
  ``continuity.pathway_membership`` (a release on several is counted in each) and one for the
  releases on none, "No pathway";
- the trend: by release month and outcome, each month measured by the settings in effect on its
  last day (the cohort holds one set of entries per settings version the months span).

For the national scope, the settled months whose counts are kept (``continuity.rollups``) are
left out of the cohort and their kept counts added to the statement as rows of the same shape,
so only the months still changing are counted release by release.

What the rows become (``Figures``, each breakdown's ``Row``, the ``Counted`` a page reads) and
the breakdowns' names are ``continuity.figures``: the kept counts' rows are assembled there
alike, and the pages read them without this module's SQL. ``in_cell`` is here, beside the
statement: the condition on the same cohort entries for the cases behind one cell.
"""

import uuid
from collections.abc import Iterable
from datetime import date

from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    not_,
    null,
    or_,
    select,
    true,
    union_all,
)

from caseflow.continuity import entries as cohort
from caseflow.continuity import pathway_membership, rollups, rules, statements
from caseflow.continuity.entries import NOT_IN_COHORT, Scope
from caseflow.continuity.figures import (
    DIMENSIONS,
    NAMED_IN_SQL,
    ORGANISATION_DIMENSIONS,
    PATHWAY,
    Counted,
    assemble,
)
from caseflow.continuity.periods import Period, months_ending
from caseflow.continuity.rules import Settings

# The cases behind one cell ----------------------------------------------------------------------


def in_cell(entries, dimension: str, value: str | None):
    """The condition on cohort entries for the cell a breakdown key names: none for "Not
    recorded" ("No pathway": on no registered pathway); a key that is not one matches nothing
    (the address can hold anything)."""
    if dimension == PATHWAY:
        on = {
            found.code: found.on_release(entries.c.episode_id, entries.c.person_id)
            for found in pathway_membership.registered()
        }
        if value in (None, ""):
            return and_(true(), *(not_(condition) for condition in on.values()))
        return on.get(value, false())
    column = entries.c[dimension]
    if value in (None, ""):
        return column.is_(None)
    if dimension in ORGANISATION_DIMENSIONS:
        try:
            return column == uuid.UUID(value)
        except ValueError:
            return false()
    return column == value


# The statement ----------------------------------------------------------------------------------


def _ranges(months: list[Period]) -> list[tuple[date, date]]:
    """Months as date ranges, consecutive ones joined."""
    found: list[list[date]] = []
    for month in sorted(months, key=lambda m: m.start):
        if found and (month.start - found[-1][1]).days == 1:
            found[-1][1] = month.end
        else:
            found.append([month.start, month.end])
    return [(first, last) for first, last in found]


def _flag(column, ranges: list[tuple[date, date]]):
    if not ranges:
        return literal(0, Integer)
    return case((or_(*(and_(column >= a, column <= b) for a, b in ranges)), 1), else_=0)


def _cohort(
    scope: Scope,
    period: Period,
    months: list[Period],
    measured: list[Settings],
    pathways,
    today: date,
    from_records: bool,
    kept: rollups.Kept,
):
    """The entries counted live, once: the period's months by its settings, each trend month's
    by its own, leaving out the months whose counts are kept (``kept``); one set of entries per
    settings version (usually one for all). None when every month is kept."""
    settings, by_month = measured[0], measured[1:]
    versions: dict[date, tuple[Settings, list[Period]]] = {settings.effective_from: (settings, [])}
    for month, measured_by in zip(months, by_month, strict=True):
        if month.code not in kept.trend:
            versions.setdefault(measured_by.effective_from, (measured_by, []))[1].append(month)
    live_period = [m for m in rollups.months_of(period) if m.code not in kept.period]
    parts = []
    for version, trend_months in versions.values():
        of_period = live_period if version.effective_from == settings.effective_from else []
        spans = [*trend_months, *of_period]
        if not spans:
            continue
        ranges = _ranges(spans)
        entries = cohort.entries(
            scope,
            ranges[0][0],
            ranges[-1][1],
            version,
            today,
            from_records=from_records,
            within=ranges,
        )
        released = entries.c.release_date
        flags = [
            case((found.on_release(entries.c.episode_id, entries.c.person_id), 1), else_=0).label(
                f"pathway_{i}"
            )
            for i, found in enumerate(pathways)
        ]
        parts.append(
            select(
                entries,
                _flag(released, _ranges(of_period)).label("in_period"),
                _flag(released, _ranges(trend_months)).label("in_trend"),
                *flags,
            ).where(entries.c.outcome != NOT_IN_COHORT)
        )
    if not parts:
        return None
    rows = parts[0] if len(parts) == 1 else union_all(*parts)
    # Materialised: the cohort is computed once however many groupings read it.
    return rows.cte("cohort").prefix_with("MATERIALIZED", dialect="postgresql")


def _text(value):
    return cast(value, String)


def _grouping(part: str, rows, key, *, where, headline: bool = False):
    """One grouping: (part, key, name, outcome, attended, exclusion reason, count)."""
    empty = _text(null())
    query = select().select_from(rows)
    name = None
    if key is not None and part in NAMED_IN_SQL:
        key_column, name_column = NAMED_IN_SQL[part]
        names = key_column.table.alias(f"{part}_names")
        name = names.c[name_column.key]
        query = query.outerjoin(names, names.c[key_column.key] == key)
    grouped = [column for column in (key, name) if column is not None]
    grouped.append(rows.c.outcome)
    if headline:
        grouped.extend((rows.c.attended, rows.c.exclusion_reason))
    return (
        query.add_columns(
            _text(literal(part)).label("part"),
            (empty if key is None else _text(key)).label("key"),
            (empty if name is None else _text(name)).label("name"),
            rows.c.outcome,
            (rows.c.attended if headline else empty).label("attended"),
            (rows.c.exclusion_reason if headline else empty).label("exclusion_reason"),
            func.count().label("n"),
        )
        .where(where)
        .group_by(*grouped)
    )


def count(
    scope: Scope,
    period: Period,
    *,
    dimensions: Iterable[str] = (),
    trend_months: int = 0,
    today: date,
    from_records: bool = False,
) -> Counted:
    """The headline, the breakdowns asked for and the trend's months ending with the period's
    last, from one statement. An unknown dimension is a KeyError. ``from_records``: counted
    from the records rather than the releases' kept facts (a check that they agree)."""
    dimensions = list(dimensions)
    for dimension in dimensions:
        if dimension not in DIMENSIONS:
            raise KeyError(dimension)
    months = months_ending(period, trend_months) if trend_months else []
    pathways = pathway_membership.registered() if PATHWAY in dimensions else []
    measured = rules.settings_on_days([period.end, *(month.end for month in months)])
    settings = measured[0]
    kept = rollups.Kept()
    if scope.every_release and not from_records and PATHWAY not in dimensions:
        kept = rollups.kept_months(settings, period, zip(months, measured[1:], strict=True), today)

    def build():
        rows = _cohort(scope, period, months, measured, pathways, today, from_records, kept)
        groupings = [] if rows is None else _groupings(rows, dimensions, pathways, bool(months))
        groupings += rollups.kept_rows(kept, dimensions)
        return groupings[0] if len(groupings) == 1 else union_all(*groupings)

    scope_key = statements.condition_key(scope.condition)
    key = None
    if scope_key is not None:
        key = (
            "count",
            scope_key,
            period.start,
            period.end,
            tuple(dimensions),
            trend_months,
            tuple(version.digest for version in measured),
            tuple((found.code, found.label, found.on_release) for found in pathways),
            today,
            from_records,
            (kept.period_key, tuple(sorted(kept.period)), tuple(sorted(kept.trend.items()))),
        )
    statement = statements.built(key, build)
    return assemble(
        cohort.session().execute(statement).all(),
        settings,
        dimensions,
        months,
    )


def _groupings(rows, dimensions: list[str], pathways, trend: bool) -> list:
    """Every grouping asked for over the cohort's rows, for one UNION ALL."""
    in_period = rows.c.in_period == 1
    groupings = [_grouping("headline", rows, None, where=in_period, headline=True)]
    for dimension in dimensions:
        if dimension == PATHWAY:
            continue
        groupings.append(_grouping(dimension, rows, rows.c[dimension], where=in_period))
    for i, found in enumerate(pathways):
        groupings.append(
            _grouping(
                PATHWAY, rows, literal(found.code), where=in_period & (rows.c[f"pathway_{i}"] == 1)
            )
        )
    if PATHWAY in dimensions:
        on_none = and_(in_period, *(rows.c[f"pathway_{i}"] == 0 for i in range(len(pathways))))
        groupings.append(_grouping(PATHWAY, rows, None, where=on_none))
    if trend:
        month_of = cohort.month_of(rows.c.release_date)
        groupings.append(_grouping("trend", rows, month_of, where=rows.c.in_trend == 1))
    return groupings


# Breakdowns whose counts are kept by month (continuity.rollups): all but the pathways.
KEPT_DIMENSIONS = [name for name in DIMENSIONS if name != PATHWAY]


def month_groupings(month: Period, settings: Settings, today: date) -> list:
    """One month's groupings, by the settings given, from the releases' facts, nationally:
    what ``continuity.rollups`` keeps for a settled month."""
    entries = cohort.entries(Scope.national(), month.start, month.end, settings, today)
    rows = (
        select(entries, literal(1, Integer).label("in_period"))
        .where(entries.c.outcome != NOT_IN_COHORT)
        .cte("cohort")
    )
    return cohort.session().execute(union_all(*_groupings(rows, KEPT_DIMENSIONS, [], False))).all()
