"""The national dashboard reads a settled month (every window of its releases closed, DOMAIN.md)
from its kept counts (continuity.rollups) and counts the others live; either way the figures
are those the records give, after corrections and settings changes, and a month is counted again
only by the job."""

from datetime import date

from sqlalchemy import func, select

from caseflow import jobs
from caseflow.continuity import periods, rollups, services
from caseflow.continuity.entries import Scope
from caseflow.continuity.models import MonthCounts, StaleMonth
from caseflow.extensions import db
from tests.continuity.cohort import BIRMINGHAM, COVENTRY, attended, manager_of, referral, release
from tests.continuity.test_dashboard_in_one_statement import reading_releases, statements
from tests.continuity.test_rules_and_periods import add_settings
from tests.factories import provider_serving

QUARTER = periods.parse("2026-Q1")
# January and February are settled (their windows closed by 21 and 28 March); March is not.
TODAY = date(2026, 4, 10)
DIMENSIONS = [name for name in services.DIMENSIONS if name != services.PATHWAY]


def numbers(scope=None, *, from_records=False, period=QUARTER, trend_months=6):
    found = services.dashboard(
        scope or Scope.national(),
        period,
        dimensions=DIMENSIONS,
        trend_months=trend_months,
        today=TODAY,
        from_records=from_records,
    )

    def plain(figures):
        return (figures.met, figures.not_met, figures.pending, figures.excluded)

    return (
        plain(found.measure.figures),
        plain(found.measure.attended),
        found.measure.exclusions,
        {
            name: sorted((row.key or "", row.label, plain(row.figures)) for row in rows)
            for name, rows in found.breakdowns.items()
        },
        [(month.code, plain(figures)) for month, figures in found.trend],
    )


def counted_months() -> set[str]:
    return set(
        db.session.scalars(select(MonthCounts.month).where(MonthCounts.part == rollups.ROLLED))
    )


def build():
    provider = provider_serving(BIRMINGHAM, name="Aston Recovery")
    met = release(date(2026, 1, 12))
    referral(met, provider=provider, started=date(2026, 1, 20))
    late = release(date(2026, 2, 3), destination=COVENTRY)
    late_referral = referral(late, provider=provider)
    attended(late_referral, date(2026, 2, 9))
    release(date(2026, 2, 20), release_type="deported")
    release(date(2026, 3, 30))  # pending on TODAY
    db.session.flush()
    return {"met": met, "late": late, "late_referral": late_referral}


def test_settled_months_are_read_from_their_counts_with_the_same_figures(app):
    build()
    live = numbers()
    done = rollups.roll(today=TODAY)
    # Only settled months are kept: March's windows are still open.
    assert counted_months() == {"2026-01", "2026-02"}
    assert done["months_counted"] == 2
    with statements() as seen:
        assert numbers() == live == numbers(from_records=True)
    [counting] = reading_releases(seen)
    # The live part reads March alone; January and February come from the counts.
    assert "continuity_month_counts" in counting
    assert rollups.roll(today=TODAY)["months_counted"] == 0  # nothing new: nothing counted


def test_a_quarter_wholly_settled_reads_no_release(app):
    build()
    rollups.roll(today=date(2026, 6, 1))
    with statements() as seen:
        found = services.dashboard(
            Scope.national(), QUARTER, dimensions=DIMENSIONS, trend_months=3, today=date(2026, 6, 1)
        )
    assert reading_releases(seen) == []
    assert found.measure.figures.met == 1
    by_provider = {row.label: row.figures.cohort for row in found.breakdowns["provider"]}
    assert by_provider == {"Aston Recovery": 2, "Not recorded": 1}
    assert [figures.cohort for _, figures in found.trend] == [1, 1, 1]


def test_a_correction_to_a_settled_month_is_counted_live_until_the_job_counts_it_again(app):
    made = build()
    rollups.roll(today=TODAY)
    # A treatment start recorded late for the February release: met on day 6.
    made["late_referral"].treatment_start_date = date(2026, 2, 9)
    db.session.flush()
    assert set(db.session.scalars(select(StaleMonth.month))) == {"2026-02"}
    assert numbers() == numbers(from_records=True)
    assert numbers()[0][0] == 2
    done = rollups.roll(today=TODAY)
    assert done["months_counted"] == 1 and done["stale_marks_cleared"] >= 1
    assert db.session.scalar(select(func.count()).select_from(StaleMonth)) == 0
    assert numbers() == numbers(from_records=True)


def test_a_release_date_corrected_into_another_month_makes_both_stale(app):
    made = build()
    rollups.roll(today=TODAY)
    made["met"].actual_release_date = date(2026, 2, 2)
    db.session.flush()
    assert set(db.session.scalars(select(StaleMonth.month))) == {"2026-01", "2026-02"}
    assert numbers() == numbers(from_records=True)


def test_new_settings_are_counted_live_then_kept_under_their_own_digest(app):
    build()
    rollups.roll(today=TODAY)
    add_settings(date(2026, 3, 15), window_days=28)
    # The quarter is now measured by the 28-day window: January's counts under 21 days are
    # not its counts, so they are not read for it.
    assert numbers() == numbers(from_records=True)
    rollups.roll(today=TODAY)
    assert numbers() == numbers(from_records=True)
    keys = set(db.session.scalars(select(MonthCounts.settings_key).distinct()))
    assert len(keys) == 2


def test_a_partnership_counts_its_own_releases_from_the_facts(app):
    build()
    rollups.roll(today=TODAY)
    manager = manager_of(BIRMINGHAM)
    with statements() as seen:
        found = services.dashboard_for(manager, QUARTER, dimensions=DIMENSIONS, today=TODAY)
    assert "continuity_month_counts" not in " ".join(reading_releases(seen))
    assert found.measure.figures.cohort == 2  # the Birmingham releases in the cohort


def test_the_job_is_listed_and_runs(app):
    build()
    assert "continuity-months" in jobs.JOBS
    done = jobs.run("continuity-months")
    assert done is not None and done["months_counted"] >= 2
