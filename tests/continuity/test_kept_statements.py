"""The measure's statements are kept per process by everything they are built from
(continuity.statements), and the period chooser is drawn once per set of periods, period chosen
and error (continuity.forms): a kept one must give what a fresh one would, whoever asks, on
whatever day, under whatever settings, after whatever change to the records."""

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from caseflow.continuity import forms, grouping, periods, services, statements
from caseflow.continuity.entries import Scope
from caseflow.continuity.forecast import forecast
from caseflow.extensions import db
from tests.continuity.cohort import BIRMINGHAM, COVENTRY, manager_of, partnership, referral, release
from tests.continuity.test_rules_and_periods import add_settings

MARCH = periods.parse("2026-03")
AFTER = date(2026, 9, 1)


@pytest.fixture
def builds(monkeypatch):
    """How many times the dashboard's cohort was built (a kept statement builds none)."""
    statements.forget()
    made = []
    build = grouping._cohort

    def counted(*args, **kwargs):
        made.append(args)
        return build(*args, **kwargs)

    monkeypatch.setattr(grouping, "_cohort", counted)
    yield made
    statements.forget()


def plain(figures):
    return (figures.met, figures.not_met, figures.pending, figures.excluded)


def test_the_same_dashboard_is_built_once_and_counts_the_records_as_they_are_now(app, builds):
    started = release(date(2026, 3, 2))
    referral(started, started=date(2026, 3, 9))
    late = release(date(2026, 3, 3))
    db.session.flush()
    assert plain(services.headline(Scope.national(), MARCH, today=AFTER).figures) == (1, 1, 0, 0)
    # A treatment start recorded since: the kept statement reads the facts as they are now.
    referral(late, started=date(2026, 3, 10))
    db.session.flush()
    assert plain(services.headline(Scope.national(), MARCH, today=AFTER).figures) == (2, 0, 0, 0)
    assert len(builds) == 1


def test_each_partnership_day_and_settings_version_has_its_own_statement(app, builds):
    birmingham = manager_of(BIRMINGHAM)
    coventry = manager_of(COVENTRY)
    referral(release(date(2026, 3, 2)), started=date(2026, 3, 9))
    release(date(2026, 3, 3), destination=COVENTRY)
    release(date(2026, 3, 20), destination=COVENTRY)
    db.session.flush()

    def measure(viewer, today):
        return plain(services.dashboard_for(viewer, MARCH, today=today).measure.figures)

    # The same shape of statement for both partnerships: their areas tell them apart.
    assert measure(birmingham, AFTER) == (1, 0, 0, 0)
    assert measure(coventry, AFTER) == (0, 2, 0, 0)
    # Another day: on 25 March the release of the 20th is pending, the 3rd's window closed.
    assert measure(coventry, date(2026, 3, 25)) == (0, 1, 1, 0)
    assert len(builds) == 3
    # New settings (a 28-day window): on the same day both windows are open.
    add_settings(date(2026, 3, 1), window_days=28)
    assert measure(coventry, date(2026, 3, 25)) == (0, 0, 2, 0)
    assert measure(birmingham, AFTER) == (1, 0, 0, 0)
    assert len(builds) == 5
    assert measure(coventry, date(2026, 3, 25)) == (0, 0, 2, 0)
    assert len(builds) == 5


def test_a_scope_sqlalchemy_cannot_key_is_built_every_time(app, builds, monkeypatch):
    release(date(2026, 3, 2))
    db.session.flush()
    monkeypatch.setattr(statements, "condition_key", lambda _condition: None)
    for _ in range(2):
        assert services.headline(Scope.national(), MARCH, today=AFTER).figures.not_met == 1
    assert len(builds) == 2


def test_the_kept_statements_are_bounded(app, builds, monkeypatch):
    monkeypatch.setattr(statements._kept, "limit", 3)
    for day in range(1, 6):
        services.headline(Scope.national(), MARCH, today=date(2026, 9, day))
    assert len(statements._kept) == 3
    services.headline(Scope.national(), MARCH, today=date(2026, 9, 5))  # the latest, kept
    services.headline(Scope.national(), MARCH, today=date(2026, 9, 1))  # forgotten: built again
    assert len(builds) == 6


def test_the_period_chooser_is_drawn_for_the_period_chosen_and_its_error(app):
    offered = periods.period_choices(date(2026, 9, 1))
    with app.test_request_context("/continuity/"):

        def drawn(sent):
            form = forms.PeriodForm(MultiDict(sent), periods=offered)
            if sent:
                form.validate()
            return str(form.chooser())

        march = drawn({"period": "2026-03"})
        assert '<option value="2026-03" selected>' in march
        assert "govuk-error-message" not in march
        june = drawn({"period": "2026-06"})
        assert '<option value="2026-06" selected>' in june and '2026-03" selected' not in june
        refused = drawn({"period": "Smith 1970-01-01"})
        assert "govuk-error-message" in refused and " selected>" not in refused
        assert "Smith" not in refused
        assert drawn({"period": "2026-03"}) == march
        assert not any("Smith" in str(key) for key in forms._drawn)


def test_a_kept_forecast_follows_the_records_and_the_partnership(app):
    statements.forget()
    birmingham = Scope.of_partnership(partnership(BIRMINGHAM))
    coventry = Scope.of_partnership(partnership(COVENTRY))
    today = date(2026, 3, 10)
    release(date(2026, 3, 5))  # pending in Birmingham, day 5
    release(date(2026, 3, 6), destination=COVENTRY)  # pending in Coventry, day 4
    # The earlier cases: Birmingham's met on day 2, Coventry's on day 8.
    referral(release(date(2025, 6, 1)), started=date(2025, 6, 3))
    referral(release(date(2025, 6, 1), destination=COVENTRY), started=date(2025, 6, 9))
    db.session.flush()

    def likely(scope):
        measure = services.headline(scope, MARCH, today=today)
        return forecast(scope, measure, today=today).likely

    assert likely(birmingham) is None  # no earlier case was still waiting on day 5
    assert likely(coventry) == 1.0  # the earlier one waiting on day 4 went on to meet
    # Another earlier Birmingham case, still waiting on day 5 and never met.
    release(date(2025, 7, 1))
    db.session.flush()
    assert likely(birmingham) == 0.0
