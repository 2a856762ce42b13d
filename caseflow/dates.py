"""Dates and times as Caseflow keeps them and as people read them: one place for both.

Dates (release, treatment start, appointments) are local dates in Europe/London and have no
time. Moments (when something happened) are stored in UTC; SQLite hands them back without a
zone, and a moment without a zone is taken to be UTC.

People read moments in London time ("1 July 2025, 00:30" for 23:30 UTC on 30 June), and a moment
shown as a date is the London date it fell on. The auditor's pages say their times are UTC and
show them as ``2025-06-30 23:30:00``, the form the log's exports and checkpoints use.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def local_today() -> date:
    return datetime.now(LONDON).date()


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
