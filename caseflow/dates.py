"""Dates in Caseflow are local dates in Europe/London; release and treatment start have no time."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def local_today() -> date:
    return datetime.now(LONDON).date()


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def display(value: date | None) -> str:
    return value.strftime("%-d %B %Y") if value else ""
