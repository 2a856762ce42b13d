"""The referral rules of DOMAIN.md ("Records": Person, Custody episode, Referral) that decide
who can be referred, how often, to whom, and which lists follow:

- probation can add a person who has never been in custody and refer them: a community
  referral, same lifecycle, no release clock, never in the continuity measure's cohort;
- one live referral per release and pathway: a second is refused, pointing to the live one;
- a redirect goes to another provider serving where the person is going; when they are going
  elsewhere it is also a correction of the destination, kept with its reason and audited;
- worklists show the live referral of a release, count a late start as a breach, and keep
  release types with no community clock (another secure setting, deported, outside England)
  off the clock.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from caseflow.audit.models import AuditEvent
from caseflow.dates import local_today
from caseflow.domain import InvalidChange, InvalidTransition
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.organisations.services import create_organisation
from caseflow.people import custody
from caseflow.people.models import CustodyChange, Person
from caseflow.referrals import worklists
from caseflow.referrals.codes import Status
from caseflow.referrals.live import LiveReferralExists
from caseflow.referrals.models import Referral
from caseflow.referrals.services import reading, redirection, starting
from caseflow.referrals.services.handover import change_status, create_referral
from caseflow.security.scope import caseload_people
from tests.factories import (
    CustodyEpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    ReferralFactory,
    UserFactory,
    provider_serving,
)
from tests.helpers import page

TODAY = local_today()
BIRMINGHAM, COVENTRY, PLYMOUTH = "E08000025", "E08000026", "E06000026"


def handover(provider, **fields) -> dict:
    return {
        "provider_id": provider.id,
        "consent": "given",
        "substance_group": "opiate",
        "opioid_medicine": "none",
        **fields,
    }


def probation_officer(*areas: str):
    unit = create_organisation("Test probation unit", "probation", list(areas or (BIRMINGHAM,)))
    return UserFactory(role="probation", organisation=unit)


def never_in_custody(officer) -> Person:
    return PersonFactory(recorded_by=officer.organisation)


def released_at(prison, days_ago: int = 3, **fields):
    return CustodyEpisodeFactory(
        person=PersonFactory(recorded_by=prison),
        prison=prison,
        actual_release_date=TODAY - timedelta(days=days_ago),
        **fields,
    )


def referrer_for(episode):
    return UserFactory(role="prison_healthcare", organisation=episode.prison)


# Community referrals ------------------------------------------------------------------------


def test_probation_refers_a_person_never_in_custody_as_a_community_referral(app):
    officer = probation_officer()
    person = never_in_custody(officer)
    provider = provider_serving(BIRMINGHAM)

    assert starting.person_page_actions(officer, person) == [
        ("referrals.new_referral", "Create a community referral")
    ]
    referral = create_referral(officer, person.id, **handover(provider))

    assert referral.episode_id is None and referral.community
    assert referral.status == Status.DRAFT
    summary = reading.clock_for(referral).summary()
    assert summary.sentence.startswith("No release clock")


def test_a_community_referral_follows_the_same_lifecycle(app):
    officer = probation_officer()
    person = never_in_custody(officer)
    provider = provider_serving(BIRMINGHAM)
    referral = create_referral(officer, person.id, **handover(provider))
    keyworker = UserFactory(role="keyworker", organisation=provider)

    change_status(officer, referral.id, "send")
    change_status(keyworker, referral.id, "accept")
    change_status(keyworker, referral.id, "engage", treatment_start_date=TODAY)

    assert db.session.get(Referral, referral.id).status == Status.ENGAGED
    incoming_to_provider = worklists.in_treatment(keyworker).rows
    assert [r.id for r in incoming_to_provider] == [referral.id]


def test_a_community_referral_goes_to_a_provider_serving_the_probation_units_area(app):
    officer = probation_officer(BIRMINGHAM)
    person = never_in_custody(officer)
    elsewhere = provider_serving(PLYMOUTH)
    with pytest.raises(InvalidChange) as refused:
        create_referral(officer, person.id, **handover(elsewhere))
    assert refused.value.field == "provider"


def test_prison_healthcare_adds_a_custody_episode_before_referring(app):
    prison = OrganisationFactory(kind="prison")
    nurse = UserFactory(role="prison_healthcare", organisation=prison)
    person = PersonFactory(recorded_by=prison)
    assert starting.person_page_actions(nurse, person) == []
    with pytest.raises(InvalidTransition, match="custody episode"):
        create_referral(nurse, person.id, **handover(provider_serving()))


# One live referral per release and pathway ---------------------------------------------------


@pytest.mark.parametrize("live", [Status.DRAFT, Status.SENT, Status.ACCEPTED, Status.ENGAGED])
def test_a_second_referral_for_a_release_is_refused_while_one_is_live(app, live):
    episode = released_at(OrganisationFactory(kind="prison"))
    first = ReferralFactory(episode=episode, status=live)
    with pytest.raises(LiveReferralExists) as refused:
        create_referral(referrer_for(episode), episode.person_id, **handover(provider_serving()))
    assert refused.value.live_referral_id == first.id
    assert first.reference in str(refused.value)


@pytest.mark.parametrize("ended", [Status.REJECTED, Status.WITHDRAWN, Status.CLOSED])
def test_a_new_referral_may_follow_one_that_ended(app, ended):
    episode = released_at(OrganisationFactory(kind="prison"))
    ReferralFactory(episode=episode, status=ended)
    again = create_referral(
        referrer_for(episode), episode.person_id, **handover(provider_serving())
    )
    assert again.status == Status.DRAFT


def test_one_live_community_referral_per_person(app):
    officer = probation_officer()
    person = never_in_custody(officer)
    provider = provider_serving(BIRMINGHAM)
    first = create_referral(officer, person.id, **handover(provider))
    with pytest.raises(LiveReferralExists) as refused:
        create_referral(officer, person.id, **handover(provider))
    assert refused.value.live_referral_id == first.id


def test_the_database_refuses_a_second_live_referral_for_one_release(app):
    episode = released_at(OrganisationFactory(kind="prison"))
    ReferralFactory(episode=episode, status=Status.ENGAGED)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        ReferralFactory(episode=episode, status=Status.SENT)


# Redirects and the destination ---------------------------------------------------------------


def test_a_redirect_offers_other_providers_serving_the_destination(app):
    referral = ReferralFactory(status=Status.ACCEPTED)  # going to Birmingham
    other_in_area = provider_serving(BIRMINGHAM)
    provider_serving(PLYMOUTH)
    keyworker = UserFactory(role="keyworker", organisation=referral.provider)

    choice = redirection.redirect_choice(keyworker, referral.id)

    assert [p.id for p in choice.providers] == [other_in_area.id]
    assert not choice.corrects_destination


@pytest.mark.parametrize("where", ["current", "other area"])
def test_a_redirect_to_the_current_provider_or_another_area_is_refused(app, where):
    referral = ReferralFactory(status=Status.SENT)
    keyworker = UserFactory(role="keyworker", organisation=referral.provider)
    target = referral.provider if where == "current" else provider_serving(PLYMOUTH)
    with pytest.raises(InvalidChange) as refused:
        change_status(keyworker, referral.id, "redirect", provider_id=target.id, reason="Moving")
    assert refused.value.field == "provider"
    assert db.session.get(Referral, referral.id).provider_id == referral.provider_id


def test_a_redirect_to_a_new_area_corrects_the_destination_and_the_new_area_sees_them(app):
    referral = ReferralFactory(status=Status.ACCEPTED)  # going to Birmingham
    episode = referral.episode
    coventry_provider = provider_serving(COVENTRY)
    keyworker = UserFactory(role="keyworker", organisation=referral.provider)
    birmingham = create_organisation("Birmingham partnership", "partnership", [BIRMINGHAM])
    coventry = create_organisation("Coventry partnership", "partnership", [COVENTRY])

    choice = redirection.redirect_choice(keyworker, referral.id, COVENTRY)
    assert [p.id for p in choice.providers] == [coventry_provider.id]
    assert choice.corrects_destination

    change_status(
        keyworker,
        referral.id,
        "redirect",
        provider_id=coventry_provider.id,
        local_authority_code=COVENTRY,
        reason="Now living with family in Coventry",
    )

    db.session.refresh(episode)
    assert episode.destination_local_authority_code == COVENTRY
    change = db.session.scalars(
        select(CustodyChange).where(CustodyChange.episode_id == episode.id)
    ).one()
    assert change.kind == "destination_corrected"
    assert change.reason == "Now living with family in Coventry"
    assert (change.old_value, change.new_value) == ("Birmingham", "Coventry")
    audit = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_type == "custody_episode", AuditEvent.entity_id == str(episode.id)
        )
    ).one()
    assert audit.detail["facts"] == {
        "destination_local_authority_code": COVENTRY,
        "previous_destination_local_authority_code": BIRMINGHAM,
    }
    assert "Coventry" not in str(audit.detail)  # codes, never names or the reason

    def sees(manager_org) -> bool:
        manager = UserFactory(role="manager", organisation=manager_org)
        visible = select(Person.id).where(Person.id == episode.person_id, caseload_people(manager))
        return db.session.scalar(visible) is not None

    assert sees(coventry) and not sees(birmingham)


def test_a_redirect_that_is_refused_leaves_the_destination_alone(app):
    referral = ReferralFactory(status=Status.ACCEPTED)
    keyworker = UserFactory(role="keyworker", organisation=referral.provider)
    with pytest.raises(InvalidChange):
        change_status(
            keyworker,
            referral.id,
            "redirect",
            provider_id=provider_serving(PLYMOUTH).id,
            local_authority_code=COVENTRY,
            reason="Moving",
        )
    assert referral.episode.destination_local_authority_code == BIRMINGHAM


def test_correcting_the_destination_to_the_same_place_is_refused(app):
    episode = released_at(OrganisationFactory(kind="prison"))
    with pytest.raises(InvalidChange):
        custody.correct_destination(
            referrer_for(episode), episode, local_authority_code=BIRMINGHAM, reason="Same"
        )


# The lists that follow --------------------------------------------------------------------


def test_releasing_soon_shows_the_live_draft_not_a_withdrawn_referral_beside_it(app):
    prison = OrganisationFactory(kind="prison")
    nurse = UserFactory(role="prison_healthcare", organisation=prison)
    episode = CustodyEpisodeFactory(person=PersonFactory(recorded_by=prison), prison=prison)
    draft = ReferralFactory(
        episode=episode, status=Status.DRAFT, referring_organisation_id=prison.id
    )
    withdrawn = ReferralFactory(
        episode=episode, status=Status.WITHDRAWN, referring_organisation_id=prison.id
    )
    withdrawn.created_at = utcnow() + timedelta(minutes=5)  # made after the draft
    db.session.flush()

    page = worklists.releasing_without_referral(nurse)
    assert [e.id for e in page.rows] == [episode.id]
    assert worklists.latest_referrals(nurse, [episode.id])[episode.id].id == draft.id


def manager_of(*areas):
    return UserFactory(
        role="manager", organisation=create_organisation("Partnership", "partnership", areas)
    )


def test_a_late_start_is_a_breach_on_the_managers_list(app):
    manager = manager_of(BIRMINGHAM)
    prison = OrganisationFactory(kind="prison")
    late = released_at(prison, days_ago=30)
    ReferralFactory(episode=late, status=Status.ENGAGED, treatment_start_date=TODAY - timedelta(8))
    on_time = released_at(prison, days_ago=30)
    ReferralFactory(
        episode=on_time, status=Status.ENGAGED, treatment_start_date=TODAY - timedelta(days=15)
    )
    never = released_at(prison, days_ago=25)

    breached = [e.id for e in worklists.area_at_risk(manager, flag="breached").rows]
    assert sorted(breached, key=str) == sorted([late.id, never.id], key=str)
    assert on_time.id not in [e.id for e in worklists.area_at_risk(manager).rows]


@pytest.mark.parametrize("release_type", ["other_secure_setting", "deported", "outside_england"])
def test_releases_with_no_community_clock_are_not_on_the_clock_lists(app, release_type):
    manager = manager_of(BIRMINGHAM)
    prison = OrganisationFactory(kind="prison")
    nurse = UserFactory(role="prison_healthcare", organisation=prison)
    running = released_at(prison, days_ago=5, release_type="licence")
    released_at(prison, days_ago=5, release_type=release_type)
    released_at(prison, days_ago=30, release_type=release_type)

    assert [e.id for e in worklists.clock_running(nurse).rows] == [running.id]
    assert [e.id for e in worklists.area_at_risk(manager).rows] == [running.id]


def test_a_form_sent_after_another_referral_went_live_shows_the_live_one(sign_in):
    client, nurse = sign_in("prison_healthcare")
    episode = released_at(nurse.organisation)
    provider = provider_serving()
    db.session.commit()
    url = f"/people/{episode.person_id}/referrals/new"
    form = page(client, url)
    sent_with = {
        field["name"]: field.get("value", "")
        for field in form.select("form input[type=hidden]")
        if field.get("name") in ("csrf_token", "token")
    }
    live = ReferralFactory(
        episode=episode, status=Status.SENT, referring_organisation_id=nurse.organisation_id
    )
    db.session.commit()

    answer = client.post(url, data={**handover_form(provider), **sent_with})

    assert (answer.status_code, answer.headers["Location"]) == (302, url)
    shown = page(client, url)
    assert shown.find("a", href=f"/referrals/{live.id}") is not None
    made = select(Referral.id).where(Referral.episode_id == episode.id)
    assert db.session.scalars(made).all() == [live.id]


def handover_form(provider) -> dict:
    return {
        "provider": str(provider.id),
        "consent": "given",
        "substance_group": "opiate",
        "opioid_medicine": "none",
        "bridging_prescription": "no",
        "long_acting_injectable": "no",
        "naloxone_on_release": "no",
        "save_draft": "Save as draft",
    }
