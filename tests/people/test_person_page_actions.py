"""The person page offers exactly the custody and referral actions its services compute.

Expected sets come from DOMAIN.md and the permission table (SECURITY.md): only prison healthcare
records custody (custody.create, custody.update), and only at the prison holding the episode;
a person has at most one open episode; prison healthcare and probation start referrals
(referral.create) for someone with a custody episode; emergency access starts nothing. Any
clinical role in scope records a death, and a removal from the country once a release is
recorded (death.record, removal.record); the holding prison corrects the treatment need.
"""

from datetime import timedelta

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.organisations.models import LocalAuthority, Organisation
from caseflow.people.custody_rules import custody_actions
from caseflow.people.models import BreakGlassGrant
from caseflow.people.services import find_visible_person
from caseflow.referrals.timeline import person_referrals
from tests.factories import (
    CustodyEpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    ReferralFactory,
    UserFactory,
    person_in_custody_at,
)
from tests.helpers import page, signed_in_client

OPEN_EPISODE = {
    "Record release",
    "Change expected release date",
    "Record transfer",
    "Correct treatment need",
}
RELEASED_EPISODE = {"Correct release", "Correct treatment need"}
ADD_EPISODE = "Add a custody episode"
CREATE_REFERRAL = "Create a referral to community treatment"
RECORD_DEATH = "Record date of death"
RECORD_REMOVAL = "Record removal from the country"


def offered_on_page(client, person) -> dict:
    """The custody and referral-starting links the page shows, by what they act on."""
    soup = page(client, f"/people/{person.id}")
    offered = {"person": set()}
    for episode in person.episodes:
        offered[episode.id] = set()
    for link in soup.select("main a"):
        href = link.get("href", "")
        text = link.get_text(" ", strip=True)
        if href in (
            f"/people/{person.id}/custody/new",
            f"/people/{person.id}/referrals/new",
            f"/people/{person.id}/death",
            f"/people/{person.id}/removal",
        ):
            offered["person"].add(text)
        for episode in person.episodes:
            if href.startswith(f"/people/{person.id}/custody/{episode.id}/"):
                offered[episode.id].add(text)
    return offered


def computed_by_service(user, person) -> dict:
    """What the services say the page offers, in the same shape: custody from custody_rules,
    starting a referral from the referrals section of the page."""
    person = find_visible_person(user, person.id, load_episodes=True)
    actions = custody_actions(user, person)
    referring = person_referrals(user, person)["actions"]
    computed = {"person": {label for _, label in [*actions.for_person, *referring]}}
    for episode in person.episodes:
        computed[episode.id] = {label for _, label in actions.for_episode(episode)}
    return computed


def released(episode, days_ago: int = 10):
    episode.actual_release_date = local_today() - timedelta(days=days_ago)
    episode.release_type = "licence"
    return episode


def check_page(app, user, person, expected: dict) -> None:
    db.session.commit()
    client = signed_in_client(app, user)
    shown = offered_on_page(client, person)
    assert shown == expected
    assert computed_by_service(user, person) == expected


def test_the_holding_prison_changes_its_open_episode_and_may_refer(app, sign_in):
    _, nurse = sign_in("prison_healthcare")
    person = person_in_custody_at(nurse.organisation)
    episode = person.episodes[0]
    check_page(
        app, nurse, person, {"person": {CREATE_REFERRAL, RECORD_DEATH}, episode.id: OPEN_EPISODE}
    )


def test_after_release_the_holding_prison_corrects_it_and_may_add_a_new_episode(app, sign_in):
    _, nurse = sign_in("prison_healthcare")
    person = person_in_custody_at(nurse.organisation)
    episode = released(person.episodes[0])
    check_page(
        app,
        nurse,
        person,
        {
            "person": {ADD_EPISODE, CREATE_REFERRAL, RECORD_DEATH, RECORD_REMOVAL},
            episode.id: RELEASED_EPISODE,
        },
    )


def test_after_a_transfer_only_the_prison_now_holding_the_episode_changes_it(app, sign_in):
    _, nurse = sign_in("prison_healthcare")
    earlier_prison = OrganisationFactory(kind="prison")
    person = PersonFactory(recorded_by=earlier_prison)
    earlier = released(CustodyEpisodeFactory(person=person, prison=earlier_prison), 400)
    current = CustodyEpisodeFactory(person=person, prison=nurse.organisation)
    db.session.refresh(person)
    check_page(
        app,
        nurse,
        person,
        {
            "person": {CREATE_REFERRAL, RECORD_DEATH, RECORD_REMOVAL},
            earlier.id: set(),
            current.id: OPEN_EPISODE,
        },
    )


def test_probation_may_refer_but_records_no_custody(app, sign_in):
    _, officer = sign_in("probation")
    prison = OrganisationFactory(kind="prison")
    person = PersonFactory(recorded_by=officer.organisation)
    episode = CustodyEpisodeFactory(person=person, prison=prison)
    db.session.refresh(person)
    check_page(app, officer, person, {"person": {CREATE_REFERRAL, RECORD_DEATH}, episode.id: set()})


def test_a_keyworker_records_only_a_death_or_removal_and_a_manager_neither(app, sign_in):
    referral = ReferralFactory(status="accepted")
    person = referral.person
    keyworker = UserFactory(
        role="keyworker", organisation=db.session.get(Organisation, referral.provider_id)
    )
    after_release = {RECORD_DEATH, RECORD_REMOVAL}  # the referral's episode is released
    check_page(app, keyworker, person, {"person": after_release, referral.episode.id: set()})
    _, manager = sign_in("manager")
    manager.organisation.areas = [db.session.get(LocalAuthority, "E08000025")]  # Birmingham
    # The manager's partnership is judged on the rate that a death or removal changes.
    check_page(app, manager, person, {"person": set(), referral.episode.id: set()})


def test_emergency_access_offers_no_custody_change_and_no_referral(app, sign_in):
    _, nurse = sign_in("prison_healthcare")
    elsewhere = OrganisationFactory(kind="prison")
    person = person_in_custody_at(elsewhere)
    episode = released(person.episodes[0])
    db.session.add(
        BreakGlassGrant(
            user_id=nurse.id,
            organisation_id=nurse.organisation_id,
            person_id=person.id,
            reason="Arrived at reception from court",
            expires_at=utcnow() + timedelta(minutes=60),
        )
    )
    check_page(app, nurse, person, {"person": set(), episode.id: set()})
