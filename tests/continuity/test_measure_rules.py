"""Each rule of DOMAIN.md's continuity-of-care rate, on a hand-built cohort, with the numbers
worked out by hand from the rule (not from the code)."""

from datetime import date

from caseflow.continuity import periods, services
from caseflow.continuity.services import Scope
from caseflow.extensions import db
from tests.continuity.cohort import (
    BIRMINGHAM,
    COVENTRY,
    PLYMOUTH,
    attended,
    manager_of,
    referral,
    release,
)
from tests.factories import PersonFactory, provider_serving

MARCH = periods.parse("2026-03")
# Every March window (the last closes on 21 April) has closed by then.
AFTER_THE_WINDOWS = date(2026, 6, 1)


def figures(period=MARCH, today=AFTER_THE_WINDOWS, scope=None):
    return services.headline(scope or Scope.national(), period, today=today).figures


def outcome_of(episode, period=MARCH, today=AFTER_THE_WINDOWS):
    return services.entry_outcomes(Scope.national(), period, today=today).get(episode.id)


def test_a_hand_built_march_gives_the_rate_the_rules_give(app):
    # met: last day of the month started on day 21; started on release day; started then died
    last_day = release(date(2026, 3, 31))
    referral(last_day, started=date(2026, 4, 21))
    same_day = release(date(2026, 3, 10))
    referral(same_day, started=date(2026, 3, 10))
    died_after_starting = release(
        date(2026, 3, 13), person=PersonFactory(date_of_death=date(2026, 3, 16))
    )
    referral(died_after_starting, started=date(2026, 3, 14))
    # not met: started on day 22; never started
    referral(release(date(2026, 3, 1)), started=date(2026, 3, 23))
    release(date(2026, 3, 14))
    # excluded: other secure setting, deported, outside England, removed, died without a start
    release(date(2026, 3, 7), release_type="other_secure_setting", destination=None)
    release(date(2026, 3, 8), release_type="deported", destination=None)
    release(date(2026, 3, 9), release_type="outside_england", destination=None)
    release(date(2026, 3, 11), removed_from_country_on=date(2026, 3, 20))
    release(date(2026, 3, 12), person=PersonFactory(date_of_death=date(2026, 3, 15)))
    # not in the cohort at all: under 18; no treatment need; released in February
    release(date(2026, 3, 5), age=17)
    release(date(2026, 3, 6), need="no_need")
    referral(release(date(2026, 2, 28)), started=date(2026, 3, 1))
    db.session.flush()

    found = figures()
    assert found.as_dict() == {
        "cohort": 5,
        "met": 3,
        "not_met": 2,
        "pending": 0,
        "excluded": 5,
        "rate": 0.6,
        "provisional": False,
    }


def test_day_21_is_met_and_day_22_is_not(app):
    day_21 = release(date(2026, 3, 2))
    referral(day_21, started=date(2026, 3, 23))
    day_22 = release(date(2026, 3, 2))
    referral(day_22, started=date(2026, 3, 24))
    assert outcome_of(day_21) == ("met", None)
    assert outcome_of(day_22) == ("not_met", None)


def test_a_release_on_the_last_day_of_a_month_belongs_to_that_month(app):
    episode = release(date(2026, 3, 31))
    assert outcome_of(episode, periods.parse("2026-03")) is not None
    assert outcome_of(episode, periods.parse("2026-04")) is None
    assert outcome_of(episode, periods.parse("2026-Q1")) is not None
    assert outcome_of(episode, periods.parse("2025-26")) is not None
    assert outcome_of(episode, periods.parse("2026-27")) is None


def test_an_open_window_is_pending_and_the_period_provisional(app):
    today = date(2026, 4, 10)
    last_day_open = release(date(2026, 3, 20))  # day 21 is 10 April: still open today
    closed = release(date(2026, 3, 19))  # its window closed on 9 April
    started = release(date(2026, 3, 25))
    referral(started, started=date(2026, 4, 1))
    assert outcome_of(last_day_open, today=today) == ("pending", None)
    assert outcome_of(closed, today=today) == ("not_met", None)
    found = figures(today=today)
    # rate = met / (met + not met + pending) = 1 / 3, and provisional while one is pending
    assert (found.met, found.not_met, found.pending) == (1, 1, 1)
    assert found.rate == 1 / 3
    assert found.provisional


def test_each_exclusion_is_counted_with_its_reason(app):
    release(date(2026, 3, 7), release_type="other_secure_setting", destination=None)
    release(date(2026, 3, 8), release_type="deported", destination=None)
    release(date(2026, 3, 9), release_type="outside_england", destination=None)
    release(date(2026, 3, 10), removed_from_country_on=date(2026, 3, 31))  # day 21
    release(date(2026, 3, 11), person=PersonFactory(date_of_death=date(2026, 4, 1)))  # day 21
    # removed or died after the window: in the cohort, not met
    release(date(2026, 3, 12), removed_from_country_on=date(2026, 4, 3))  # day 22
    release(date(2026, 3, 13), person=PersonFactory(date_of_death=date(2026, 4, 4)))  # day 22
    measure = services.headline(Scope.national(), MARCH, today=AFTER_THE_WINDOWS)
    assert measure.exclusions == {
        "other_secure_setting": 1,
        "deported": 1,
        "outside_england": 1,
        "removed": 1,
        "died": 1,
    }
    assert (measure.figures.excluded, measure.figures.not_met) == (5, 2)


def test_a_death_in_the_window_after_a_start_is_met_and_before_it_excluded(app):
    died_first = release(date(2026, 3, 2), person=PersonFactory(date_of_death=date(2026, 3, 5)))
    referral(died_first, started=date(2026, 3, 6))  # recorded after the death: no start before
    started_first = release(date(2026, 3, 2), person=PersonFactory(date_of_death=date(2026, 3, 9)))
    referral(started_first, started=date(2026, 3, 4), status="closed")
    assert outcome_of(died_first) == ("excluded", "died")
    assert outcome_of(started_first) == ("met", None)


def test_under_18s_and_people_without_a_treatment_need_are_not_in_the_cohort(app):
    child = release(date(2026, 3, 3), age=17)
    adult = release(date(2026, 3, 3), age=18)
    no_need = release(date(2026, 3, 3), need="no_need")
    assessed = release(date(2026, 3, 3), need="assessed_need")
    assert outcome_of(child) is None
    assert outcome_of(no_need) is None
    assert outcome_of(adult) == ("not_met", None)
    assert outcome_of(assessed) == ("not_met", None)


def test_several_referrals_for_one_release_count_once(app):
    episode = release(date(2026, 3, 3))
    referral(episode, status="rejected")
    referral(episode, started=date(2026, 3, 20), status="closed")
    referral(episode, started=date(2026, 3, 26))  # a later start elsewhere changes nothing
    found = figures()
    assert (found.cohort, found.met) == (1, 1)


def test_one_person_released_twice_in_a_period_counts_twice(app):
    person = PersonFactory()
    first = release(date(2026, 1, 5), person=person)
    referral(first, started=date(2026, 1, 10))
    release(date(2026, 3, 1), person=person)
    found = figures(periods.parse("2026-Q1"))
    assert (found.cohort, found.met, found.not_met) == (2, 1, 1)


def test_after_a_redirect_the_provider_that_started_treatment_is_credited(app):
    first = provider_serving(BIRMINGHAM, name="First provider")
    second = provider_serving(BIRMINGHAM, name="Second provider")
    episode = release(date(2026, 3, 3))
    # The referral was redirected from the first provider to the second, which started treatment.
    referral(episode, provider=second, started=date(2026, 3, 10))
    referral(episode, provider=first, status="rejected")
    rows = services.breakdown(Scope.national(), MARCH, "provider", today=AFTER_THE_WINDOWS)
    assert [(row.label, row.figures.met) for row in rows] == [("Second provider", 1)]


def test_the_local_authority_is_the_episodes_destination(app):
    referral(release(date(2026, 3, 3), destination=COVENTRY), started=date(2026, 3, 4))
    release(date(2026, 3, 3), destination=BIRMINGHAM)
    release(date(2026, 3, 3), destination=BIRMINGHAM)
    rows = services.breakdown(Scope.national(), MARCH, "local_authority", today=AFTER_THE_WINDOWS)
    assert [(row.label, row.figures.met, row.figures.cohort) for row in rows] == [
        ("Coventry", 1, 1),
        ("Birmingham", 0, 2),
    ]


def test_age_bands_group_age_at_release(app):
    for age in (18, 24, 25, 34, 35, 44, 45, 54, 55, 70):
        release(date(2026, 3, 3), age=age)
    rows = services.breakdown(Scope.national(), MARCH, "age_band", today=AFTER_THE_WINDOWS)
    assert sorted((row.label, row.figures.cohort) for row in rows) == [
        ("18-24", 2),
        ("25-34", 2),
        ("35-44", 2),
        ("45-54", 2),
        ("55+", 2),
    ]


def test_a_partnership_counts_only_releases_into_its_area(app):
    referral(release(date(2026, 3, 3), destination=BIRMINGHAM), started=date(2026, 3, 4))
    release(date(2026, 3, 3), destination=PLYMOUTH)
    manager = manager_of(BIRMINGHAM, COVENTRY)
    found = figures(scope=Scope.of_viewer(manager))
    assert (found.cohort, found.met) == (1, 1)
    assert figures().cohort == 2


def test_the_second_measure_counts_a_first_attended_appointment_in_the_window(app):
    in_window = release(date(2026, 3, 3))
    attended(referral(in_window), date(2026, 3, 24))  # day 21
    late = release(date(2026, 3, 3))
    attended(referral(late), date(2026, 3, 25))  # day 22
    missed = release(date(2026, 3, 3))
    attended(referral(missed), date(2026, 3, 5), outcome="did_not_attend")
    measure = services.headline(Scope.national(), MARCH, today=AFTER_THE_WINDOWS)
    assert (measure.attended.met, measure.attended.not_met) == (1, 2)
