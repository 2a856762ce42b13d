"""The periods the measure is reported for, by release date (DOMAIN.md, "Period").

- a month, ``2026-03``;
- a calendar quarter, ``2026-Q1`` (January to March 2026), which is also Q4 of the financial
  year 2025-26;
- a financial year, ``2025-26``: 1 April 2025 to 31 March 2026.

The default is the latest complete quarter: the last calendar quarter that ended before today.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from caseflow.dates import display, local_today
from caseflow.domain import NotFound

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
FINANCIAL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


WRITE_A_PERIOD = "Write a period like 2026-03 (a month), 2026-Q1 (a quarter) or 2025-26 (a year)"


class NotAPeriod(ValueError):
    """The text names no period Caseflow reports on."""


@dataclass(frozen=True)
class Period:
    kind: str  # month, quarter or financial_year
    code: str  # 2026-03, 2026-Q1, 2025-26
    start: date
    end: date  # the last day, inclusive

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start:%B %Y}"
        if self.kind == "quarter":
            return f"{self.start:%B} to {self.end:%B %Y} ({financial_quarter(self)})"
        return f"{self.code} ({display(self.start)} to {display(self.end)})"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def is_complete(self, today: date | None = None) -> bool:
        return self.end < (today or local_today())


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def month(year: int, number: int) -> Period:
    return Period("month", f"{year}-{number:02d}", date(year, number, 1), _month_end(year, number))


def quarter(year: int, number: int) -> Period:
    first = 3 * (number - 1) + 1
    return Period("quarter", f"{year}-Q{number}", date(year, first, 1), _month_end(year, first + 2))


def financial_year(first_year: int) -> Period:
    code = f"{first_year}-{(first_year + 1) % 100:02d}"
    return Period("financial_year", code, date(first_year, 4, 1), date(first_year + 1, 3, 31))


def financial_quarter(period: Period) -> str:
    """A calendar quarter as the financial year names it: 2026-Q1 is Q4 2025-26."""
    year, number = period.start.year, (period.start.month - 1) // 3 + 1
    first_year = year if number > 1 else year - 1
    return f"Q{(number + 2) % 4 + 1} {financial_year(first_year).code}"


# Releases recorded in Caseflow fall well inside these years; a code outside them names no
# period the measure could hold (and year 0 or 10000 is no date at all).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def parse(text: str) -> Period:
    """The period a code names; NotAPeriod for anything else."""
    text = (text or "").strip().upper()
    year = re.match(r"^(\d{4})", text)
    if year and not FIRST_YEAR <= int(year[1]) <= LAST_YEAR:
        raise NotAPeriod(WRITE_A_PERIOD)
    if found := MONTH.match(text):
        return month(int(found[1]), int(found[2]))
    if found := QUARTER.match(text):
        return quarter(int(found[1]), int(found[2]))
    if found := FINANCIAL_YEAR.match(text):
        first_year = int(found[1])
        if (first_year + 1) % 100 != int(found[2]):
            raise NotAPeriod(WRITE_A_PERIOD)
        return financial_year(first_year)
    raise NotAPeriod(WRITE_A_PERIOD)


def latest_complete_quarter(today: date | None = None) -> Period:
    today = today or local_today()
    current = (today.month - 1) // 3 + 1
    if current == 1:
        return quarter(today.year - 1, 4)
    return quarter(today.year, current - 1)


def months_ending(last: Period, count: int) -> list[Period]:
    """``count`` months, oldest first, ending with the month that holds last's final day."""
    year, number = last.end.year, last.end.month
    found = []
    for _ in range(count):
        found.append(month(year, number))
        year, number = (year, number - 1) if number > 1 else (year - 1, 12)
    return list(reversed(found))


def period_choices(today: date | None = None) -> list[tuple[str, str]]:
    """The periods a page offers: this financial year and the two before, the last six
    quarters and the last twelve months, latest first."""
    today = today or local_today()
    first_year = today.year if today.month >= 4 else today.year - 1
    years = [financial_year(first_year - back) for back in range(3)]
    current = quarter(today.year, (today.month - 1) // 3 + 1)
    quarters = [current]
    while len(quarters) < 6:
        quarters.append(latest_complete_quarter(quarters[-1].start))
    months = list(reversed(months_ending(month(today.year, today.month), 12)))
    return [(period.code, period.label) for period in (*years, *quarters, *months)]


def chosen_period(code: str | None, today: date | None = None) -> Period:
    """The period an address names; the latest complete quarter when it names none. A period
    that is not one is NotFound: the pages only link to real ones."""
    if not code:
        return latest_complete_quarter(today)
    try:
        return parse(code)
    except NotAPeriod as error:
        raise NotFound("No such period") from error
