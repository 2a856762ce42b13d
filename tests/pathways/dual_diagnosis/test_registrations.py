"""What the pathway adds to the shared parts: the person's timeline (for those who may see the
case only), the continuity measure's breakdown (a release is on the pathway when a case was
opened linked to it, not withdrawn), and the care coordinator named again by the service."""

import pytest
from sqlalchemy import select

from caseflow import timeline
from caseflow.continuity.pathway_membership import registered
from caseflow.domain import InvalidChange, NotPermitted
from caseflow.extensions import db
from caseflow.pathways.dual_diagnosis import services
from caseflow.pathways.dual_diagnosis.models import DualDiagnosisCase, DualDiagnosisEvent
from caseflow.people.models import CustodyEpisode
from caseflow.security.access import Role
from tests.factories import UserFactory
from tests.pathways.dual_diagnosis.world import Story


def titles(actor, person) -> list[str]:
    return [item.title for item in timeline.timeline_for(actor, person)]


def test_the_timeline_shows_the_case_to_those_who_may_see_it(app):
    story = Story()
    story.accepted()
    for actor in (story.keyworker, story.practitioner):
        shown = titles(actor, story.person)
        assert "Dual diagnosis: referred to the mental health service" in shown
        assert "Dual diagnosis: accepted" in shown
    another_service = UserFactory(role=Role.MENTAL_HEALTH)
    assert not any(t.startswith("Dual diagnosis") for t in titles(another_service, story.person))


def on_pathway(episode_id) -> bool:
    (dual,) = [p for p in registered() if p.code == "dual_diagnosis"]
    return db.session.scalar(
        select(dual.on_release(CustodyEpisode.id, CustodyEpisode.person_id)).where(
            CustodyEpisode.id == episode_id
        )
    )


def test_a_release_with_a_case_is_on_the_pathway_unless_withdrawn(app):
    story = Story()
    episode_id = story.referral.episode_id
    assert not on_pathway(episode_id)
    case = story.referred()
    assert case.episode_id == episode_id
    assert on_pathway(episode_id)
    services.change_status(story.keyworker, case.id, "withdraw", reason="Made in error")
    assert not on_pathway(episode_id)


def test_the_service_names_another_care_coordinator(app):
    story = Story()
    case = story.accepted()
    colleague = UserFactory(role=Role.MENTAL_HEALTH, organisation=story.service)
    with pytest.raises(NotPermitted):
        services.name_coordinator(story.keyworker, case.id, care_coordinator=str(colleague.id))
    stranger = UserFactory(role=Role.MENTAL_HEALTH)
    with pytest.raises(InvalidChange):
        services.name_coordinator(story.practitioner, case.id, care_coordinator=str(stranger.id))
    services.name_coordinator(story.practitioner, case.id, care_coordinator=str(colleague.id))
    assert db.session.get(DualDiagnosisCase, case.id).care_coordinator_id == colleague.id
    kinds = db.session.scalars(
        select(DualDiagnosisEvent.kind).where(DualDiagnosisEvent.case_id == case.id)
    ).all()
    assert "coordinator" in kinds
