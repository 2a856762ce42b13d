"""The 21-day clock and what every page says of it (DOMAIN.md: day 0 is the release date, a start
up to and including day 21 meets the target, "not started by day 21" is a breach; release types
that leave community care and community referrals have no release clock)."""

from datetime import date, timedelta

import pytest

from caseflow.people.codes import ReleaseType
from caseflow.referrals.clock import Clock, ClockFlag, ClockState
from caseflow.referrals.codes import Status

RELEASE = date(2026, 3, 2)  # day 21 is 23 March 2026


def on_day(day: int, start: date | None = None, **kwargs) -> Clock:
    return Clock(
        release_date=RELEASE, today=RELEASE + timedelta(days=day), treatment_start=start, **kwargs
    )


def start_on(day: int) -> date:
    return RELEASE + timedelta(days=day)


def test_due_date_is_release_plus_21_days():
    assert on_day(0).due_date == date(2026, 3, 23)


def test_day_21_is_the_last_day_in_the_window():
    clock = on_day(21)
    assert clock.running and not clock.breached
    assert (clock.days_since_release, clock.days_left) == (21, 0)
    assert clock.flag == ClockFlag.DAY_21


def test_day_22_is_a_breach():
    clock = on_day(22)
    assert not clock.running and clock.breached
    assert (clock.days_since_release, clock.days_left) == (22, -1)
    assert clock.flag == ClockFlag.BREACHED


def test_a_treatment_start_on_day_21_meets_the_target_and_day_22_does_not():
    assert on_day(30, start_on(21)).met
    late = on_day(30, start_on(22))
    assert not late.met and late.breached


def test_a_start_on_the_release_day_counts():
    assert on_day(0, RELEASE).met


@pytest.mark.parametrize(
    ("day", "flag"),
    [
        (0, None),
        (6, None),
        (7, ClockFlag.DAY_7),
        (13, ClockFlag.DAY_7),
        (14, ClockFlag.DAY_14),
        (21, ClockFlag.DAY_21),
    ],
)
def test_flags_at_day_7_14_and_21(day, flag):
    assert on_day(day).flag == flag


# One summary, true in every status: (clock, state, sentence, tag, worklist words). -------------

LIVE = (Status.DRAFT, Status.SENT, Status.ACCEPTED, Status.ENGAGED)


def expected_release_clock(days_to_go: int | None, **kwargs) -> Clock:
    today = RELEASE - timedelta(days=days_to_go or 0)
    return Clock(
        release_date=None,
        today=today,
        expected_release=RELEASE if days_to_go is not None else None,
        **kwargs,
    )


SUMMARIES = [
    # Before release.
    (
        expected_release_clock(9),
        ClockState.NOT_RELEASED,
        "Not released yet: expected on 2 March 2026, in 9 days.",
        None,
        [("Releases in 9 days", None)],
    ),
    (
        expected_release_clock(1),
        ClockState.NOT_RELEASED,
        "Not released yet: expected on 2 March 2026, in 1 day.",
        None,
        [("Releases in 1 day", None)],
    ),
    (
        expected_release_clock(0),
        ClockState.NOT_RELEASED,
        "Not released yet: expected today, 2 March 2026.",
        None,
        [("Releases today", None)],
    ),
    (
        Clock(release_date=None, today=RELEASE + timedelta(days=1), expected_release=RELEASE),
        ClockState.NOT_RELEASED,
        "Not released yet: release was expected on 2 March 2026.",
        None,
        [("Not released yet", None)],
    ),
    (
        expected_release_clock(None),
        ClockState.NOT_RELEASED,
        "Not released yet; the release date is not known.",
        None,
        [("Not released yet", None)],
    ),
    (
        Clock(release_date=RELEASE, today=RELEASE - timedelta(days=4)),
        ClockState.NOT_RELEASED,
        "Not released yet: releases on 2 March 2026, in 4 days.",
        None,
        [("Releases in 4 days", None)],
    ),
    # Day 0 to 21, running.
    (
        on_day(0),
        ClockState.RUNNING,
        "Day 0 since release, 21 days left. Treatment must start by 23 March 2026.",
        None,
        [("21 days left", None)],
    ),
    (
        on_day(7),
        ClockState.RUNNING,
        "Day 7 since release, 14 days left. Treatment must start by 23 March 2026.",
        ClockFlag.DAY_7,
        [("14 days left", None), ("Day 7", ClockFlag.DAY_7)],
    ),
    (
        on_day(14),
        ClockState.RUNNING,
        "Day 14 since release, 7 days left. Treatment must start by 23 March 2026.",
        ClockFlag.DAY_14,
        [("7 days left", None), ("Day 14", ClockFlag.DAY_14)],
    ),
    (
        on_day(20),
        ClockState.RUNNING,
        "Day 20 since release, 1 day left. Treatment must start by 23 March 2026.",
        ClockFlag.DAY_14,
        [("1 day left", None), ("Day 14", ClockFlag.DAY_14)],
    ),
    (
        on_day(21),
        ClockState.RUNNING,
        "Day 21 since release: today (23 March 2026) is the last day for treatment to start "
        "within 21 days.",
        ClockFlag.DAY_21,
        [("0 days left", None), ("Day 21", ClockFlag.DAY_21)],
    ),
    # Started: on time up to day 21, late from day 22, whatever day it is now.
    (
        on_day(3, start_on(0)),
        ClockState.STARTED_ON_TIME,
        "Treatment started on day 0 after release (2 March 2026), within the 21 days.",
        ClockFlag.STARTED_ON_TIME,
        [("Started on day 0", None)],
    ),
    (
        on_day(40, start_on(21)),
        ClockState.STARTED_ON_TIME,
        "Treatment started on day 21 after release (23 March 2026), within the 21 days.",
        ClockFlag.STARTED_ON_TIME,
        [("Started on day 21", None)],
    ),
    (
        on_day(22, start_on(22)),
        ClockState.STARTED_LATE,
        "Treatment started on day 22 after release (24 March 2026), 1 day after the 21 days ended.",
        ClockFlag.STARTED_LATE,
        [("Started late", ClockFlag.STARTED_LATE), ("day 22", None)],
    ),
    (
        on_day(60, start_on(30)),
        ClockState.STARTED_LATE,
        "Treatment started on day 30 after release (1 April 2026), 9 days after the 21 days ended.",
        ClockFlag.STARTED_LATE,
        [("Started late", ClockFlag.STARTED_LATE), ("day 30", None)],
    ),
    # No start by day 22.
    (
        on_day(22),
        ClockState.NOT_STARTED,
        "Day 22: 21 days passed without treatment starting (the last day was 23 March 2026).",
        ClockFlag.BREACHED,
        [("Breached", ClockFlag.BREACHED), ("day 22", None)],
    ),
    # Release types that leave community care in England, and community referrals.
    (
        on_day(5, release_type=ReleaseType.OTHER_SECURE_SETTING),
        ClockState.NOT_ON_CLOCK,
        "No community clock: released to another secure setting.",
        None,
        [("No community clock", None)],
    ),
    (
        on_day(40, release_type=ReleaseType.DEPORTED),
        ClockState.NOT_ON_CLOCK,
        "No community clock: deported or removed.",
        None,
        [("No community clock", None)],
    ),
    (
        on_day(40, release_type=ReleaseType.OUTSIDE_ENGLAND),
        ClockState.NOT_ON_CLOCK,
        "No community clock: released outside England.",
        None,
        [("No community clock", None)],
    ),
    (
        Clock(release_date=None, today=RELEASE, community=True, status=Status.SENT),
        ClockState.COMMUNITY,
        "No release clock: this is a community referral.",
        None,
        [("No release clock", None)],
    ),
]


@pytest.mark.parametrize(("clock", "state", "sentence", "tag", "marks"), SUMMARIES)
def test_the_summary_says_where_the_clock_is(clock, state, sentence, tag, marks):
    summary = clock.summary()
    assert summary.state == state
    assert summary.sentence == sentence
    assert summary.tag == tag
    assert [(mark.text, mark.tag) for mark in summary.marks] == marks


@pytest.mark.parametrize("status", LIVE)
@pytest.mark.parametrize(
    ("day", "state"),
    [
        (-3, ClockState.NOT_RELEASED),
        (0, ClockState.RUNNING),
        (21, ClockState.RUNNING),
        (22, ClockState.NOT_STARTED),
        (90, ClockState.NOT_STARTED),
    ],
)
def test_a_live_referral_without_a_start_follows_the_days(status, day, state):
    clock = (
        on_day(day, status=status)
        if day >= 0
        else Clock(release_date=RELEASE, today=RELEASE + timedelta(days=day), status=status)
    )
    assert clock.summary().state == state


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (Status.WITHDRAWN, "No clock: this referral was withdrawn."),
        (Status.REJECTED, "No clock: this referral was rejected."),
        (Status.CLOSED, "No clock: this referral was closed without a treatment start."),
    ],
)
@pytest.mark.parametrize("day", [-10, 0, 7, 21, 22, 40])
def test_an_ended_referral_without_a_start_has_no_clock(status, words, day):
    """Closed, withdrawn and rejected referrals never say "Treatment must start by", before or
    after release."""
    clock = Clock(release_date=RELEASE, today=RELEASE + timedelta(days=day), status=status)
    summary = clock.summary()
    assert summary.state == ClockState.ENDED
    assert summary.sentence == words
    assert summary.tag is None
    assert "must start" not in summary.sentence
    assert not clock.running and not clock.breached


@pytest.mark.parametrize(
    ("start_day", "state"),
    [
        (0, ClockState.STARTED_ON_TIME),
        (21, ClockState.STARTED_ON_TIME),
        (22, ClockState.STARTED_LATE),
    ],
)
@pytest.mark.parametrize("status", [Status.ENGAGED, Status.CLOSED])
def test_an_engaged_or_closed_referral_says_when_treatment_started(status, start_day, state):
    summary = on_day(50, start_on(start_day), status=status).summary()
    assert summary.state == state
    assert f"day {start_day} after release" in summary.sentence
    assert "without treatment starting" not in summary.sentence


def test_a_late_start_is_not_21_days_without_a_start():
    """Day 22 or later: the referral says when treatment started, not that it never did."""
    summary = on_day(25, start_on(23), status=Status.ENGAGED).summary()
    assert summary.state == ClockState.STARTED_LATE
    assert "passed without treatment starting" not in summary.sentence
    assert summary.sentence.startswith("Treatment started on day 23")


def test_no_summary_says_1_days():
    for day in range(-30, 60):
        clocks = [
            on_day(day) if day >= 0 else Clock(release_date=RELEASE, today=start_on(day)),
            Clock(release_date=None, today=start_on(day), expected_release=RELEASE),
            on_day(max(day, 23), start_on(23)),
        ]
        for clock in clocks:
            summary = clock.summary()
            words = [summary.sentence, *(mark.text for mark in summary.marks)]
            assert not any(" 1 days" in text or text.startswith("1 days") for text in words)


def test_every_state_has_its_words():
    """The table above covers every state (ended referrals have their own test)."""
    assert {row[1] for row in SUMMARIES} | {ClockState.ENDED} == set(ClockState)
