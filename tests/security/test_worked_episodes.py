"""A prison's and a probation unit's worklists start from their own releases
(``scope.worked_episodes``), never from every release in the country: a prison's, those it holds;
a probation unit's, those released into its areas and those of the people it recorded or
referred. Each is of someone in the team's caseload (SECURITY.md: the legitimate relationship),
so starting there shows no one the rule would not."""

from datetime import timedelta

from sqlalchemy import or_, select

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.organisations.models import OrganisationKind
from caseflow.organisations.services import create_organisation
from caseflow.people.models import CustodyEpisode, Person
from caseflow.referrals import worklists
from caseflow.referrals.codes import Status
from caseflow.security.scope import caseload_people, worked_episodes
from tests.factories import (
    CustodyEpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    ReferralFactory,
    UserFactory,
)

TODAY = local_today()
SOON = TODAY + timedelta(days=10)
HERE, ELSEWHERE = "E08000025", "E06000026"
ROLE_OF = {OrganisationKind.PRISON: "prison_healthcare", OrganisationKind.PROBATION: "probation"}


def releasing(prison, person=None, **fields):
    person = person or PersonFactory(recorded_by=prison)
    return CustodyEpisodeFactory(person=person, prison=prison, expected_release_date=SOON, **fields)


def released(prison, days_ago: int, **fields):
    person = PersonFactory(recorded_by=prison)
    return CustodyEpisodeFactory(
        person=person,
        prison=prison,
        actual_release_date=TODAY - timedelta(days=days_ago),
        release_type="licence",
        **fields,
    )


def community_referral(person, *, referrer, provider=None):
    """A sent referral with no release (a community referral) between two organisations."""
    return ReferralFactory(
        episode=None,
        person=person,
        status=Status.SENT,
        referring_organisation_id=referrer.id,
        referred_by_id=UserFactory(organisation=referrer, role=ROLE_OF[referrer.kind]).id,
        **({"provider_id": provider.id} if provider else {}),
    )


def worked_ids(user) -> set:
    return set(db.session.scalars(select(CustodyEpisode.id).where(or_(*worked_episodes(user)))))


def caseload_episode_ids(user) -> set:
    return set(
        db.session.scalars(
            select(CustodyEpisode.id).join(CustodyEpisode.person).where(caseload_people(user))
        )
    )


def test_a_prison_works_on_the_releases_it_holds_and_a_transfer_hands_them_on(app):
    holding, sending = (
        OrganisationFactory(kind=OrganisationKind.PRISON),
        OrganisationFactory(kind=OrganisationKind.PRISON),
    )
    nurse = UserFactory(role="prison_healthcare", organisation=holding)
    held = releasing(holding)
    # Recorded and referred by the sending prison, then transferred here: this prison's now.
    transferred = releasing(holding, person=PersonFactory(recorded_by=sending))
    ReferralFactory(episode=transferred, status=Status.DRAFT, referring_organisation_id=sending.id)
    releasing(sending)
    out = released(holding, days_ago=3)
    released(sending, days_ago=3)

    listed = worklists.releasing_without_referral(nurse)
    assert {e.id for e in listed.rows} == {held.id, transferred.id}
    assert [e.id for e in worklists.clock_running(nurse).rows] == [out.id]
    sender = UserFactory(role="prison_healthcare", organisation=sending)
    assert transferred.id not in {e.id for e in worklists.releasing_without_referral(sender).rows}


def test_a_probation_unit_works_on_releases_into_its_areas_and_its_own_peoples(app):
    unit = create_organisation("Test probation delivery unit", OrganisationKind.PROBATION, [HERE])
    officer = UserFactory(role="probation", organisation=unit)
    prison = OrganisationFactory(kind=OrganisationKind.PRISON)
    into_area = releasing(prison, destination_local_authority_code=HERE)
    recorded = releasing(
        prison, person=PersonFactory(recorded_by=unit), destination_local_authority_code=ELSEWHERE
    )
    referred = releasing(prison, destination_local_authority_code=ELSEWHERE)
    community_referral(referred.person, referrer=unit)
    releasing(prison, destination_local_authority_code=ELSEWHERE)  # nothing to do with the unit
    early = released(prison, days_ago=2, destination_local_authority_code=HERE)
    late = released(prison, days_ago=9, destination_local_authority_code=ELSEWHERE)
    late.person.recorded_by_organisation_id = unit.id
    released(prison, days_ago=4, destination_local_authority_code=ELSEWHERE)
    db.session.flush()

    listed = worklists.releasing_without_referral(officer)
    assert {e.id for e in listed.rows} == {into_area.id, recorded.id, referred.id}
    assert listed.total == 3
    dates = [e.expected_release_date for e in listed.rows]
    assert dates == sorted(dates)
    assert [e.id for e in worklists.clock_running(officer).rows] == [late.id, early.id]


def test_every_release_a_team_works_on_is_of_someone_in_its_caseload(app):
    unit = create_organisation("Test probation delivery unit", OrganisationKind.PROBATION, [HERE])
    prisons = [OrganisationFactory(kind=OrganisationKind.PRISON) for _ in range(2)]
    for prison in prisons:
        releasing(prison, destination_local_authority_code=HERE)
        releasing(prison, destination_local_authority_code=ELSEWHERE)
        released(prison, days_ago=5, destination_local_authority_code=HERE)
    releasing(prisons[0], person=PersonFactory(recorded_by=unit))
    referred = releasing(prisons[1], destination_local_authority_code=ELSEWHERE)
    community_referral(referred.person, referrer=prisons[1], provider=unit)
    users = [UserFactory(role="probation", organisation=unit)] + [
        UserFactory(role="prison_healthcare", organisation=prison) for prison in prisons
    ]
    db.session.flush()
    for user in users:
        worked = worked_ids(user)
        assert worked, user.role
        assert worked <= caseload_episode_ids(user)


def test_people_are_read_through_the_rule_for_other_teams(app):
    keyworker = UserFactory(role="keyworker")
    assert worked_episodes(keyworker) is None
    assert db.session.scalar(select(Person.id).where(caseload_people(keyworker))) is None


def test_a_relationship_built_once_follows_the_organisations_areas_as_they_change(app):
    """Each organisation's condition is built once (scope._caseload_conditions) and reads its
    areas when it runs, so a unit given another area sees the people released into it."""
    from caseflow.organisations.models import LocalAuthority

    unit = create_organisation("Test probation delivery unit", OrganisationKind.PROBATION, [HERE])
    officer = UserFactory(role="probation", organisation=unit)
    elsewhere = releasing(OrganisationFactory(kind=OrganisationKind.PRISON))
    elsewhere.destination_local_authority_code = ELSEWHERE
    db.session.flush()
    assert caseload_people(officer) is caseload_people(officer)
    assert elsewhere.id not in caseload_episode_ids(officer)
    unit.areas.append(db.session.get(LocalAuthority, ELSEWHERE))
    db.session.flush()
    assert elsewhere.id in caseload_episode_ids(officer)
    assert elsewhere.id in {e.id for e in worklists.releasing_without_referral(officer).rows}
