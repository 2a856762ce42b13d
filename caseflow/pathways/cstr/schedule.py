"""When a DRR's court reviews may be held: the rules of Sentencing Act 2020, Sch. 9 para 21, in
one place (DOMAIN.md, Pathways).

- Only a drug rehabilitation requirement is reviewed by the court; ATR and MHTR have none.
- Reviews are at intervals of not less than one month: a review is refused less than a calendar
  month from any other review of the same order (before or after it, as reviews can be
  scheduled out of order).
- Reviews are required when the treatment and testing period is over 12 months, optional
  otherwise (the court may still order them).
- A review is held while the order runs: not before its start, not after its end.
- Each review needs a probation review report beforehand: the report is due before the review.
"""

import calendar
from collections.abc import Iterable
from datetime import date

from sqlalchemy import and_, extract

from caseflow.dates import display
from caseflow.domain import InvalidChange, InvalidTransition

REVIEWS_REQUIRED_OVER_MONTHS = 12
REVIEWS_REQUIRED_OVER_YEARS = REVIEWS_REQUIRED_OVER_MONTHS // 12


def months_after(day: date, months: int) -> date:
    """The same day ``months`` calendar months later, or that month's last day when it is
    shorter (31 January + 1 month is 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_is_over_twelve_months(start: date, end: date) -> bool:
    """Whether the treatment and testing period (start to end) is over 12 months."""
    return end > months_after(start, REVIEWS_REQUIRED_OVER_MONTHS)


def reviews_apply(drr: bool) -> bool:
    return drr


def reviews_required(drr: bool, start: date | None, end: date | None) -> bool:
    """Court reviews are required: a DRR whose period is over 12 months."""
    if not drr or start is None or end is None:
        return False
    return period_is_over_twelve_months(start, end)


def reviews_required_sql(drr, start, end):
    """``reviews_required`` as a SQL condition on an order's columns, for the lists.

    Twelve months after a day is the same day and month a year on (a 29 February start meets
    28 February, as ``months_after`` has it), so "over 12 months" is the end's (year, month,
    day) coming after the start's with the year moved on: no date arithmetic, which each
    database does its own way.
    """

    def day_number(column, years: int = 0):
        return (
            (extract("year", column) + years) * 10000
            + extract("month", column) * 100
            + extract("day", column)
        )

    return and_(
        drr.is_(True),
        start.is_not(None),
        end.is_not(None),
        day_number(end) > day_number(start, REVIEWS_REQUIRED_OVER_YEARS),
    )


def check_review(
    *,
    drr: bool,
    start: date | None,
    end: date | None,
    review_date: date,
    report_due: date,
    other_reviews: Iterable[date],
) -> None:
    """Refuse a review the rules do not allow, with the message beside its field."""
    if not reviews_apply(drr):
        raise InvalidTransition(
            "Only a drug rehabilitation requirement has court reviews: an ATR or MHTR has none."
        )
    if start is None or end is None:
        raise InvalidTransition("Record the order before scheduling a court review.")
    if review_date < start:
        raise InvalidChange(
            f"The review must be on or after the requirement starts, {display(start)}",
            "review_date",
        )
    if review_date > end:
        raise InvalidChange(
            f"The review must be on or before the order ends, {display(end)}", "review_date"
        )
    for other in sorted(other_reviews):
        if review_date < months_after(other, 1) and other < months_after(review_date, 1):
            raise InvalidChange(
                f"Reviews must be at least a month apart: there is a review on {display(other)}, "
                f"so this one must be on or after {display(months_after(other, 1))}"
                + (
                    f" or on or before {display(_month_before(other))}"
                    if _month_before(other) >= start
                    else ""
                ),
                "review_date",
            )
    if report_due >= review_date:
        raise InvalidChange("The review report must be due before the review", "report_due")


def _month_before(day: date) -> date:
    return months_after(day, -1)
