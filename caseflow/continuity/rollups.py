"""Kept counts of the months whose figures no longer change but by corrections, so the national
dashboard counts only its recent months from the releases' facts.

Counting every release of a year and of a 24-month trend on each request grows with the data:
ten times the releases, ten times the rows read. But a month's outcomes are settled once every
window of its releases has closed: from the day after its last day plus the window, no release
of it is pending, and only a correction (a release, referral, start, appointment, death or
removal recorded late or changed) can move its counts. Such a month's counts are kept here
(``MonthCounts``): per version of the settings (by digest), the headline (outcome, second
measure, exclusion reason) and each breakdown but the pathways (key and outcome), the same
groupings ``continuity.grouping`` counts. The dashboard reads them for its settled months and
counts the others, the last month or two and any made stale, live from the facts, all in its one
statement; the answer is the same either way (tests/continuity/test_month_counts.py).

Kept up to date by two things:

- A change to a release's facts (``continuity.facts``, in the change's transaction) adds a row
  per month touched to ``continuity_stale_months``: a plain INSERT, never an update of a shared
  row, so writers never wait on each other. A month with such a row is counted live.
- The ``continuity-months`` job (``caseflow.jobs``) counts every settled month that is stale or
  not yet kept, for each settings version that can measure it (the one in effect on its last
  day, and every later one: a period ending later measures it by its own), and removes the stale
  rows it saw, in one transaction. A change committed while it counts adds a row it did not see,
  so the month stays stale until the next run: nothing is lost, only counted live a while longer.

Settings: the counts name the digest of the version they were counted by, so a new version, or
one changed, finds no counts and is counted live until the job has counted them. "Today" is
applied only to decide which months are settled; the counts of a settled month hold no pending.

Only the national scope keeps counts: a partnership's scope is a set of areas, and counts kept
by area and every breakdown would outnumber the releases they count. A partnership counts its
own releases from the facts (a fraction of the country's, read by area and date). The breakdown
by pathway is always counted live: pathway membership is each pathway's own records.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Integer, String, and_, cast, delete, func, insert, literal, or_, select

from caseflow.continuity import entries as cohort
from caseflow.continuity import facts, rules
from caseflow.continuity.figures import ORGANISATION_DIMENSIONS
from caseflow.continuity.models import MonthCounts, StaleMonth
from caseflow.continuity.periods import Period, month
from caseflow.continuity.rules import Settings
from caseflow.dates import local_today
from caseflow.extensions import db

COUNTS = MonthCounts.__table__
STALE = StaleMonth.__table__
ROLLED = "rolled"  # the row saying a month was counted
NONE = ""  # none, in the key columns


def settled(month_: Period, settings: Settings, today: date) -> bool:
    """Every window of the month's releases has closed: none can be pending any more."""
    return today > month_.end + timedelta(days=settings.window_days)


def months_of(period: Period) -> list[Period]:
    found = []
    year, number = period.start.year, period.start.month
    while (current := month(year, number)).start <= period.end:
        found.append(current)
        year, number = (year, number + 1) if number < 12 else (year + 1, 1)
    return found


@dataclass(frozen=True)
class Kept:
    """Which months a dashboard reads from kept counts: those of the period (by the period's
    settings), and of the trend (each by its own settings), by month code."""

    period_key: str = ""
    period: frozenset[str] = frozenset()
    trend: dict[str, str] = field(default_factory=dict)  # month code -> settings digest

    def __bool__(self) -> bool:
        return bool(self.period or self.trend)


def kept_months(
    settings: Settings,
    period: Period,
    trend: Iterable[tuple[Period, Settings]],
    today: date,
) -> Kept:
    """The settled months of the period and trend that have counts kept and are not stale: one
    query."""
    trend_wanted = [(measured_by, m) for m, measured_by in trend]
    wanted = [(settings, m) for m in months_of(period)] + trend_wanted
    wanted = [(s, m) for s, m in wanted if settled(m, s, today)]
    if not wanted:
        return Kept()
    codes = sorted({m.code for _, m in wanted})
    statement = (
        select(COUNTS.c.settings_key, COUNTS.c.month, literal(False).label("stale"))
        .where(COUNTS.c.part == ROLLED, COUNTS.c.month.in_(codes))
        .union_all(
            select(literal(NONE), STALE.c.month, literal(True)).where(STALE.c.month.in_(codes))
        )
    )
    rolled, stale = set(), set()
    for key, code, is_stale in cohort.session().execute(statement):
        (stale.add(code) if is_stale else rolled.add((key, code)))

    def usable(s: Settings, m: Period) -> bool:
        return settled(m, s, today) and (s.digest, m.code) in rolled and m.code not in stale

    return Kept(
        period_key=settings.digest,
        period=frozenset(m.code for m in months_of(period) if usable(settings, m)),
        trend={m.code: s.digest for s, m in trend_wanted if usable(s, m)},
    )


def _text(value):
    return cast(value, String)


def _none_if_empty(column):
    return func.nullif(column, literal(NONE))


def kept_rows(kept: Kept, dimensions: list[str]):
    """The kept counts a dashboard reads, in the columns of ``grouping``'s groupings: (part,
    key, name, outcome, attended, exclusion reason, n); names are looked up after."""
    parts = []
    if kept.period:
        parts.append(
            select(
                _text(COUNTS.c.part).label("part"),
                _text(_none_if_empty(COUNTS.c.key)).label("key"),
                _text(literal(None)).label("name"),
                _text(COUNTS.c.outcome).label("outcome"),
                _text(_none_if_empty(COUNTS.c.attended)).label("attended"),
                _text(_none_if_empty(COUNTS.c.exclusion_reason)).label("exclusion_reason"),
                cast(func.sum(COUNTS.c.n), Integer).label("n"),
            )
            .where(
                COUNTS.c.settings_key == kept.period_key,
                COUNTS.c.month.in_(sorted(kept.period)),
                COUNTS.c.part.in_(["headline", *dimensions]),
            )
            # Summed over the months here: a breakdown's rows, not one per month.
            .group_by(
                COUNTS.c.part,
                COUNTS.c.key,
                COUNTS.c.outcome,
                COUNTS.c.attended,
                COUNTS.c.exclusion_reason,
            )
        )
    if kept.trend:
        by_settings: dict[str, list[str]] = {}
        for code, key in kept.trend.items():
            by_settings.setdefault(key, []).append(code)
        parts.append(
            select(
                _text(literal("trend")).label("part"),
                _text(COUNTS.c.month).label("key"),
                _text(literal(None)).label("name"),
                _text(COUNTS.c.outcome).label("outcome"),
                _text(literal(None)).label("attended"),
                _text(literal(None)).label("exclusion_reason"),
                cast(func.sum(COUNTS.c.n), Integer).label("n"),
            )
            .where(
                COUNTS.c.part == "headline",
                or_(
                    *(
                        and_(COUNTS.c.settings_key == key, COUNTS.c.month.in_(sorted(codes)))
                        for key, codes in by_settings.items()
                    )
                ),
            )
            .group_by(COUNTS.c.month, COUNTS.c.outcome)
        )
    return parts


# The job ----------------------------------------------------------------------------------


def _month_after(current: Period) -> Period:
    year, number = current.start.year, current.start.month
    return month(year, number + 1) if number < 12 else month(year + 1, 1)


def _key_text(part: str, value) -> str:
    if value is None:
        return NONE
    if part in ORGANISATION_DIMENSIONS:
        return str(uuid.UUID(str(value)))  # SQLite gives the hex digits alone
    return str(value)


def _count_month(month_: Period, settings: Settings, today: date) -> list[dict]:
    from caseflow.continuity import grouping

    counted = grouping.month_groupings(month_, settings, today)
    rows: dict[tuple, int] = {}
    for part, key, _name, outcome, attended, reason, n in counted:
        cell = (
            part,
            _key_text(part, key),
            outcome,
            attended or NONE,
            reason or NONE,
        )
        rows[cell] = rows.get(cell, 0) + n
    found = [
        {
            "part": part,
            "key": key,
            "outcome": outcome,
            "attended": attended,
            "exclusion_reason": reason,
            "n": n,
        }
        for (part, key, outcome, attended, reason), n in rows.items()
    ]
    found.append(
        {
            "part": ROLLED,
            "key": NONE,
            "outcome": NONE,
            "attended": NONE,
            "exclusion_reason": NONE,
            "n": 0,
        }
    )
    return [{"settings_key": settings.digest, "month": month_.code, **row} for row in found]


def _measuring(recorded: list[Settings], month_: Period) -> list[Settings]:
    """The versions that can measure a month: the one in effect on its last day (as
    ``rules.settings_on`` picks it), and every later one (a period ending later)."""
    in_effect = recorded[0]
    for version in recorded:
        if version.effective_from <= month_.end:
            in_effect = version
    later = [
        v
        for v in recorded
        if v.effective_from > month_.end and v.effective_from != in_effect.effective_from
    ]
    return [in_effect, *later]


def roll(today: date | None = None) -> dict:
    """Count every settled month that is stale or not yet kept, for each settings version that
    can measure it; then remove the stale rows seen. Idempotent: a second run counts nothing."""
    today = today or local_today()
    session = db.session
    connection = session.connection()
    marks = session.execute(select(STALE.c.id, STALE.c.month)).all()
    stale = {code for _, code in marks}
    first, last = session.execute(
        select(func.min(facts.FACTS.c.release_date), func.max(facts.FACTS.c.release_date))
    ).one()
    rolled = set(
        session.execute(
            select(COUNTS.c.settings_key, COUNTS.c.month).where(COUNTS.c.part == ROLLED)
        ).all()
    )
    recorded = rules.versions()
    counted = 0
    if first is not None:
        current, final = month(first.year, first.month), month(last.year, last.month)
        while current.start <= final.start:
            for version in _measuring(recorded, current):
                if not settled(current, version, today):
                    continue
                if (version.digest, current.code) in rolled and current.code not in stale:
                    continue
                connection.execute(
                    delete(COUNTS).where(
                        COUNTS.c.settings_key == version.digest, COUNTS.c.month == current.code
                    )
                )
                connection.execute(insert(COUNTS), _count_month(current, version, today))
                counted += 1
            current = _month_after(current)
    if marks:
        connection.execute(delete(STALE).where(STALE.c.id.in_([id_ for id_, _ in marks])))
    return {"months_counted": counted, "stale_marks_cleared": len(marks)}
