"""The measure's settings are data with the date each took effect, and its periods are the
months, calendar quarters and financial years DOMAIN.md names."""

from datetime import date

import pytest
from sqlalchemy import select

from caseflow.continuity import periods, rules, services
from caseflow.continuity.models import ContinuitySettings
from caseflow.continuity.services import Scope
from caseflow.extensions import db
from caseflow.people.codes import ReleaseType, TreatmentNeed
from tests.continuity.cohort import BIRMINGHAM, manager_of, referral, release


def test_the_defaults_are_domain_md_s_and_the_migration_wrote_them(app):
    stored = db.session.scalars(select(ContinuitySettings)).all()
    assert len(stored) == 1
    first = rules.settings_on(date(2026, 3, 31))
    assert (first.window_days, first.target_percent) == (21, 75)
    assert first == rules.DEFAULTS
    assert first.release_types == {
        "licence": "cohort",
        "sentence_end": "cohort",
        "home_detention_curfew": "cohort",
        "court": "cohort",
        "remand_ended": "cohort",
        "other_secure_setting": "excluded",
        "deported": "excluded",
        "outside_england": "excluded",
    }
    assert first.treatment_needs == {
        "in_treatment": "cohort",
        "assessed_need": "cohort",
        "no_need": "not_in_cohort",
    }
    assert first.exclusions == {"removed": "excluded", "died": "excluded"}


def test_every_code_is_mapped_in_the_defaults(app):
    # A code added to a list counts nowhere until someone decides where it goes.
    assert set(rules.DEFAULTS.release_types) == {code.value for code in ReleaseType}
    assert set(rules.DEFAULTS.treatment_needs) == {code.value for code in TreatmentNeed}


def add_settings(effective_from: date, **changes) -> None:
    values = rules.DEFAULTS.as_dict() | {"effective_from": effective_from, **changes}
    db.session.add(ContinuitySettings(**values))
    db.session.flush()


def test_a_period_is_measured_by_the_settings_in_effect_on_its_last_day(app):
    add_settings(date(2026, 3, 15), window_days=28, target_percent=80)
    episode = release(date(2026, 3, 2))
    referral(episode, started=date(2026, 3, 27))  # day 25: met only under the 28-day window
    after = date(2026, 6, 1)
    march = services.headline(Scope.national(), periods.parse("2026-03"), today=after)
    assert march.settings.window_days == 28
    assert march.settings.effective_from == date(2026, 3, 15)
    assert march.figures.met == 1
    # February ended before the new settings took effect: the defaults measure it.
    assert rules.settings_on(date(2026, 2, 28)).window_days == 21
    assert "28 days" in march.settings.summary() and "80%" in march.settings.summary()


def test_a_code_mapped_out_of_the_cohort_leaves_it(app):
    mapping = dict(rules.DEFAULTS.release_types) | {"remand_ended": "not_in_cohort"}
    add_settings(date(2026, 1, 1), release_types=mapping)
    release(date(2026, 3, 2), release_type="remand_ended")
    release(date(2026, 3, 2), release_type="licence")
    march = services.headline(Scope.national(), periods.parse("2026-03"), today=date(2026, 6, 1))
    assert (march.figures.cohort, march.figures.excluded) == (1, 0)


def test_an_exclusion_rule_turned_off_keeps_the_release_in_the_cohort(app):
    add_settings(date(2026, 1, 1), exclusions={"removed": "cohort", "died": "excluded"})
    release(date(2026, 3, 2), removed_from_country_on=date(2026, 3, 5))
    march = services.headline(Scope.national(), periods.parse("2026-03"), today=date(2026, 6, 1))
    assert (march.figures.not_met, march.figures.excluded) == (1, 0)


@pytest.mark.parametrize(
    ("code", "start", "end", "label"),
    [
        ("2026-03", date(2026, 3, 1), date(2026, 3, 31), "March 2026"),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28), "February 2026"),
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), "January to March 2026 (Q4 2025-26)"),
        ("2026-Q2", date(2026, 4, 1), date(2026, 6, 30), "April to June 2026 (Q1 2026-27)"),
        ("2025-Q4", date(2025, 10, 1), date(2025, 12, 31), "October to December 2025 (Q3 2025-26)"),
        ("2025-26", date(2025, 4, 1), date(2026, 3, 31), "2025-26 (1 April 2025 to 31 March 2026)"),
    ],
)
def test_periods(code, start, end, label):
    period = periods.parse(code)
    assert (period.start, period.end, period.label) == (start, end, label)


@pytest.mark.parametrize(
    "text",
    ["", "2026-13", "2026-Q5", "2025-27", "March", "2026-3", "0000-Q1", "9999-12", "0000-01"],
)
def test_what_is_not_a_period_is_refused(text):
    with pytest.raises(periods.NotAPeriod):
        periods.parse(text)


def test_the_default_period_is_the_latest_complete_quarter():
    assert periods.latest_complete_quarter(date(2026, 4, 1)).code == "2026-Q1"
    assert periods.latest_complete_quarter(date(2026, 3, 31)).code == "2025-Q4"
    assert periods.latest_complete_quarter(date(2026, 12, 1)).code == "2026-Q3"


def test_a_trend_is_24_months_ending_with_the_period(app):
    referral(release(date(2026, 3, 2)), started=date(2026, 3, 3))
    release(date(2024, 4, 2))
    months = services.trend(Scope.national(), periods.parse("2026-Q1"), today=date(2026, 6, 1))
    assert len(months) == 24
    assert (months[0][0].code, months[-1][0].code) == ("2024-04", "2026-03")
    assert (months[0][1].not_met, months[-1][1].met) == (1, 1)
    assert sum(figures.cohort for _, figures in months) == 2


@pytest.mark.parametrize("code", ["0000-Q1", "9999-12", "9999-00"])
def test_a_period_outside_the_years_held_is_not_found_on_every_page(code, sign_in):
    client, _ = sign_in(user=manager_of(BIRMINGHAM))
    for path in ("/continuity/breakdown", "/continuity/cases", "/continuity/cases.csv"):
        assert client.get(f"{path}?period={code}").status_code == 404, path
