from datetime import date, timedelta

import pytest

from caseflow.referrals.clock import Clock

RELEASE = date(2026, 3, 2)


def on_day(day: int, start: date | None = None) -> Clock:
    return Clock(release_date=RELEASE, today=RELEASE + timedelta(days=day), treatment_start=start)


def test_due_date_is_release_plus_21_days():
    assert on_day(0).due_date == date(2026, 3, 23)


def test_day_21_is_the_last_day_in_the_window():
    clock = on_day(21)
    assert clock.running and not clock.breached
    assert (clock.days_since_release, clock.days_left) == (21, 0)
    assert clock.flag == "day 21"


def test_day_22_is_a_breach():
    clock = on_day(22)
    assert not clock.running and clock.breached
    assert (clock.days_since_release, clock.days_left) == (22, -1)
    assert clock.flag == "breached"


def test_a_treatment_start_on_day_21_meets_the_target_and_day_22_does_not():
    assert on_day(30, RELEASE + timedelta(days=21)).met
    late = on_day(30, RELEASE + timedelta(days=22))
    assert not late.met and late.breached


def test_a_start_on_the_release_day_counts():
    assert on_day(0, RELEASE).met


@pytest.mark.parametrize(
    ("day", "flag"),
    [(0, None), (6, None), (7, "day 7"), (13, "day 7"), (14, "day 14"), (21, "day 21")],
)
def test_flags_at_day_7_14_and_21(day, flag):
    assert on_day(day).flag == flag


def test_before_release_the_clock_has_not_started():
    clock = Clock(release_date=RELEASE, today=RELEASE - timedelta(days=4))
    assert not clock.released and not clock.running and clock.days_left is None
    assert clock.summary() == "Releases in 4 days"


def test_an_engaged_case_is_not_flagged():
    assert on_day(10, RELEASE + timedelta(days=2)).flag is None
