"""The 21-day clock: from the release date to the first structured treatment intervention.

Dates are local dates (Europe/London). Day 0 is the release date; day 21 is the last day on which
a treatment start still meets the target; day 22 is a breach.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from caseflow.dates import display

WINDOW_DAYS = 21
FLAG_DAYS = (7, 14, 21)


@dataclass(frozen=True)
class Mark:
    """A part of the clock as a list shows it: words, or a tag when ``tag`` says how urgent
    ("warning" for day 7 and 14, "urgent" for day 21 and a breach)."""

    text: str
    tag: str | None = None


@dataclass(frozen=True)
class Clock:
    release_date: date | None
    today: date
    treatment_start: date | None = None
    # Shown before release only; the clock itself never runs on an expected date.
    expected_release: date | None = None

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
    def met(self) -> bool:
        return (
            self.treatment_start is not None
            and self.release_date is not None
            and self.release_date <= self.treatment_start <= self.due_date
        )

    @property
    def running(self) -> bool:
        """Released, no treatment start yet, and the window still open (up to day 21)."""
        return self.released and self.treatment_start is None and self.today <= self.due_date

    @property
    def breached(self) -> bool:
        if not self.released or self.met:
            return False
        return self.today > self.due_date or (
            self.treatment_start is not None and self.treatment_start > self.due_date
        )

    @property
    def flag(self) -> str | None:
        """The highest of day 7, 14 and 21 reached without a treatment start, or breached."""
        if self.breached:
            return "breached"
        if not self.running:
            return None
        reached = [day for day in FLAG_DAYS if self.days_since_release >= day]
        return f"day {reached[-1]}" if reached else None

    def at_a_glance(self) -> tuple[Mark, ...]:
        """The clock in a worklist's few words: days left with the flag reached, a breach with
        its day, a started treatment, or the countdown to an expected release."""
        if not self.released:
            expected = self.expected_release
            if expected is not None and expected >= self.today:
                return (Mark(f"Releases in {(expected - self.today).days} days"),)
            return (Mark("Not released yet"),)
        if self.met:
            return (Mark("Treatment started"),)
        if self.breached:
            return (Mark("Breached", tag="urgent"), Mark(f"day {self.days_since_release}"))
        left = Mark(f"{self.days_left} {'day' if self.days_left == 1 else 'days'} left")
        if self.flag is None:
            return (left,)
        return (
            left,
            Mark(self.flag.capitalize(), tag="urgent" if self.flag == "day 21" else "warning"),
        )

    def summary(self) -> str:
        if self.release_date is None:
            if self.expected_release is None:
                return "Not released yet; the release date is not known"
            days = (self.expected_release - self.today).days
            when = display(self.expected_release)
            if days >= 0:
                return f"Not released yet: expected on {when}, in {days} days"
            return f"Not released yet: release was expected on {when}"
        if not self.released:
            return f"Releases in {(self.release_date - self.today).days} days"
        if self.met:
            return "Treatment started within 21 days"
        if self.breached:
            return f"Day {self.days_since_release}: 21 days passed without treatment starting"
        return f"Day {self.days_since_release} since release, {self.days_left} days left"
