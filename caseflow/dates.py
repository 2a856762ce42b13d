"""Dates and times as Caseflow keeps them and as people read them: one place for both.

Dates (release, treatment start, appointments) are local dates in Europe/London and have no
time. Moments (when something happened) are stored in UTC; SQLite hands them back without a
zone, and a moment without a zone is taken to be UTC.

People read moments in London time ("1 July 2025, 00:30" for 23:30 UTC on 30 June), and a moment
shown as a date is the London date it fell on. The auditor's pages say their times are UTC and
show them as ``2025-06-30 23:30:00``, the form the log's exports and checkpoints use.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

LONDON = ZoneInfo("Europe/London")

# The moment the demo loader (and tests) say it is. Only code calls clock_at: nothing a request
# sends reaches it, so no page can move Caseflow's clock.
_set_moment: ContextVar[datetime | None] = ContextVar("caseflow_clock", default=None)


def now() -> datetime:
    """The current moment, in UTC: the one clock services, model defaults and the audit log read."""
    return _set_moment.get() or datetime.now(UTC)


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Run the block as if it were ``moment``: the demo data's stories happen on their days."""
    token = _set_moment.set(as_utc(moment))
    try:
        yield
    finally:
        _set_moment.reset(token)


def local_today() -> date:
    return now().astimezone(LONDON).date()


def years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier (or later, when negative); 29 February becomes 28."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def as_utc(moment: datetime) -> datetime:
    """The same instant in UTC. A moment without a zone (as SQLite returns it) is UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def in_london(moment: datetime) -> datetime:
    return as_utc(moment).astimezone(LONDON)


def start_of_day(day: date) -> datetime:
    """The moment a London date begins, in UTC (midnight in London is 23:00 UTC in summer)."""
    return datetime(day.year, day.month, day.day, tzinfo=LONDON).astimezone(UTC)


# For people ----------------------------------------------------------------------------------


def display(value: date | datetime | None) -> str:
    """A date as GOV.UK writes it: 1 July 2025. A moment shows the London date it fell on."""
    if value is None:
        return ""
    day = in_london(value).date() if isinstance(value, datetime) else value
    return f"{day.day} {day:%B %Y}"


def display_date_time(moment: datetime | None) -> str:
    """A moment in London time, 24-hour clock: 1 July 2025, 00:30."""
    if moment is None:
        return ""
    local = in_london(moment)
    return f"{display(local.date())}, {local:%H:%M}"


def display_time_on_date(moment: datetime) -> str:
    """A moment in London time as GOV.UK words it in a sentence: 2:05pm on 1 July 2025."""
    local = in_london(moment)
    hour = local.hour % 12 or 12
    return f"{hour}:{local:%M}{'am' if local.hour < 12 else 'pm'} on {display(local.date())}"


def display_utc(moment: datetime | None) -> str:
    """A moment in UTC, to the second, for the pages that say their times are UTC."""
    return f"{as_utc(moment):%Y-%m-%d %H:%M:%S}" if moment else ""


# Times as people type them -----------------------------------------------------------------

# "9:30", "09:30", "9.30", "14:00", "1400", "9.30am", "9:30 pm", "2pm", "2 p.m.", "12 noon"
_TIME = re.compile(
    r"(?P<hour>\d{1,2})(?:[:.]?(?P<minute>\d{2}))?(?:\s*(?P<half>[ap])\.?\s*m?\.?)?",
    re.IGNORECASE,
)


def parse_time(text: str) -> time | None:
    """A time of day as people write it, on the 24-hour or the 12-hour clock; None if it is not
    one. A bare hour ("9") is not taken: without "am" or "pm" it could be either."""
    text = " ".join(text.split()).lower()
    if text in ("midday", "12 midday", "noon", "12 noon"):
        return time(12, 0)
    if text in ("midnight", "12 midnight"):
        return time(0, 0)
    match = _TIME.fullmatch(text)
    if not match or not text.isascii():
        return None
    hour = int(match["hour"])
    minute = int(match["minute"] or 0)
    half = match["half"]
    if match["minute"] is None and half is None:
        return None
    if minute > 59:
        return None
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    elif hour > 23:
        return None
    return time(hour, minute)


# In SQL --------------------------------------------------------------------------------------


class london_date(FunctionElement):
    """The London date a stored moment fell on, as a SQL expression: what ``in_london(moment)
    .date()`` gives in Python, so a list and a page agree on the day (23:30 UTC on 30 June is 1
    July). PostgreSQL converts with its own time zone data; SQLite, which has none, applies the
    UK's rule (summer time from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last
    Sunday of October)."""

    type = Date()
    inherit_cache = True
    name = "london_date"


@compiles(london_date, "postgresql")
def _london_date_postgresql(element, compiler, **kw):
    (moment,) = element.clauses
    return f"CAST(timezone('Europe/London', {compiler.process(moment, **kw)}) AS DATE)"


@compiles(london_date)
def _london_date_sqlite(element, compiler, **kw):
    (moment,) = element.clauses
    at = compiler.process(moment, **kw)
    year = f"strftime('%Y', {at})"
    # The last Sunday of March and of October: the first Sunday on or after the 25th.
    starts = f"datetime(date({year} || '-03-25', 'weekday 0'), '+1 hour')"
    ends = f"datetime(date({year} || '-10-25', 'weekday 0'), '+1 hour')"
    return (
        f"CASE WHEN datetime({at}) >= {starts} AND datetime({at}) < {ends} "
        f"THEN date({at}, '+1 hour') ELSE date({at}) END"
    )
