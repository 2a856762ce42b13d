"""The 21-day clock: from the release date to the first structured treatment intervention.

Dates are local dates (Europe/London). Day 0 is the release date; day 21 is the last day on which
a treatment start still meets the target; day 22 is a breach, and so is a start on day 22 or later
(a late start).

The rule, in the order it is decided (``Clock.summary``):

1. A community referral (no custody episode) has no release clock.
2. A release type that leaves community care in England (``RELEASES_WITHOUT_COMMUNITY_CLOCK``:
   another secure setting, deported, outside England) has no community clock.
3. A recorded treatment start says on which day it came: on time (day 0-21) or late (day 22+).
4. A referral that ended without a treatment start (withdrawn, rejected, closed) has no clock.
5. Not released yet: the countdown to the release (or expected release) date, if known.
6. Released, day 0-21, no start: the clock is running, with the days left and the day 7, 14 or
   21 flag reached.
7. Day 22 or later without a start: 21 days passed without treatment starting.

The same rule is written twice, side by side: in Python for one record (``Clock``), and in SQL
for the lists (``clock_state_sql`` and the predicates under it), so a list filters on exactly
what its rows say. ``tests/referrals/test_clock_sql.py`` holds the two to each other.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Self

from sqlalchemy import and_, case, literal, not_, or_, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.functions import GenericFunction
from sqlalchemy.types import Date

from caseflow.codes import CodeList
from caseflow.dates import display
from caseflow.people.codes import RELEASES_WITHOUT_COMMUNITY_CLOCK, ReleaseType
from caseflow.referrals.codes import Status

WINDOW_DAYS = 21
FLAG_DAYS = (7, 14, 21)

# A referral in one of these statuses has ended: no clock runs on it any more.
ENDED_STATUSES = (Status.WITHDRAWN, Status.REJECTED, Status.CLOSED)


class ClockState(CodeList, key="clock_state"):
    """Where a clock is: the one answer both forms of the rule give."""

    NOT_RELEASED = "not_released", "Not released yet"
    RUNNING = "running", "Clock running"
    STARTED_ON_TIME = "started_on_time", "Treatment started within 21 days"
    STARTED_LATE = "started_late", "Treatment started after 21 days"
    NOT_STARTED = "not_started", "21 days passed without treatment starting"
    ENDED = "ended", "No clock: the referral has ended"
    NOT_ON_CLOCK = "not_on_clock", "No community clock for this release type"
    COMMUNITY = "community", "No release clock: community referral"


class ClockFlag(CodeList, key="clock_flag"):
    """A tag a clock shows, with its colour (``| tag_class("clock_flag")``)."""

    tag_class: str

    def __new__(cls, value: str, label: str, tag_class: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.tag_class = tag_class
        return member

    DAY_7 = "day_7", "Day 7", "govuk-tag--orange"
    DAY_14 = "day_14", "Day 14", "govuk-tag--orange"
    DAY_21 = "day_21", "Day 21", "govuk-tag--red"
    BREACHED = "breached", "Breached", "govuk-tag--red"
    STARTED_LATE = "started_late", "Started late", "govuk-tag--red"
    STARTED_ON_TIME = "started_on_time", "Started on time", "govuk-tag--green"


def days(count: int) -> str:
    return f"{count} {'day' if count == 1 else 'days'}"


@dataclass(frozen=True)
class Mark:
    """A part of the clock as a list shows it: words, or a tag when ``tag`` is a ``ClockFlag``."""

    text: str
    tag: ClockFlag | None = None


@dataclass(frozen=True)
class ClockSummary:
    """What every page says about a clock: its state, one sentence for the referral and person
    pages, the tag beside the status (if any), and the few words of a worklist's clock column."""

    state: ClockState
    sentence: str
    tag: ClockFlag | None = None
    marks: tuple[Mark, ...] = field(default=())


@dataclass(frozen=True)
class Clock:
    release_date: date | None
    today: date
    treatment_start: date | None = None
    # Shown before release only; the clock itself never runs on an expected date.
    expected_release: date | None = None
    release_type: str | None = None
    # The referral's status, when this is a referral's clock: an ended referral has none.
    status: str | None = None
    # A community referral: no custody episode, so no release to count from.
    community: bool = False

    @property
    def on_clock(self) -> bool:
        """Whether a 21-day clock is kept at all (rules 1 and 2)."""
        return not self.community and self.release_type not in RELEASES_WITHOUT_COMMUNITY_CLOCK

    @property
    def ended(self) -> bool:
        return self.status in ENDED_STATUSES and self.treatment_start is None

    @property
    def released(self) -> bool:
        return self.release_date is not None and self.release_date <= self.today

    @property
    def due_date(self) -> date | None:
        return self.release_date + timedelta(days=WINDOW_DAYS) if self.release_date else None

    @property
    def days_since_release(self) -> int | None:
        return (self.today - self.release_date).days if self.released else None

    @property
    def days_left(self) -> int | None:
        return (self.due_date - self.today).days if self.released else None

    @property
    def start_day(self) -> int | None:
        """The day after release treatment started on (0 is the release date)."""
        if self.treatment_start is None or self.release_date is None:
            return None
        return (self.treatment_start - self.release_date).days

    @property
    def state(self) -> ClockState:
        if self.community:
            return ClockState.COMMUNITY
        if not self.on_clock:
            return ClockState.NOT_ON_CLOCK
        if self.start_day is not None:
            return (
                ClockState.STARTED_ON_TIME
                if self.start_day <= WINDOW_DAYS
                else ClockState.STARTED_LATE
            )
        if self.ended:
            return ClockState.ENDED
        if not self.released:
            return ClockState.NOT_RELEASED
        if self.today <= self.due_date:
            return ClockState.RUNNING
        return ClockState.NOT_STARTED

    @property
    def met(self) -> bool:
        return self.state == ClockState.STARTED_ON_TIME

    @property
    def running(self) -> bool:
        """Released, no treatment start yet, and the window still open (up to day 21)."""
        return self.state == ClockState.RUNNING

    @property
    def breached(self) -> bool:
        """Not started by day 21: no start by day 22, or a start on day 22 or later."""
        return self.state in (ClockState.NOT_STARTED, ClockState.STARTED_LATE)

    @property
    def flag(self) -> ClockFlag | None:
        """The highest of day 7, 14 and 21 reached without a treatment start, or how a started
        or breached clock ended."""
        state = self.state
        if state == ClockState.RUNNING:
            reached = [day for day in FLAG_DAYS if self.days_since_release >= day]
            return ClockFlag(f"day_{reached[-1]}") if reached else None
        return {
            ClockState.NOT_STARTED: ClockFlag.BREACHED,
            ClockState.STARTED_LATE: ClockFlag.STARTED_LATE,
            ClockState.STARTED_ON_TIME: ClockFlag.STARTED_ON_TIME,
        }.get(state)

    def at_a_glance(self) -> tuple[Mark, ...]:
        return self.summary().marks

    def summary(self) -> ClockSummary:
        state = self.state
        sentence, marks = _WORDS[state](self)
        return ClockSummary(state=state, sentence=sentence, tag=self.flag, marks=marks)


# What each state says: (sentence, marks). ---------------------------------------------------


def _community(_clock: Clock):
    return "No release clock: this is a community referral.", (Mark("No release clock"),)


def _not_on_clock(clock: Clock):
    release_type = ReleaseType.label_of(clock.release_type)
    return (
        f"No community clock: {release_type[0].lower()}{release_type[1:]}.",
        (Mark("No community clock"),),
    )


def _started(clock: Clock):
    day, on = clock.start_day, display(clock.treatment_start)
    if clock.state == ClockState.STARTED_ON_TIME:
        return (
            f"Treatment started on day {day} after release ({on}), within the 21 days.",
            (Mark(f"Started on day {day}"),),
        )
    return (
        f"Treatment started on day {day} after release ({on}), "
        f"{days(day - WINDOW_DAYS)} after the 21 days ended.",
        (Mark("Started late", ClockFlag.STARTED_LATE), Mark(f"day {day}")),
    )


def _ended(clock: Clock):
    if clock.status == Status.CLOSED:
        how = "closed without a treatment start"
    else:
        how = Status.label_of(clock.status).lower()
    return f"No clock: this referral was {how}.", (Mark("No clock"),)


def _not_released(clock: Clock):
    if clock.release_date is not None:
        left = (clock.release_date - clock.today).days
        return (
            f"Not released yet: releases on {display(clock.release_date)}, in {days(left)}.",
            (Mark(f"Releases in {days(left)}"),),
        )
    expected = clock.expected_release
    if expected is None:
        return "Not released yet; the release date is not known.", (Mark("Not released yet"),)
    left = (expected - clock.today).days
    if left == 0:
        return (
            f"Not released yet: expected today, {display(expected)}.",
            (Mark("Releases today"),),
        )
    if left > 0:
        return (
            f"Not released yet: expected on {display(expected)}, in {days(left)}.",
            (Mark(f"Releases in {days(left)}"),),
        )
    return (
        f"Not released yet: release was expected on {display(expected)}.",
        (Mark("Not released yet"),),
    )


def _running(clock: Clock):
    day, left = clock.days_since_release, clock.days_left
    flag = clock.flag
    marks = (Mark(f"{days(left)} left"),) + ((Mark(flag.label, flag),) if flag else ())
    if left == 0:
        return (
            f"Day {day} since release: today ({display(clock.due_date)}) is the last day "
            "for treatment to start within 21 days.",
            marks,
        )
    return (
        f"Day {day} since release, {days(left)} left. "
        f"Treatment must start by {display(clock.due_date)}.",
        marks,
    )


def _not_started(clock: Clock):
    day = clock.days_since_release
    return (
        f"Day {day}: 21 days passed without treatment starting "
        f"(the last day was {display(clock.due_date)}).",
        (Mark(ClockFlag.BREACHED.label, ClockFlag.BREACHED), Mark(f"day {day}")),
    )


_WORDS = {
    ClockState.COMMUNITY: _community,
    ClockState.NOT_ON_CLOCK: _not_on_clock,
    ClockState.STARTED_ON_TIME: _started,
    ClockState.STARTED_LATE: _started,
    ClockState.ENDED: _ended,
    ClockState.NOT_RELEASED: _not_released,
    ClockState.RUNNING: _running,
    ClockState.NOT_STARTED: _not_started,
}


# The same rule in SQL, for the lists. --------------------------------------------------------


class days_after(GenericFunction):  # named as SQL names it
    """``date + n days`` in the database's own words: a date column plus a whole number."""

    type = Date()
    inherit_cache = True


@compiles(days_after)
def _days_after_postgresql(element, compiler, **kw):
    column, count = list(element.clauses)
    return f"({compiler.process(column, **kw)} + {compiler.process(count, **kw)})"


@compiles(days_after, "sqlite")
def _days_after_sqlite(element, compiler, **kw):
    column, count = list(element.clauses)
    return (
        f"date({compiler.process(column, **kw)}, '+' || {compiler.process(count, **kw)} || ' days')"
    )


def on_clock_sql(release_type) -> ColumnElement[bool]:
    """Rule 2 in SQL: the release type keeps a community clock (none recorded yet keeps one)."""
    return or_(release_type.is_(None), release_type.not_in(RELEASES_WITHOUT_COMMUNITY_CLOCK))


def clock_state_sql(
    release_date, treatment_start, today: date, *, release_type=None, status=None, community=None
) -> ColumnElement[str]:
    """The ``ClockState`` code of each row, in the order ``Clock.state`` decides it.

    The arguments are columns (or SQL expressions): the episode's actual release date and release
    type, the first treatment start, the referral's status and whether it is a community
    referral. One left out is taken as the Python form's default.
    """
    whens = []
    if community is not None:
        whens.append((community, ClockState.COMMUNITY.value))
    if release_type is not None:
        whens.append((not_(on_clock_sql(release_type)), ClockState.NOT_ON_CLOCK.value))
    whens += [
        (
            and_(
                treatment_start.is_not(None),
                release_date.is_not(None),
                treatment_start <= days_after(release_date, literal(WINDOW_DAYS)),
            ),
            ClockState.STARTED_ON_TIME.value,
        ),
        (
            and_(treatment_start.is_not(None), release_date.is_not(None)),
            ClockState.STARTED_LATE.value,
        ),
    ]
    if status is not None:
        whens.append(
            (
                and_(treatment_start.is_(None), status.in_(ENDED_STATUSES)),
                ClockState.ENDED.value,
            )
        )
    whens += [
        (or_(release_date.is_(None), release_date > today), ClockState.NOT_RELEASED.value),
        (release_date >= today - timedelta(days=WINDOW_DAYS), ClockState.RUNNING.value),
    ]
    return case(*whens, else_=ClockState.NOT_STARTED.value)


def running_sql(release_date, treatment_start, today: date, *, release_type=None):
    """Released day 0-21 ago, on the clock, with no treatment start."""
    return and_(
        on_clock_sql(release_type) if release_type is not None else true(),
        treatment_start.is_(None),
        release_date.is_not(None),
        release_date <= today,
        release_date >= today - timedelta(days=WINDOW_DAYS),
    )


def breached_sql(release_date, treatment_start, today: date, *, release_type=None):
    """Not started by day 21: day 22 or later with no start, or a start on day 22 or later."""
    return and_(
        on_clock_sql(release_type) if release_type is not None else true(),
        release_date.is_not(None),
        or_(
            and_(treatment_start.is_(None), release_date < today - timedelta(days=WINDOW_DAYS)),
            treatment_start > days_after(release_date, literal(WINDOW_DAYS)),
        ),
    )
