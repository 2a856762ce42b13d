"""The forecast for a provisional period: where its rate can still go.

- **Best**: every pending case starts treatment today, so all of them are met:
  (met + pending) / cohort.
- **Worst**: none of them does: met / cohort. This is the rate shown now, since pending cases
  are in the denominator (DOMAIN.md, Rate).
- **Likely**: each pending case counts as the share of earlier cases, still waiting on the same
  day since release, that went on to start within the window. "Earlier" is the releases of the
  last 12 complete months (``HISTORY_MONTHS``) in the same scope whose window has closed (met or
  not met), measured with the same settings. A case still waiting on day d had no treatment
  start from release day to day d. Where no earlier case was waiting on some pending case's
  day, there is nothing to go on and no likely rate is given.

Computed in SQL on the cohort entries of ``continuity.entries``, the same query as every other
figure: the pending cases grouped by their day, each group joined to the earlier cases still
waiting on that day.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, Integer, case, func, literal, or_, select

from caseflow.continuity import entries as cohort
from caseflow.continuity import statements
from caseflow.continuity.periods import Period, month, months_ending
from caseflow.continuity.rules import Outcome
from caseflow.continuity.services import Measure
from caseflow.dates import local_today

HISTORY_MONTHS = 12


@dataclass(frozen=True)
class Forecast:
    best: float
    worst: float
    likely: float | None
    history_start: date
    history_end: date


def history_months(today: date) -> tuple[Period, Period]:
    """The first and last of the 12 complete months before today's month."""
    this_month = month(today.year, today.month)
    previous = months_ending(this_month, HISTORY_MONTHS + 1)[:-1]
    return previous[0], previous[-1]


def forecast(scope: cohort.Scope, measure: Measure, today: date | None = None) -> Forecast | None:
    """The forecast of a measure's period; none when nothing is pending."""
    today = today or local_today()
    figures = measure.figures
    if not figures.pending:
        return None
    settings = measure.settings
    period = measure.period
    first, last = history_months(today)

    def build():
        current = cohort.entries(scope, period.start, period.end, settings, today)
        waiting_day = cohort.days_between(literal(today, Date), current.c.release_date)
        pending = (
            select(waiting_day.label("day"), func.count().label("cases"))
            .where(current.c.outcome == Outcome.PENDING)
            .group_by(waiting_day)
            .subquery("pending")
        )
        # Materialised: joined to each pending day, the earlier cases are computed once, not
        # once per day.
        history = (
            cohort.entries(scope, first.start, last.end, settings, today)
            .element.cte("history")
            .prefix_with("MATERIALIZED", dialect="postgresql")
        )
        started_on_day = cohort.days_between(history.c.treatment_start_date, history.c.release_date)
        still_waiting = history.c.outcome.in_([Outcome.MET, Outcome.NOT_MET]) & or_(
            history.c.treatment_start_date.is_(None), started_on_day > pending.c.day
        )
        met = func.sum(case((history.c.outcome == Outcome.MET, 1), else_=0))
        return (
            select(
                pending.c.cases,
                func.count(history.c.episode_id),
                func.coalesce(met, 0, type_=Integer),
            )
            .select_from(pending.outerjoin(history, still_waiting))
            .group_by(pending.c.day, pending.c.cases)
        )

    # Everything the statement is built from (continuity.statements keeps it by that).
    scope_key = statements.condition_key(scope.condition)
    key = None
    if scope_key is not None:
        key = ("forecast", scope_key, period.start, period.end, settings.digest, today)
    rows = cohort.session().execute(statements.built(key, build)).all()
    cohort_size = figures.cohort
    expected = float(figures.met)
    likely_known = True
    for cases, waited, went_on_to_meet in rows:
        if not waited:
            likely_known = False
            break
        expected += cases * went_on_to_meet / waited
    return Forecast(
        best=(figures.met + figures.pending) / cohort_size,
        worst=figures.met / cohort_size,
        likely=expected / cohort_size if likely_known else None,
        history_start=first.start,
        history_end=last.end,
    )
