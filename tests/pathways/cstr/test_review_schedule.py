"""DRR court reviews (Sentencing Act 2020, Sch. 9 para 21; DOMAIN.md, Pathways): at intervals
of not less than one month, required when the treatment and testing period is over 12 months,
never after the order ends, each with a probation report due before it; none for ATR or MHTR."""

from datetime import date, timedelta

import pytest

from caseflow.dates import local_today
from caseflow.domain import InvalidChange, InvalidTransition
from caseflow.pathways.cstr import records, schedule
from tests.pathways.cstr.world import make_world

START = date(2026, 1, 31)
END = date(2026, 12, 31)


def check(review_date, report_due=None, *, drr=True, others=()):
    schedule.check_review(
        drr=drr,
        start=START,
        end=END,
        review_date=review_date,
        report_due=report_due or review_date - timedelta(days=7),
        other_reviews=list(others),
    )


def field_of(review_date, **kwargs) -> str:
    with pytest.raises(InvalidChange) as refused:
        check(review_date, **kwargs)
    return refused.value.field


def test_a_month_is_a_calendar_month_ending_on_a_short_months_last_day():
    assert schedule.months_after(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert schedule.months_after(date(2026, 3, 15), 1) == date(2026, 4, 15)
    assert schedule.months_after(date(2026, 12, 15), 1) == date(2027, 1, 15)


def test_reviews_are_required_only_over_twelve_months_and_only_for_a_drr():
    start = date(2026, 3, 1)
    assert not schedule.reviews_required(True, start, date(2027, 3, 1))  # exactly 12 months
    assert schedule.reviews_required(True, start, date(2027, 3, 2))  # a day over
    assert not schedule.reviews_required(False, start, date(2028, 3, 1))  # an ATR or MHTR


def test_reviews_a_month_apart_are_allowed_and_closer_ones_refused_either_side():
    check(date(2026, 4, 15), others=[date(2026, 3, 15)])  # exactly a month after
    assert field_of(date(2026, 4, 14), others=[date(2026, 3, 15)]) == "review_date"
    # Scheduled before an existing review, it must still be a month before it.
    check(date(2026, 2, 15), others=[date(2026, 3, 15)])
    assert field_of(date(2026, 2, 16), others=[date(2026, 3, 15)]) == "review_date"


def test_no_review_after_the_order_ends_or_before_it_starts():
    check(END)
    assert field_of(END + timedelta(days=1)) == "review_date"
    assert field_of(START - timedelta(days=1)) == "review_date"


def test_the_report_is_due_before_the_review():
    assert field_of(date(2026, 5, 1), report_due=date(2026, 5, 1)) == "report_due"


def test_atr_and_mhtr_have_no_court_reviews():
    with pytest.raises(InvalidTransition, match="Only a drug rehabilitation requirement"):
        check(date(2026, 5, 1), drr=False)


def test_scheduling_through_the_service_applies_the_rules_to_the_orders_own_reviews():
    world = make_world()
    today = local_today()
    cstr = world.started(start=today, end=today + timedelta(days=400))
    first = records.schedule_review(
        world.probation,
        cstr.id,
        review_date=today + timedelta(days=35),
        report_due=today + timedelta(days=28),
    )
    with pytest.raises(InvalidChange, match="at least a month apart"):
        records.schedule_review(
            world.probation,
            cstr.id,
            review_date=first.review_date + timedelta(days=20),
            report_due=first.review_date + timedelta(days=13),
        )
    with pytest.raises(InvalidChange, match="on or before the order ends"):
        records.schedule_review(
            world.probation,
            cstr.id,
            review_date=today + timedelta(days=401),
            report_due=today + timedelta(days=394),
        )
    atr = world.started(("atr",))
    with pytest.raises(InvalidTransition):
        records.schedule_review(
            world.probation,
            atr.id,
            review_date=today + timedelta(days=35),
            report_due=today + timedelta(days=28),
        )


def test_the_review_report_is_recorded_against_the_next_review_waiting_for_one():
    world = make_world()
    today = local_today()
    cstr = world.started(start=today, end=today + timedelta(days=400))
    later = records.schedule_review(
        world.probation,
        cstr.id,
        review_date=today + timedelta(days=70),
        report_due=today + timedelta(days=63),
    )
    sooner = records.schedule_review(
        world.probation,
        cstr.id,
        review_date=today + timedelta(days=35),
        report_due=today + timedelta(days=28),
    )
    records.record_review_report(world.probation, cstr.id, report_sent_on=today)
    assert (sooner.report_sent_on, later.report_sent_on) == (today, None)
