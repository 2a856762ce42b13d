"""The measure follows the records as the services keep them (DOMAIN.md, Rules that decide the
numbers): a start before the release is refused, a corrected start moves the entry, and dates
are London dates."""

from datetime import UTC, date, datetime

import pytest

from caseflow import dates
from caseflow.continuity import periods, reconcile, services
from caseflow.continuity.services import Scope
from caseflow.domain import InvalidChange
from caseflow.referrals.services import handover as referrals
from caseflow.referrals.services.treatment_start import correct_treatment_start
from tests.continuity.test_reconcile import Cohort

MARCH = periods.parse("2026-03")
AFTER = date(2026, 6, 1)


def outcome(episode, period=MARCH, today=AFTER):
    return services.entry_outcomes(Scope.national(), period, today=today).get(episode.id)


def test_a_start_before_the_release_is_refused_and_counts_for_nothing(app):
    cohort = Cohort()
    episode = cohort.release(date(2026, 3, 10))
    referral = cohort.refer(episode)
    keyworker = cohort.keyworkers[cohort.first.id]
    referrals.change_status(keyworker, referral.id, "accept")
    with pytest.raises(InvalidChange, match="cannot be before the release date"):
        referrals.change_status(
            keyworker, referral.id, "engage", treatment_start_date=date(2026, 3, 9)
        )
    assert outcome(episode) == ("not_met", None)


def test_a_start_on_the_day_of_release_is_met(app):
    cohort = Cohort()
    episode = cohort.release(date(2026, 3, 10))
    cohort.start(cohort.refer(episode), date(2026, 3, 10))
    assert outcome(episode) == ("met", None)


def test_a_corrected_start_after_engagement_moves_the_entry_and_the_log_agrees(app):
    cohort = Cohort()
    episode = cohort.release(date(2026, 3, 10))
    referral = cohort.refer(episode)
    cohort.start(referral, date(2026, 3, 15))
    assert outcome(episode) == ("met", None)
    correct_treatment_start(
        cohort.keyworkers[cohort.first.id],
        referral.id,
        version=referral.version,
        treatment_start_date=date(2026, 4, 1),  # day 22
        reason="The first appointment was an assessment, not treatment",
    )
    assert outcome(episode) == ("not_met", None)
    found = reconcile.reconcile(MARCH, today=AFTER)
    assert found.agrees and found.log.not_met == 1


class LondonHalfPastMidnight(datetime):
    """00:30 on 1 June 2026 in London: still 31 May in UTC."""

    @classmethod
    def now(cls, tz=None):
        moment = datetime(2026, 5, 31, 23, 30, tzinfo=UTC)
        return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)


def test_a_release_recorded_at_half_past_midnight_in_summer_counts_in_june(app, monkeypatch):
    monkeypatch.setattr(dates, "datetime", LondonHalfPastMidnight)
    assert dates.local_today() == date(2026, 6, 1)
    cohort = Cohort()
    episode = cohort.release(dates.local_today())
    assert episode.actual_release_date == date(2026, 6, 1)
    june, may = periods.parse("2026-06"), periods.parse("2026-05")
    # London's today, so its window (to 22 June) is open: pending, in June, not May
    assert services.entry_outcomes(Scope.national(), june) == {episode.id: ("pending", None)}
    assert services.entry_outcomes(Scope.national(), may) == {}
    assert services.headline(Scope.national(), june).figures.provisional
