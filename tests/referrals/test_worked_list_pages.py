"""A prison's and a probation unit's lists as pages: each says how many cases it holds, a page
past the end is the last, and a release two of a unit's sources find is listed and counted once
(``worklist_pages.worked_page``; PERFORMANCE.md: the list is counted as it is read)."""

from datetime import timedelta

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.organisations.models import OrganisationKind
from caseflow.organisations.services import create_organisation
from caseflow.referrals import worklists
from tests.factories import CustodyEpisodeFactory, OrganisationFactory, PersonFactory, UserFactory

TODAY = local_today()
HERE = "E08000025"


def _releasing(prison, days: int, *, person=None, **fields):
    return CustodyEpisodeFactory(
        person=person or PersonFactory(recorded_by=prison),
        prison=prison,
        expected_release_date=TODAY + timedelta(days=days),
        **fields,
    )


def test_a_page_past_the_end_of_a_prisons_list_is_its_last(app):
    prison = OrganisationFactory(kind=OrganisationKind.PRISON)
    nurse = UserFactory(role="prison_healthcare", organisation=prison)
    made = [_releasing(prison, days) for days in range(1, 31)]
    db.session.flush()

    past = worklists.releasing_without_referral(nurse, page=7)
    assert (past.page, past.total, past.pages, past.has_next) == (2, 30, 2, False)
    assert [e.id for e in past.rows] == [e.id for e in made[25:]]
    first = worklists.releasing_without_referral(nurse, page=1)
    assert (first.total, first.has_next, len(first.rows)) == (30, True, 25)


def test_an_empty_list_past_its_end_is_its_first_page_with_no_one(app):
    prison = OrganisationFactory(kind=OrganisationKind.PRISON)
    nurse = UserFactory(role="prison_healthcare", organisation=prison)

    empty = worklists.clock_running(nurse, page=3)
    assert (empty.page, empty.total, empty.rows) == (1, 0, [])


def test_a_release_two_of_a_units_sources_find_is_listed_and_counted_once(app):
    unit = create_organisation("Test probation delivery unit", OrganisationKind.PROBATION, [HERE])
    officer = UserFactory(role="probation", organisation=unit)
    prison = OrganisationFactory(kind=OrganisationKind.PRISON)
    # Recorded by the unit and released into its area: found by two sources.
    both = _releasing(
        prison, 3, person=PersonFactory(recorded_by=unit), destination_local_authority_code=HERE
    )
    into_area = _releasing(prison, 5, destination_local_authority_code=HERE)
    db.session.flush()

    listed = worklists.releasing_without_referral(officer)
    assert [e.id for e in listed.rows] == [both.id, into_area.id]
    assert listed.total == 2


def test_a_keyworkers_empty_list_past_its_end_is_its_first_page(app):
    provider = OrganisationFactory(kind=OrganisationKind.TREATMENT_PROVIDER)
    keyworker = UserFactory(role="keyworker", organisation=provider)

    empty = worklists.incoming(keyworker, page=4)
    assert (empty.page, empty.total, empty.rows) == (1, 0, [])
