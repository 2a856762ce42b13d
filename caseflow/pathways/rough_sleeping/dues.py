"""When the accommodation outcomes are due: 3 weeks and 3 months after the release date.

The release date is a Europe/London date (the custody episode's), and so are these: the 3-week
outcome is due on day 21 (the day the 21-day treatment clock's window closes), the 3-month one
on the same day of the month three months on, or that month's last day when it is shorter
(31 May -> 31 August, 30 November -> 28 February). Each is due on the worklist from that day.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

THREE_WEEKS = timedelta(weeks=3)
THREE_MONTHS = 3


def months_after(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Dues:
    three_weeks: date | None
    three_months: date | None


def due_dates(release_date: date | None) -> Dues:
    if release_date is None:
        return Dues(None, None)
    return Dues(release_date + THREE_WEEKS, months_after(release_date, THREE_MONTHS))
