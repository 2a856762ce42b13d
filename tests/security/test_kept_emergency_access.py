"""Emergency access under kept statements (caseflow.security.scope, kept=True).

The statements finding a person, a referral, the basis of access and the person page's
referrals are built once for a scope and run again for every request of anyone with that
scope. Emergency access must still be decided when each one runs (SECURITY.md, DOMAIN.md): a
grant ends with its hour at the next run of the very statement that found the person under it,
and a grant is its holder's alone and for its one person, whoever ran the statement before.
Each test checks that the statement was kept (the same object run again), so none passes by
building afresh.
"""

from datetime import timedelta

import pytest
from sqlalchemy import exc, select

from caseflow import kept_pages
from caseflow.dates import local_today
from caseflow.domain import NotFound
from caseflow.extensions import db
from caseflow.kept_statements import same_sql
from caseflow.models import utcnow
from caseflow.people import services as people
from caseflow.people.models import Person
from caseflow.referrals import timeline
from caseflow.referrals.models import Referral
from caseflow.referrals.services import reading
from caseflow.security import scope
from caseflow.security.access import Role
from tests.continuity.cohort import BIRMINGHAM, manager_of, release
from tests.factories import (
    OrganisationFactory,
    ReferralFactory,
    UserFactory,
    person_in_custody_at,
    provider_serving,
)
from tests.helpers import grant_emergency_access


def later_by(monkeypatch, delta: timedelta) -> None:
    """Move the clock the scope rule reads when a statement runs."""
    moved = utcnow() + delta
    monkeypatch.setattr("caseflow.security.scope.utcnow", lambda: moved)


def two_keyworkers():
    """Two keyworkers of one provider: one scope, so one kept statement for both."""
    provider = provider_serving()
    holder = UserFactory(role=Role.KEYWORKER, organisation=provider)
    colleague = UserFactory(role=Role.KEYWORKER, organisation=provider)
    assert scope.scope_key(holder) == scope.scope_key(colleague)
    return holder, colleague


def someone_elsewhere():
    return person_in_custody_at(OrganisationFactory(kind="prison"))


# Each way of finding under the scope rule: the kept statement it runs, and whether it finds.
def person_statement(user):
    return people._person_statement(user, load_contacts=True, ask_held=True)


def finds_person(user, person_id) -> bool:
    try:
        people.find_visible_person(user, person_id, load_contacts=True, ask_held=True)
    except NotFound:
        return False
    return True


def finds_referral(user, person_id) -> bool:
    referral_id = db.session.scalar(select(Referral.id).where(Referral.person_id == person_id))
    try:
        reading.find_visible_referral(user, referral_id)
    except NotFound:
        return False
    return True


def lists_the_referrals(user, person_id) -> bool:
    # Outside a request the person page's referrals are read afresh on every call.
    return bool(timeline._referrals_shown(user, db.session.get(Person, person_id)))


def basis_is_emergency_access(user, person_id) -> bool:
    # Outside a request access_basis remembers nothing, so each call runs its statement.
    return scope.access_basis(user, person_id) == scope.Basis.BREAK_GLASS


FINDERS = {
    "person": (person_statement, finds_person, people.kept),
    "referral": (reading._referral_statement, finds_referral, reading.kept),
    "basis": (scope._basis_statement, basis_is_emergency_access, scope._basis_statements),
    "person page's referrals": (timeline._statement, lists_the_referrals, kept_pages.kept),
}


@pytest.fixture(params=list(FINDERS))
def finder(request):
    statement_of, finds, store = FINDERS[request.param]
    store.forget()
    return statement_of, finds


def out_of_scope_person():
    """Someone with a sent referral to another provider: out of everyone's scope here."""
    return ReferralFactory(episode__person__recorded_by=OrganisationFactory(kind="prison")).person


def test_a_grant_ends_with_its_hour_at_the_next_run_of_the_same_statement(finder, monkeypatch):
    statement_of, finds = finder
    holder, _colleague = two_keyworkers()
    person = out_of_scope_person()
    assert not finds(holder, person.id)
    grant_emergency_access(holder, person.id, minutes_left=30)
    kept = statement_of(holder)
    assert finds(holder, person.id)

    later_by(monkeypatch, timedelta(minutes=29))
    assert finds(holder, person.id)
    later_by(monkeypatch, timedelta(minutes=30, seconds=1))
    assert statement_of(holder) is kept
    assert not finds(holder, person.id)


def test_a_grant_that_has_ended_gives_nothing_before_the_statement_is_kept(finder):
    statement_of, finds = finder
    holder, _colleague = two_keyworkers()
    person = out_of_scope_person()
    grant_emergency_access(holder, person.id, minutes_left=-1)
    assert not finds(holder, person.id)
    assert statement_of(holder) is statement_of(holder)


def test_another_user_running_the_statement_gets_none_of_the_holders_grants(finder):
    statement_of, finds = finder
    holder, colleague = two_keyworkers()
    person = out_of_scope_person()
    grant_emergency_access(holder, person.id)
    kept = statement_of(holder)
    assert finds(holder, person.id)
    assert not finds(colleague, person.id)
    assert finds(holder, person.id)
    assert statement_of(colleague) is kept


def test_the_holder_running_it_after_another_user_still_gets_their_grant(finder):
    statement_of, finds = finder
    holder, colleague = two_keyworkers()
    person = out_of_scope_person()
    grant_emergency_access(holder, person.id)
    assert not finds(colleague, person.id)
    assert finds(holder, person.id)
    assert statement_of(holder) is statement_of(colleague)


def test_a_grant_opens_its_one_person_only(finder):
    _statement_of, finds = finder
    holder, _colleague = two_keyworkers()
    person, other = out_of_scope_person(), out_of_scope_person()
    grant_emergency_access(holder, person.id)
    assert finds(holder, person.id)
    assert not finds(holder, other.id)
    assert finds(holder, person.id)


def test_a_kept_statement_run_without_its_viewer_is_refused():
    holder, _colleague = two_keyworkers()
    person = someone_elsewhere()
    grant_emergency_access(holder, person.id)
    statement = person_statement(holder)
    with pytest.raises(exc.StatementError, match="scope_viewer_id"):
        db.session.execute(statement, {"found_person_id": person.id})


def test_the_relationship_is_still_each_organisations_own():
    prison, elsewhere = OrganisationFactory(kind="prison"), OrganisationFactory(kind="prison")
    person = person_in_custody_at(prison)
    here = UserFactory(role=Role.PRISON_HEALTHCARE, organisation=prison)
    there = UserFactory(role=Role.PRISON_HEALTHCARE, organisation=elsewhere)
    for _turn in range(2):
        assert finds_person(here, person.id)
        assert not finds_person(there, person.id)
        assert scope.access_basis(here, person.id) == scope.Basis.RELATIONSHIP
        assert scope.access_basis(there, person.id) is None


def test_a_warm_lookup_builds_no_scope_condition(monkeypatch):
    holder, _colleague = two_keyworkers()
    person = out_of_scope_person()
    grant_emergency_access(holder, person.id)
    people.kept.forget()
    reading.kept.forget()
    built = []

    def counted(rule):
        def condition(*args, **kwargs):
            built.append(rule.__name__)
            return rule(*args, **kwargs)

        return condition

    monkeypatch.setattr(people, "visible_people", counted(scope.visible_people))
    monkeypatch.setattr(reading, "visible_referrals", counted(scope.visible_referrals))
    for _turn in range(3):
        assert finds_person(holder, person.id)
        assert finds_referral(holder, person.id)
    assert built == ["visible_people", "visible_referrals"]


def test_a_kept_condition_is_keyed_the_same_whatever_the_moment(monkeypatch):
    holder, colleague = two_keyworkers()
    other = UserFactory(role=Role.KEYWORKER, organisation=provider_serving())
    now = same_sql(scope.visible_people(holder, kept=True))
    later_by(monkeypatch, timedelta(hours=2))
    assert same_sql(scope.visible_people(colleague, kept=True)) == now
    assert same_sql(scope.visible_people(other, kept=True)) != now
    # A condition built for one call names its user, so it is never one another user shares.
    assert same_sql(scope.visible_people(holder)) != same_sql(scope.visible_people(colleague))


@pytest.mark.parametrize("manager_first", [True, False])
def test_staff_of_one_organisation_in_other_roles_never_share_a_kept_person_statement(
    app, manager_first
):
    # The role is part of what a kept statement is kept by: an auditor of a partnership sees
    # no clinical record, whichever of the two asked first, though the partnership's manager
    # sees the people released into its area (their keys differ by nothing else).
    manager = manager_of(BIRMINGHAM)
    auditor = UserFactory(role=Role.AUDITOR, organisation=manager.organisation)
    person = release(local_today() - timedelta(days=10)).person
    people.kept.forget()
    askers = [(manager, True), (auditor, False)]
    if not manager_first:
        askers.reverse()
    for _ in range(2):
        for user, may_see in askers:
            try:
                people.find_visible_person(user, person.id, load_contacts=True, ask_held=True)
                found = True
            except NotFound:
                found = False
            assert found is may_see, user.role
