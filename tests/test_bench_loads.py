"""`make bench` is not part of `make test` (it times things), but it must keep loading: its bulk
path builds the same rows the services write, from the same code lists and models, and its
hand-written dashboard query must count what the continuity service counts."""

import importlib

import pytest
from sqlalchemy import select

from bench import bulk, dashboard, floors
from caseflow.auth.models import User
from caseflow.continuity import facts
from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.people.codes import DeathSource
from caseflow.people.models import CustodyEpisode, Person
from caseflow.referrals import worklists
from caseflow.referrals.worklist_pages import PAGE_SIZE


def test_the_benchmark_modules_import():
    for name in ("bench.bulk", "bench.measure", "bench.dashboard"):
        assert importlib.import_module(name).__name__ == name


@pytest.fixture
def loaded(app):
    """A small bulk load inside the test's transaction (the bench commits its own batches)."""
    world = bulk.build_world()
    loader = bulk.Loader(world)
    for batch in loader.batches(loader.plan(1500)):
        assert bulk.check_parity(batch) > 0
        batch.insert(db.session.connection())
    # The bulk path writes the records without the ORM, so the measure's facts rows are built
    # from them afterwards, as the bench does (flask continuity rebuild-facts).
    facts.rebuild(db.session.connection())
    return loader


@pytest.mark.postgres
def test_the_bulk_load_records_deaths_and_removals_as_the_services_would(loaded):
    today = local_today()
    deaths = [
        (person.date_of_birth, person.date_of_death, person.date_of_death_source)
        for person in db.session.scalars(select(Person).where(Person.date_of_death.is_not(None)))
    ]
    removals = db.session.execute(
        select(CustodyEpisode.actual_release_date, CustodyEpisode.removed_from_country_on).where(
            CustodyEpisode.removed_from_country_on.is_not(None)
        )
    ).all()
    assert deaths and removals
    # record_death: on or after birth, not in the future, with a source from the code list.
    for born, died, source in deaths:
        assert born <= died <= today and DeathSource.has(source)
    # record_removal: on or after the release it follows, not in the future.
    for released, removed in removals:
        assert released <= removed <= today


@pytest.mark.postgres
def test_the_benchs_one_sql_query_gives_the_continuity_services_numbers(loaded):
    today = local_today()
    # Raises if any cell differs, or if the data lacks met, pending or excluded cases.
    numbers = dashboard.check_same(dashboard.dashboard_period(today), today)
    # Excluded by release type, and by a removal or death within the window: each has cases.
    assert {"other_secure_setting", "deported", "outside_england"} & set(numbers["exclusions"])
    assert numbers["trend"] and numbers["provider"] and numbers["age_band"]


@pytest.mark.postgres
def test_the_measured_prisons_and_probation_units_lists_fill_their_first_page(loaded):
    # At a size where the teams' share of the random cases fills no page, the fixed set does:
    # the bench then compares full pages at both sizes (bulk.LIST_CASES).
    world = loaded.world
    fixed = {
        kind: sum(count for case_kind, _, count in bulk.LIST_CASES if case_kind == kind)
        for kind in (bulk.IN_CUSTODY, bulk.RELEASED)
    }
    for staff in (world.list_prison, world.list_probation):
        user = db.session.get(User, staff.user_id)
        for listed, kind in (
            (worklists.releasing_without_referral, bulk.IN_CUSTODY),
            (worklists.clock_running, bulk.RELEASED),
        ):
            page = listed(user)
            assert len(page.rows) == PAGE_SIZE
            assert page.total >= fixed[kind]


@pytest.mark.postgres
def test_the_worklists_sql_floor_reads_the_rows_the_page_shows(app, loaded):
    world = loaded.world
    keyworker = db.session.get(User, world.target.user_id)
    page = worklists.accepted_without_start(keyworker)
    floor = floors.accepted_page(world.target.organisation_id)
    assert len(page.rows) == PAGE_SIZE
    assert [row.person_id for row in floor[:PAGE_SIZE]] == [r.person_id for r in page.rows]
    assert floor[0].listed == page.total

    def page_of(person_ids):
        links = "".join(f'<a href="/people/{pid}">x</a>' for pid in person_ids)
        return f'<tbody class="govuk-table__body">{links}</tbody>'

    ids = [row.person_id for row in floor[:PAGE_SIZE]]
    floors.check_same_people(page_of(ids), floor)
    with pytest.raises(floors.FloorMismatch):
        floors.check_same_people(page_of(list(reversed(ids))), floor)
