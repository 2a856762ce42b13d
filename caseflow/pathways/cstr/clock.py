"""The CSTR's treatment clock: in treatment within 3 weeks of sentence (DOMAIN.md, Referral:
"under a CSTR its clock runs from the sentence date").

The rule is the release clock's, not a copy of it: the same ``Clock`` (day 0 is the sentence
date, day 21 the last day on time, its flags at days 7, 14 and 21) decides the state, and the
SQL counts use the same ``days_after`` and ``WINDOW_DAYS``. Only the words differ, since there is
no release: a sentence is counted from.
"""

from datetime import date

from caseflow.dates import display, local_today
from caseflow.pathways.cstr.codes import OUTCOMES, Status
from caseflow.referrals.clock import (
    WINDOW_DAYS,
    Clock,
    ClockState,
    ClockSummary,
    Mark,
    days,
)


def clock_for(order, today: date | None = None) -> Clock:
    """The 21-day clock of an order, counted from its sentence date (none before sentence)."""
    return Clock(
        release_date=order.sentence_date,
        today=today or local_today(),
        treatment_start=order.treatment_start_date,
    )


def summary(order, today: date | None = None) -> ClockSummary:
    """What the CSTR, person and worklist pages say of the order's clock."""
    clock = clock_for(order, today)
    state = clock.state
    if order.sentence_date is None:
        text = "No clock yet: it runs from the sentence date."
        return ClockSummary(ClockState.NOT_RELEASED, text, None, (Mark("Not sentenced"),))
    if state in (ClockState.STARTED_ON_TIME, ClockState.STARTED_LATE):
        day, on = clock.start_day, display(clock.treatment_start)
        late = state == ClockState.STARTED_LATE
        text = f"Treatment started on day {day} after sentence ({on}), " + (
            f"{days(day - WINDOW_DAYS)} after the 21 days ended." if late else "within the 21 days."
        )
        return ClockSummary(state, text, clock.flag, (Mark(f"Started on day {day}", clock.flag),))
    if order.status in OUTCOMES or order.status == Status.NOT_MADE:
        return ClockSummary(ClockState.ENDED, "No clock: the order has ended.", None, ())
    if state == ClockState.RUNNING:
        left = clock.days_left
        text = (
            f"Day {clock.days_since_release} since sentence, {days(left)} left. "
            f"Treatment must start by {display(clock.due_date)}."
        )
        return ClockSummary(state, text, clock.flag, (Mark(f"{days(left)} left", clock.flag),))
    if state == ClockState.NOT_STARTED:
        text = (
            f"Day {clock.days_since_release} since sentence: 21 days passed without treatment "
            f"starting (the last day was {display(clock.due_date)})."
        )
        return ClockSummary(state, text, clock.flag, (Mark("Breached", clock.flag),))
    text = f"Sentence on {display(order.sentence_date)}: the clock has not started."
    return ClockSummary(state, text, None, ())
