"""The forecast of an open period (issue 10): best if every pending case started today, worst if
none did, likely from how earlier cases still waiting on the same day after release ended.
Each expected value is worked out by hand in the test from those rules."""

from datetime import date

import pytest

from caseflow.continuity import periods, services
from caseflow.continuity.entries import Scope
from caseflow.continuity.forecast import forecast
from tests.continuity.cohort import BIRMINGHAM, partnership, referral, release

TODAY = date(2026, 3, 10)
MARCH = periods.month(2026, 3)


def started_on_day(released: date, day: int | None):
    episode = release(released)
    if day is None:
        referral(episode)
    else:
        referral(episode, started=date.fromordinal(released.toordinal() + day))
    return episode


def forecast_of(scope):
    return forecast(scope, services.headline(scope, MARCH, today=TODAY), today=TODAY)


def test_best_worst_and_likely_from_cases_waiting_on_the_same_day():
    scope = Scope.of_partnership(partnership(BIRMINGHAM))
    started_on_day(date(2026, 3, 2), 2)  # met
    started_on_day(date(2026, 3, 5), None)  # pending, day 5 today
    started_on_day(date(2026, 3, 7), None)  # pending, day 3 today
    # The last 12 complete months: March 2025 to February 2026, windows closed.
    started_on_day(date(2025, 6, 1), 2)  # met on day 2: waiting on neither day
    started_on_day(date(2025, 7, 1), 4)  # met on day 4: waiting on day 3
    started_on_day(date(2025, 8, 1), None)  # not met: waiting on both
    started_on_day(date(2025, 9, 1), 9)  # met on day 9: waiting on both
    started_on_day(date(2025, 10, 1), 25)  # started late, not met: waiting on both
    started_on_day(date(2025, 2, 20), None)  # before the 12 months: not counted

    found = forecast_of(scope)

    # Day 3: four were waiting (July, August, September, October), two met: 1/2.
    # Day 5: three were waiting (August, September, October), one met: 1/3.
    assert found.best == pytest.approx(3 / 3)
    assert found.worst == pytest.approx(1 / 3)
    assert found.likely == pytest.approx((1 + 1 / 2 + 1 / 3) / 3)
    assert (found.history_start, found.history_end) == (date(2025, 3, 1), date(2026, 2, 28))


def test_no_likely_rate_when_no_earlier_case_was_waiting_on_that_day():
    scope = Scope.of_partnership(partnership(BIRMINGHAM))
    started_on_day(date(2026, 3, 5), None)  # pending, day 5
    started_on_day(date(2025, 6, 1), 1)  # the only earlier case met on day 1
    found = forecast_of(scope)
    assert (found.best, found.worst, found.likely) == (1.0, 0.0, None)


def test_excluded_and_pending_earlier_cases_tell_nothing():
    scope = Scope.of_partnership(partnership(BIRMINGHAM))
    started_on_day(date(2026, 3, 5), None)  # pending, day 5
    release(date(2025, 6, 1), release_type="deported")  # excluded
    started_on_day(date(2025, 7, 1), None)  # not met: the only one that tells
    found = forecast_of(scope)
    assert found.likely == 0.0


def test_a_period_with_nothing_pending_has_no_forecast():
    scope = Scope.of_partnership(partnership(BIRMINGHAM))
    started_on_day(date(2026, 1, 5), 3)
    january = periods.month(2026, 1)
    assert forecast(scope, services.headline(scope, january, today=TODAY), today=TODAY) is None
