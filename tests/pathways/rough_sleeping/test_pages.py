"""The case's pages, its notifications and its part in the continuity measure's breakdown."""

from datetime import timedelta

from sqlalchemy import literal, select

from caseflow.continuity.pathway_membership import registered
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.people.models import BreakGlassGrant, CustodyEpisode
from tests.factories import UserFactory
from tests.helpers import page, signed_in_client
from tests.pathways.rough_sleeping.world import World


def test_the_team_sees_its_actions_and_the_history_and_a_manager_only_reads(app):
    world = World()
    case = world.assigned_case()
    world.refer(case)
    db.session.commit()

    soup = page(signed_in_client(app, world.outreach), f"/rough-sleeping/cases/{case.id}")
    text = soup.get_text(" ", strip=True)
    assert "Record the housing authority's response" in text
    assert "Duty to Refer made" in text and "Outreach team assigned" in text
    assert world.authority.name in text

    manager = UserFactory(role="manager")
    manager.organisation.areas = [world.episode.destination]
    db.session.commit()
    soup = page(signed_in_client(app, manager), f"/rough-sleeping/cases/{case.id}")
    assert "Record the housing authority" not in soup.get_text(" ", strip=True)
    assert soup.select("main .govuk-button") == []


def test_a_refused_action_says_why_on_its_page(app):
    world = World()
    case = world.assigned_case()
    db.session.commit()
    soup = page(signed_in_client(app, world.outreach), f"/rough-sleeping/cases/{case.id}/respond")
    assert "no Duty to Refer has been made" in soup.get_text(" ", strip=True)
    assert soup.select_one("main form") is None


def test_the_team_is_told_and_the_notification_opens_the_case(app):
    world = World()
    world.assigned_case()
    db.session.commit()
    soup = page(signed_in_client(app, world.outreach), "/notifications")
    text = soup.get_text(" ", strip=True)
    assert "A rough sleeping case was assigned to your team" in text
    assert world.person.full_name in text


def test_a_release_with_a_case_is_on_the_pathway_in_the_measure():
    world = World()
    (pathway,) = [p for p in registered() if p.code == "rough_sleeping"]

    def on_it() -> bool:
        return db.session.scalar(
            select(pathway.on_release(CustodyEpisode.id, CustodyEpisode.person_id)).where(
                CustodyEpisode.id == world.episode.id, literal(True)
            )
        )

    assert not on_it()
    world.open_case()
    assert on_it()


def test_opening_a_case_is_offered_to_a_referrer_but_not_under_emergency_access(app):
    world = World()
    prison_nurse = UserFactory(role="prison_healthcare", organisation=world.episode.prison)
    db.session.commit()
    person_page = f"/people/{world.person.id}"
    soup = page(signed_in_client(app, prison_nurse), person_page)
    assert "Open a rough sleeping case" in soup.get_text()
    stranger = UserFactory(role="prison_healthcare")
    db.session.add(
        BreakGlassGrant(
            user_id=stranger.id,
            organisation_id=stranger.organisation_id,
            person_id=world.person.id,
            reason="Arrived at reception from court",
            expires_at=utcnow() + timedelta(hours=1),
        )
    )
    db.session.commit()
    client = signed_in_client(app, stranger)
    assert "Open a rough sleeping case" not in page(client, person_page).get_text()
    assert client.get(f"/rough-sleeping/people/{world.person.id}/new").status_code == 403
