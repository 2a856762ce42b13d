"""The continuity dashboard figure: the measure through its service against one SQL query.

What a manager's dashboard needs for one 12-month period (this financial year): the headline
(met, not met, pending, excluded; the second measure; exclusions by reason), every breakdown of
``services.DIMENSIONS`` and the 24-month trend. Three ways of getting it are timed, interleaved:

* ``service``: ``continuity.services.dashboard`` nationally, in a fresh app context each time:
  the headline, one breakdown per dimension below and the trend, counted from the cohort
  computed once (one statement, as the dashboard page and the report ask for their figures).
  The breakdown by pathway is left out of the figure: its rows are conditions each pathway's
  package registers, which a hand-written query cannot know.
* ``SQL``: ``DASHBOARD_SQL`` below, one hand-written query returning the same numbers (the
  cohort once, grouping sets for the headline, each breakdown and the months): the floor.
* ``pages``: the dashboard and its eight breakdown pages through the test client, signed in as
  the manager of a partnership covering every local authority (so the same releases).

The service reads each release's facts row (``continuity.facts``) and the kept counts of
settled months (``continuity.rollups``); the bulk load writes the records' tables without the
application, so ``arms`` first writes the facts rows from them (``facts.rebuild``, what
``flask continuity rebuild-facts`` does) and runs the continuity-months job.

Before anything is timed, the query's numbers are compared with the service's, cell by cell; a
difference stops the run (``BenchError``), since a floor that counts something else means nothing.
The query is written for the rules as the migrations set them (DOMAIN.md): if the settings in
effect have other exclusion placements, or the months span two versions, it says so and stops.

``python -m bench.dashboard`` times this figure alone, at 25,000 releases and again after
loading up to 250,000 in the same database (BENCH_DASHBOARD_SIZES, BENCH_DASHBOARD_ROUNDS;
BENCH_DATABASE_URL names the database, dropped at the end unless BENCH_KEEP=1), with two more
arms for before and after in one run: the service counting from the records (as before the
facts were kept) and from the facts alone (every month counted live).
"""

import os
import statistics
import time
from collections.abc import Callable
from datetime import date

from sqlalchemy import text

from caseflow.continuity import facts, periods, rollups, rules, services
from caseflow.continuity.entries import Scope
from caseflow.continuity.rules import Placement
from caseflow.dates import local_today
from caseflow.extensions import db

TREND_MONTHS = 24

DIMENSIONS = (
    "region",
    "local_authority",
    "prison",
    "provider",
    "substance_group",
    "sex",
    "ethnic_group",
    "age_band",
)

# One row per release in the trend's 24 months; its outcome decided in the order DOMAIN.md
# gives (not in the cohort; excluded by release type; removed or died within the window; met;
# pending while the window is open; otherwise not met); then counted once per grouping set.
DASHBOARD_SQL = """
WITH released AS (
    SELECT e.id,
           e.actual_release_date AS release_date,
           e.actual_release_date + CAST(:window_days AS integer) AS window_end,
           e.age_at_release, e.treatment_need, e.release_type, e.removed_from_country_on,
           e.destination_local_authority_code AS local_authority, la.region,
           e.prison_id AS prison, e.substance_group, p.sex, p.ethnic_group, p.date_of_death
    FROM custody_episodes e
    JOIN people p ON p.id = e.person_id
    LEFT JOIN local_authorities la ON la.ons_code = e.destination_local_authority_code
    WHERE e.actual_release_date BETWEEN :trend_start AND :period_end
),
first_start AS (
    SELECT DISTINCT ON (r.episode_id) r.episode_id, r.treatment_start_date, r.provider_id
    FROM referrals r JOIN released ON released.id = r.episode_id
    WHERE r.treatment_start_date >= released.release_date
    ORDER BY r.episode_id, r.treatment_start_date, r.created_at
),
latest_referral AS (
    SELECT DISTINCT ON (r.episode_id) r.episode_id, r.provider_id
    FROM referrals r JOIN released ON released.id = r.episode_id
    WHERE r.status <> 'draft'
    ORDER BY r.episode_id, r.created_at DESC, r.id
),
first_attended AS (
    SELECT r.episode_id, min(a.appointment_date) AS appointment_date
    FROM appointments a
    JOIN referrals r ON r.id = a.referral_id
    JOIN released ON released.id = r.episode_id
    WHERE a.outcome = 'attended' AND a.appointment_date >= released.release_date
    GROUP BY r.episode_id
),
decided AS (
    SELECT rel.*,
           coalesce(fs.provider_id, lr.provider_id) AS provider,
           to_char(rel.release_date, 'YYYY-MM') AS month,
           rel.release_date >= :period_start AS in_period,
           CASE
               WHEN rel.age_at_release IS NULL OR rel.age_at_release < 18
                    OR NOT (rel.treatment_need = ANY(:cohort_needs))
                    OR NOT (rel.release_type = ANY(:measured_types)) THEN 'not_in_cohort'
               WHEN rel.release_type = ANY(:excluded_types) THEN rel.release_type
               WHEN rel.removed_from_country_on <= rel.window_end THEN 'removed'
               WHEN rel.date_of_death <= rel.window_end
                    AND (fs.treatment_start_date IS NULL
                         OR fs.treatment_start_date > rel.date_of_death) THEN 'died'
               WHEN fs.treatment_start_date <= rel.window_end THEN 'met'
               WHEN CAST(:today AS date) <= rel.window_end THEN 'pending'
               ELSE 'not_met'
           END AS decision,
           CASE
               WHEN fa.appointment_date <= rel.window_end THEN 'met'
               WHEN CAST(:today AS date) <= rel.window_end THEN 'pending'
               ELSE 'not_met'
           END AS attended,
           CASE
               WHEN rel.age_at_release < 25 THEN '18-24'
               WHEN rel.age_at_release < 35 THEN '25-34'
               WHEN rel.age_at_release < 45 THEN '35-44'
               WHEN rel.age_at_release < 55 THEN '45-54'
               ELSE '55+'
           END AS age_band
    FROM released rel
    LEFT JOIN first_start fs ON fs.episode_id = rel.id
    LEFT JOIN latest_referral lr ON lr.episode_id = rel.id
    LEFT JOIN first_attended fa ON fa.episode_id = rel.id
),
entries AS (
    SELECT decided.*,
           CASE WHEN decision IN ('met', 'not_met', 'pending') THEN decision ELSE 'excluded' END
               AS outcome,
           CASE WHEN decision IN ('met', 'not_met', 'pending') THEN NULL ELSE decision END
               AS exclusion_reason
    FROM decided
    WHERE decision <> 'not_in_cohort'
)
SELECT in_period, month, outcome, attended, exclusion_reason,
       region, local_authority, prison, provider, substance_group, sex, ethnic_group, age_band,
       GROUPING(month) AS by_month, GROUPING(attended) AS by_headline,
       GROUPING(region) AS by_region, GROUPING(local_authority) AS by_local_authority,
       GROUPING(prison) AS by_prison, GROUPING(provider) AS by_provider,
       GROUPING(substance_group) AS by_substance_group, GROUPING(sex) AS by_sex,
       GROUPING(ethnic_group) AS by_ethnic_group, GROUPING(age_band) AS by_age_band,
       count(*) AS n
FROM entries
GROUP BY GROUPING SETS (
    (month, outcome),
    (in_period, outcome, attended, exclusion_reason),
    (in_period, region, outcome),
    (in_period, local_authority, outcome),
    (in_period, prison, outcome),
    (in_period, provider, outcome),
    (in_period, substance_group, outcome),
    (in_period, sex, outcome),
    (in_period, ethnic_group, outcome),
    (in_period, age_band, outcome)
)
"""


class DashboardMismatch(RuntimeError):
    """The hand-written query and the service give different numbers."""


def dashboard_period(today: date | None = None) -> periods.Period:
    """This financial year: the 12-month period a manager reads the year's rate for."""
    today = today or local_today()
    return periods.financial_year(today.year if today.month >= 4 else today.year - 1)


def _figures_tuple(figures: services.Figures) -> tuple[int, int, int, int]:
    return (figures.met, figures.not_met, figures.pending, figures.excluded)


def by_service(period: periods.Period, today: date, *, from_records: bool = False) -> dict:
    """The dashboard's numbers from ``continuity.services``, in one plain shape."""
    found = services.dashboard(
        Scope.national(),
        period,
        dimensions=DIMENSIONS,
        trend_months=TREND_MONTHS,
        today=today,
        from_records=from_records,
    )
    measure = found.measure
    numbers = {
        "headline": _figures_tuple(measure.figures),
        "attended": _figures_tuple(measure.attended),
        "exclusions": dict(measure.exclusions),
    }
    for dimension in DIMENSIONS:
        numbers[dimension] = {
            row.key: _figures_tuple(row.figures) for row in found.breakdowns[dimension]
        }
    numbers["trend"] = {month.code: _figures_tuple(figures) for month, figures in found.trend}
    return numbers


def sql_parameters(period: periods.Period, today: date) -> dict:
    months = periods.months_ending(period, TREND_MONTHS)
    settings = rules.settings_on(period.end)
    if {rules.settings_on(month.end).effective_from for month in months} != {
        settings.effective_from
    }:
        raise DashboardMismatch("the trend spans two settings versions; the query assumes one")
    for reason in rules.AFTER_RELEASE_EXCLUSIONS:
        if settings.exclusion(reason) != Placement.EXCLUDED:
            raise DashboardMismatch(f"the query assumes {reason.value!r} excludes a release")
    excluded = settings.release_types_placed(Placement.EXCLUDED)
    return {
        "window_days": settings.window_days,
        "trend_start": months[0].start,
        "period_start": period.start,
        "period_end": period.end,
        "today": today,
        "cohort_needs": settings.treatment_needs_in_cohort(),
        "measured_types": settings.release_types_placed(Placement.COHORT) + excluded,
        "excluded_types": excluded,
    }


def query(parameters: dict) -> list:
    return db.session.execute(text(DASHBOARD_SQL), parameters).all()


def _add(cells: dict, key, outcome: str, count: int) -> None:
    met, not_met, pending, excluded = cells.get(key, (0, 0, 0, 0))
    cells[key] = (
        met + count * (outcome == "met"),
        not_met + count * (outcome == "not_met"),
        pending + count * (outcome == "pending"),
        excluded + count * (outcome == "excluded"),
    )


def by_sql(rows: list, period: periods.Period) -> dict:
    """The query's rows in the service's shape."""
    numbers: dict = {"headline": {}, "attended": {}, "exclusions": {}, "trend": {}}
    numbers.update({dimension: {} for dimension in DIMENSIONS})
    for row in rows:
        if row.by_month == 0:
            _add(numbers["trend"], row.month, row.outcome, row.n)
            continue
        if not row.in_period:
            continue
        if row.by_headline == 0:
            _add(numbers["headline"], "all", row.outcome, row.n)
            if row.outcome == "excluded":
                reasons = numbers["exclusions"]
                reasons[row.exclusion_reason] = reasons.get(row.exclusion_reason, 0) + row.n
            else:
                _add(numbers["attended"], "all", row.attended, row.n)
            continue
        dimension = next(name for name in DIMENSIONS if getattr(row, f"by_{name}") == 0)
        key = getattr(row, dimension)
        _add(numbers[dimension], None if key is None else str(key), row.outcome, row.n)
    for name in ("headline", "attended"):
        numbers[name] = numbers[name].get("all", (0, 0, 0, 0))
    numbers["trend"] = {
        month.code: numbers["trend"].get(month.code, (0, 0, 0, 0))
        for month in periods.months_ending(period, TREND_MONTHS)
    }
    return numbers


def check_same(period: periods.Period, today: date) -> dict:
    """The service's and the query's numbers, compared; a difference is an error."""
    if set(services.DIMENSIONS) - {services.PATHWAY} != set(DIMENSIONS):
        raise DashboardMismatch(
            f"the service's breakdowns {sorted(services.DIMENSIONS)} are not the query's"
        )
    service = by_service(period, today)
    sql = by_sql(query(sql_parameters(period, today)), period)
    for part in service:
        if service[part] != sql[part]:
            raise DashboardMismatch(
                f"{part}: the service gives {service[part]!r}, the SQL query {sql[part]!r}"
            )
    if not service["headline"][0] or not service["headline"][2] or not service["exclusions"]:
        raise DashboardMismatch(
            f"the data set lacks met, pending or excluded cases: {service['headline']!r}"
        )
    return service


def _timed(app, call: Callable[[], object]) -> float:
    """Milliseconds for one call in a fresh app context (a fresh session, as a request has)."""
    with app.app_context():
        started = time.perf_counter()
        call()
        return (time.perf_counter() - started) * 1000


def write_facts(app) -> tuple[int, float]:
    """The releases' facts rows from the records the bulk load wrote, and the settled months'
    counts (the continuity-months job, as it runs on a schedule): (rows, seconds)."""
    with app.app_context():
        started = time.perf_counter()
        written = facts.rebuild(db.session.connection())
        rollups.roll()
        db.session.commit()
        return written, time.perf_counter() - started


def arms(app, manager_client, timed_request) -> dict[str, Callable[[int], float]]:
    """The three timed ways of getting the dashboard's numbers, after checking they agree."""
    today = local_today()
    period = dashboard_period(today)
    write_facts(app)
    with app.app_context():
        numbers = check_same(period, today)
        parameters = sql_parameters(period, today)
    cohort = sum(numbers["headline"][:3])
    pages = [
        (f"/continuity/?period={period.code}", f"{cohort} (met, not met and pending)"),
        *(
            (f"/continuity/breakdown?period={period.code}&by={name}", f"by {heading.lower()}")
            for name, (heading, _names) in services.DIMENSIONS.items()
        ),
    ]

    def through_pages(_i) -> float:
        return sum(
            timed_request(manager_client, "GET", url, expect=expect) for url, expect in pages
        )

    return {
        "dashboard service": lambda _i: _timed(app, lambda: by_service(period, today)),
        "dashboard SQL": lambda _i: _timed(app, lambda: query(parameters)),
        "dashboard pages": through_pages,
    }


# python -m bench.dashboard: this figure alone, at two sizes in one database -----------------


def _extra_arms(app) -> dict[str, Callable[[int], float]]:
    """Two more ways, for before/after in one run: counting from the records (as before the
    facts were kept), and from the facts alone (every month live, no kept counts)."""
    today = local_today()
    period = dashboard_period(today)
    every_month_live = Scope("England")  # the whole country, but not the scope counts are kept for

    def from_facts() -> None:
        services.dashboard(
            every_month_live,
            period,
            dimensions=DIMENSIONS,
            trend_months=TREND_MONTHS,
            today=today,
        )

    return {
        "dashboard from records": lambda _i: _timed(
            app, lambda: by_service(period, today, from_records=True)
        ),
        "dashboard from facts alone": lambda _i: _timed(app, from_facts),
    }


def _measure_rounds(label: str, timed: dict, rounds: int) -> None:
    from bench import measure

    samples: dict[str, list[float]] = {name: [] for name in timed}
    for i in range(rounds + 2):
        for name, call in timed.items():
            elapsed = call(i)
            if i >= 2:  # the first two warm the caches
                samples[name].append(elapsed)
    p50 = {name: statistics.median(found) for name, found in samples.items()}
    for name, found in samples.items():
        measure.say(
            f"{label}: {name}: p50 {p50[name]:.0f} ms "
            f"(min {min(found):.0f}, max {max(found):.0f}, {len(found)} rounds)"
        )
    service = p50["dashboard service"]
    measure.say(
        f"{label}: service / SQL {service / p50['dashboard SQL']:.2f}; "
        f"from records / service {p50['dashboard from records'] / service:.2f}; "
        f"facts alone / service {p50['dashboard from facts alone'] / service:.2f}"
    )


def main() -> int:
    """BENCH_DASHBOARD_REUSE=1 times the database as it is (kept by an earlier BENCH_KEEP=1 run)
    without loading; BENCH_DASHBOARD_PAGES=0 leaves the pages out (the slowest arm)."""
    import flask_migrate

    from bench import measure

    url = os.environ.get("BENCH_DATABASE_URL", measure.DEFAULT_URL + "_dashboard")
    sizes = [int(n) for n in os.environ.get("BENCH_DASHBOARD_SIZES", "25000,250000").split(",")]
    rounds = int(os.environ.get("BENCH_DASHBOARD_ROUNDS", "15"))
    reuse = os.environ.get("BENCH_DASHBOARD_REUSE") == "1"
    pages = os.environ.get("BENCH_DASHBOARD_PAGES", "1") == "1"
    if not reuse:
        measure.create_database(url)
    app = measure.make_app(url)
    try:
        with app.app_context():
            flask_migrate.upgrade()
            loader = None if reuse else measure.bulk.Loader(measure.bulk.build_world())
        manager = None
        if loader is not None and pages:
            manager = measure.signed_in_client(app, loader.world.manager.user_id)
        for releases in [None] if reuse else sizes:
            if loader is not None:
                with app.app_context():
                    loaded = loader.load(releases - loader.releases)
                measure.say(f"{loader.releases:,} releases loaded ({loaded.seconds:.0f} s)")
            written, seconds = write_facts(app)
            measure.say(
                f"{written:,} facts rows written from the records and the settled months "
                f"counted in {seconds:.1f} s"
            )
            measure.vacuum_analyze(url)
            timed = arms(app, manager, measure.timed)
            if manager is None:
                timed.pop("dashboard pages")
            timed.update(_extra_arms(app))
            _measure_rounds(f"{written:,} releases", timed, rounds)
    finally:
        with app.app_context():
            db.engine.dispose()
        if os.environ.get("BENCH_KEEP") != "1":
            measure.drop_database(url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
