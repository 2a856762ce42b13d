"""A list's statement is built once and run again (``kept_pages.built_once``) only where it
would be built the same: for the same team as the scope rule gives it, the same day, the same
filters and page. A change to any of them lists what the change says."""

from datetime import timedelta

from sqlalchemy import false

from caseflow import kept_pages
from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.organisations.models import LocalAuthority, OrganisationKind
from caseflow.organisations.services import create_organisation
from caseflow.referrals import worklists
from caseflow.referrals.codes import Status
from tests.factories import (
    CustodyEpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    ReferralFactory,
    UserFactory,
)

TODAY = local_today()
HERE = "E08000025"
THERE = "E08000026"


def _released(prison, days_ago: int, area: str = HERE):
    return CustodyEpisodeFactory(
        person=PersonFactory(recorded_by=prison),
        prison=prison,
        actual_release_date=TODAY - timedelta(days=days_ago),
        destination_local_authority_code=area,
    )


def _ids(page) -> list:
    return [episode.id for episode in page.rows]


def test_a_probation_units_list_follows_a_change_to_its_areas(app):
    unit = create_organisation("Test probation delivery unit", OrganisationKind.PROBATION, [HERE])
    officer = UserFactory(role="probation", organisation=unit)
    prison = OrganisationFactory(kind=OrganisationKind.PRISON)
    here, there = _released(prison, 3), _released(prison, 4, THERE)
    db.session.flush()
    assert _ids(worklists.clock_running(officer)) == [here.id]

    unit.areas = [db.session.get(LocalAuthority, THERE)]
    db.session.flush()
    db.session.expire(unit)

    assert _ids(worklists.clock_running(officer)) == [there.id]


def test_one_prisons_list_is_never_anothers(app):
    first, second = (OrganisationFactory(kind=OrganisationKind.PRISON) for _ in range(2))
    first_nurse = UserFactory(role="prison_healthcare", organisation=first)
    second_nurse = UserFactory(role="prison_healthcare", organisation=second)
    mine, theirs = _released(first, 2), _released(second, 2)
    db.session.flush()

    assert _ids(worklists.clock_running(first_nurse)) == [mine.id]
    assert _ids(worklists.clock_running(second_nurse)) == [theirs.id]
    assert _ids(worklists.clock_running(first_nurse)) == [mine.id]


def test_a_list_built_on_one_day_is_not_the_next_days(app):
    prison = OrganisationFactory(kind=OrganisationKind.PRISON)
    nurse = UserFactory(role="prison_healthcare", organisation=prison)
    day_20 = _released(prison, 20)
    db.session.flush()

    assert _ids(worklists.clock_running(nurse, today=TODAY)) == [day_20.id]
    # Two days on, the release is on day 22: off the clock.
    assert _ids(worklists.clock_running(nurse, today=TODAY + timedelta(days=2))) == []
    assert _ids(worklists.clock_running(nurse, today=TODAY)) == [day_20.id]


def test_a_managers_list_follows_their_partnership_filter_and_page(app):
    partnership = create_organisation("Test partnership", "partnership", [HERE, THERE])
    other = create_organisation("Other partnership", "partnership", [THERE])
    manager = UserFactory(role="manager", organisation=partnership)
    other_manager = UserFactory(role="manager", organisation=other)
    prison = OrganisationFactory(kind=OrganisationKind.PRISON)
    here = [_released(prison, days) for days in range(1, 27)]
    there = _released(prison, 10, THERE)
    db.session.flush()

    everyone = worklists.area_at_risk(manager)
    assert (everyone.total, len(everyone.rows)) == (27, 25)
    # Running first, the most days gone first; then the breaches (day 22 on), the same way.
    assert _ids(worklists.area_at_risk(manager, page=2)) == [here[22].id, here[21].id]
    assert _ids(worklists.area_at_risk(manager, local_authority=THERE)) == [there.id]
    assert _ids(worklists.area_at_risk(other_manager)) == [there.id]
    assert _ids(worklists.area_at_risk(manager, flag="day21")) == [here[20].id]


def test_every_page_of_a_list_is_read_by_one_kept_statement(app):
    """A page number is whatever an address says: each must not keep a statement of its own."""
    prison = OrganisationFactory(kind=OrganisationKind.PRISON)
    nurse = UserFactory(role="prison_healthcare", organisation=prison)
    released = [_released(prison, days % 20 + 1) for days in range(30)]
    db.session.flush()

    first = worklists.clock_running(nurse)
    kept = len(kept_pages.kept)
    second = worklists.clock_running(nurse, page=2)
    for far in range(3, 40):
        worklists.clock_running(nurse, page=far)  # past the end: the last page

    assert len(kept_pages.kept) == kept
    assert (len(first.rows), len(second.rows)) == (25, 5)
    assert {e.id for e in first.rows} | {e.id for e in second.rows} == {e.id for e in released}


def test_one_providers_referral_lists_are_never_anothers(app):
    first = ReferralFactory(status=Status.ACCEPTED)
    second = ReferralFactory(status=Status.ACCEPTED)
    first_keyworker = UserFactory(role="keyworker", organisation=first.provider)
    second_keyworker = UserFactory(role="keyworker", organisation=second.provider)
    for keyworker, mine in ((first_keyworker, first), (second_keyworker, second)) * 2:
        assert [r.id for r in worklists.accepted_without_start(keyworker).rows] == [mine.id]


def test_a_referral_list_is_read_under_the_scope_rule_built_into_its_statement(app, monkeypatch):
    accepted = ReferralFactory(status=Status.ACCEPTED)
    keyworker = UserFactory(role="keyworker", organisation=accepted.provider)
    # The rule's condition for this viewer's scope key is built into the list's statement when
    # it is first built (and runs with the viewer and the moment: test_kept_emergency_access).
    monkeypatch.setattr(worklists, "visible_referrals", lambda _user, kept=False: false())
    assert worklists.accepted_without_start(keyworker).rows == []
    # Another provider's list is its own statement, under its own condition.
    monkeypatch.undo()
    other = ReferralFactory(status=Status.ACCEPTED)
    colleague = UserFactory(role="keyworker", organisation=other.provider)
    assert [r.id for r in worklists.accepted_without_start(colleague).rows] == [other.id]
