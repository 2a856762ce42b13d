"""The dashboard's figures (headline, every breakdown, the trend) come from the cohort computed
once: one statement reads the releases, whatever it counts; and the trend's months and the
period are each measured by the settings in effect on their last day, in that one statement."""

from contextlib import contextmanager
from datetime import date

from sqlalchemy import event

from caseflow.continuity import periods, services
from caseflow.continuity.entries import Scope
from caseflow.extensions import db
from tests.continuity.cohort import BIRMINGHAM, COVENTRY, manager_of, referral, release
from tests.continuity.test_rules_and_periods import add_settings
from tests.helpers import page

AFTER = date(2026, 9, 1)


@contextmanager
def statements():
    """The SQL statements run inside the block."""
    seen: list[str] = []

    def note(_connection, _cursor, statement, *_rest):
        seen.append(statement)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def reading_releases(seen: list[str]) -> list[str]:
    """The statements reading releases: from their facts rows (continuity.facts)."""
    return [statement for statement in seen if "continuity_release_facts" in statement]


def test_the_figures_read_the_releases_facts_not_the_records_behind_them(app):
    # Referrals and appointments are the largest tables: the measure reads what it needs of
    # them from each release's facts row, so its time does not follow their history.
    referral(release(date(2026, 3, 2)), started=date(2026, 3, 5))
    db.session.flush()
    dimensions = [name for name in services.DIMENSIONS if name != services.PATHWAY]
    with statements() as seen:
        found = services.dashboard(
            Scope.national(),
            periods.parse("2025-26"),
            dimensions=dimensions,
            trend_months=24,
            today=AFTER,
        )
    assert found.measure.figures.met == 1
    [counting] = reading_releases(seen)
    for table in ("custody_episodes", "referrals", "appointments", "people"):
        assert f" {table} " not in counting.replace(",", " ").replace("\n", " ")


def test_every_figure_of_the_dashboard_is_one_statement_over_the_releases(app):
    referral(release(date(2026, 3, 2)), started=date(2026, 3, 5))
    release(date(2026, 3, 3), destination=COVENTRY)
    release(date(2025, 11, 3))
    db.session.flush()
    year = periods.parse("2025-26")
    with statements() as seen:
        found = services.dashboard(
            Scope.national(),
            year,
            dimensions=list(services.DIMENSIONS),
            trend_months=24,
            today=AFTER,
        )
    assert len(reading_releases(seen)) == 1
    figures = found.measure.figures
    assert (figures.met, figures.not_met, figures.pending, figures.excluded) == (1, 2, 0, 0)
    assert set(found.breakdowns) == set(services.DIMENSIONS)
    by_area = {row.label: row.figures.cohort for row in found.breakdowns["local_authority"]}
    assert by_area == {"Birmingham": 2, "Coventry": 1}
    months = {month.code: figures.cohort for month, figures in found.trend}
    assert len(months) == 24
    assert (months["2026-03"], months["2025-11"], months["2025-12"]) == (2, 1, 0)


def test_each_part_alone_gives_what_the_dashboard_gives(app):
    started = release(date(2026, 3, 2))
    referral(started, started=date(2026, 3, 20))
    release(date(2026, 2, 3), age=19)
    release(date(2026, 3, 9), release_type="deported")
    db.session.flush()
    quarter = periods.parse("2026-Q1")
    scope = Scope.national()
    together = services.dashboard(
        scope, quarter, dimensions=["age_band", "provider"], trend_months=6, today=AFTER
    )
    assert together.measure == services.headline(scope, quarter, today=AFTER)
    for dimension in ("age_band", "provider"):
        alone = services.breakdown(scope, quarter, dimension, today=AFTER)
        assert together.breakdowns[dimension] == alone
    assert together.trend == services.trend(scope, quarter, 6, today=AFTER)
    assert together.measure.exclusions == {"deported": 1}


def test_the_trend_measures_each_month_by_its_own_settings_in_the_same_statement(app):
    # From 15 March a 28-day window: a start on day 25 is met in March, not in February.
    add_settings(date(2026, 3, 15), window_days=28)
    referral(release(date(2026, 2, 2)), started=date(2026, 2, 27))
    referral(release(date(2026, 3, 2)), started=date(2026, 3, 27))
    db.session.flush()
    quarter = periods.parse("2026-Q1")  # measured by the settings on 31 March: 28 days
    with statements() as seen:
        found = services.dashboard(Scope.national(), quarter, trend_months=3, today=AFTER)
    assert len(reading_releases(seen)) == 1
    assert found.measure.settings.window_days == 28
    assert (found.measure.figures.met, found.measure.figures.not_met) == (2, 0)
    trend = {month.code: (f.met, f.not_met) for month, f in found.trend}
    assert trend == {"2026-01": (0, 0), "2026-02": (0, 1), "2026-03": (1, 0)}


def test_the_dashboard_page_reads_the_releases_once_for_its_headline_and_trend(sign_in):
    client, _ = sign_in(user=manager_of(BIRMINGHAM))
    referral(release(date(2026, 3, 2)), started=date(2026, 3, 5))
    db.session.commit()
    with statements() as seen:
        shown = page(client, "/continuity/?period=2026-Q1")
    assert len(reading_releases(seen)) == 1
    assert len(shown.select("#trend-table tbody tr")) == 24
