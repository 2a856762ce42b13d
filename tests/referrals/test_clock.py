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


def glance(clock: Clock) -> list[tuple[str, str | None]]:
    """The clock as a list shows it: words, and each tag with how urgent it is."""
    return [(part.text, part.tag) for part in clock.at_a_glance()]


@pytest.mark.parametrize(
    ("day", "shown"),
    [
        # Day 0 is the release date: 21 days left, nothing flagged yet.
        (0, [("21 days left", None)]),
        (6, [("15 days left", None)]),
        (7, [("14 days left", None), ("Day 7", "warning")]),
        (14, [("7 days left", None), ("Day 14", "warning")]),
        (20, [("1 day left", None), ("Day 14", "warning")]),
        # Day 21 is the last day a start still meets the target; day 22 is a breach.
        (21, [("0 days left", None), ("Day 21", "urgent")]),
        (22, [("Breached", "urgent"), ("day 22", None)]),
        (40, [("Breached", "urgent"), ("day 40", None)]),
    ],
)
def test_a_list_shows_days_left_and_the_flag_reached_or_the_breach(day, shown):
    assert glance(on_day(day)) == shown


def test_a_list_shows_a_started_treatment_without_counting():
    assert glance(on_day(30, RELEASE + timedelta(days=5))) == [("Treatment started", None)]


def test_before_release_a_list_counts_down_to_the_expected_date():
    today = RELEASE - timedelta(days=9)
    expected = Clock(release_date=None, today=today, expected_release=RELEASE)
    assert glance(expected) == [("Releases in 9 days", None)]
    on_the_day = Clock(release_date=None, today=RELEASE, expected_release=RELEASE)
    assert glance(on_the_day) == [("Releases in 0 days", None)]
    # Expected in the past, or not known: no countdown to offer.
    overdue = Clock(release_date=None, today=RELEASE + timedelta(days=1), expected_release=RELEASE)
    assert glance(overdue) == [("Not released yet", None)]
    assert glance(Clock(release_date=None, today=today)) == [("Not released yet", None)]
