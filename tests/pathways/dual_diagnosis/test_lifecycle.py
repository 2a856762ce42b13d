"""Every allowed and refused change of a dual diagnosis case, through its one transition table,
with its history and notification (its audit rows: test_pages.py); and the rules NG58 and
DOMAIN.md set: no decline because of the other condition, no discharge for a missed
appointment."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from caseflow.dates import local_today
from caseflow.domain import InvalidChange, InvalidTransition, NotFound, NotPermitted
from caseflow.extensions import db
from caseflow.notifications import Notification
from caseflow.pathways.dual_diagnosis import plans, services
from caseflow.pathways.dual_diagnosis.codes import ClosingReason, DeclineReason, Status
from caseflow.pathways.dual_diagnosis.models import DualDiagnosisCase, DualDiagnosisEvent
from caseflow.pathways.dual_diagnosis.transitions import TRANSITIONS
from tests.factories import UserFactory
from tests.pathways.dual_diagnosis.world import Story

# The lifecycle written out from the brief and DOMAIN.md, not read from the table: each action
# from each status, where it leads ("-": refused), and who takes it. The mental health service
# accepts (naming a coordinator), declines or closes; either service agrees and reviews the plan;
# the referrer withdraws.
GOLDEN = """
action      by        referred  accepted     plan_agreed  declined  withdrawn  closed
accept      service   accepted  -            -            -         -          -
decline     service   declined  -            -            -         -          -
agree_plan  either    -         plan_agreed  -            -         -          -
review      either    -         -            plan_agreed  -         -          -
withdraw    referrer  withdrawn withdrawn    -            -         -          -
close       service   -         closed       closed       -         -          -
"""

_header, *_rows = (line.split() for line in GOLDEN.strip().splitlines())
ALL_STATUSES = _header[2:]
BY = {row[0]: row[1] for row in _rows}
LEADS_TO = {
    (row[0], status): to for row in _rows for status, to in zip(ALL_STATUSES, row[2:], strict=True)
}


def test_the_table_has_exactly_the_actions_of_the_lifecycle():
    assert sorted(TRANSITIONS) == sorted(BY)


def case_in(story: Story, status: str) -> DualDiagnosisCase:
    """A case put in a status through the services, the way people get it there."""
    if status == "referred":
        return story.referred()
    if status == "declined":
        case = story.referred()
        return services.change_status(
            story.practitioner, case.id, "decline", reason_code="primary_care"
        )
    if status == "withdrawn":
        case = story.referred()
        return services.change_status(story.keyworker, case.id, "withdraw", reason="Moved")
    if status == "accepted":
        return story.planned()  # accepted, its plan filled in so agreeing it can be tried
    case = story.agreed()
    if status == "closed":
        case = services.change_status(story.practitioner, case.id, "close", reason_code="needs_met")
    return case


def count_events(case) -> int:
    return len(
        db.session.scalars(
            select(DualDiagnosisEvent.id).where(DualDiagnosisEvent.case_id == case.id)
        ).all()
    )


def actor_for(story: Story, action: str):
    return {"service": story.practitioner, "either": story.keyworker}.get(
        BY[action], story.keyworker
    )


def inputs_for(story: Story, action: str) -> dict:
    return {
        "accept": {"care_coordinator": str(story.coordinator.id)},
        "decline": {"reason_code": "out_of_area"},
        "review": {
            "reviewed_on": local_today(),
            "next_review_date": local_today() + timedelta(days=56),
        },
        "withdraw": {"reason": "No longer needed"},
        "close": {"reason_code": "transferred"},
    }.get(action, {})


@pytest.mark.parametrize("status", ALL_STATUSES)
@pytest.mark.parametrize("action", sorted(BY))
def test_each_action_from_each_status(app, action, status):
    story = Story()
    case = case_in(story, status)
    want = LEADS_TO[(action, status)]
    actor = actor_for(story, action)
    if want == "-":
        # A service that declined, or whose referral was withdrawn, no longer holds the case: to
        # it the case is not there at all.
        gone = actor == story.practitioner and status in ("declined", "withdrawn")
        with pytest.raises(NotFound if gone else InvalidTransition):
            services.change_status(actor, case.id, action, **inputs_for(story, action))
        assert db.session.get(DualDiagnosisCase, case.id).status == status
        return
    events_before = count_events(case)
    changed = services.change_status(actor, case.id, action, **inputs_for(story, action))
    assert changed.status == want
    db.session.flush()
    events = db.session.scalars(
        select(DualDiagnosisEvent)
        .where(DualDiagnosisEvent.case_id == case.id)
        .order_by(DualDiagnosisEvent.occurred_at, DualDiagnosisEvent.created_at)
    ).all()
    assert len(events) == events_before + 1
    assert (events[-1].kind, events[-1].from_status, events[-1].to_status) == (
        action,
        status,
        want,
    )


@pytest.mark.parametrize("action", sorted(BY))
def test_a_side_that_does_not_take_the_action_is_refused(app, action):
    """The keyworker cannot answer for the mental health service; the service cannot withdraw
    the referrer's referral; prison healthcare, which referred, keeps no plan."""
    story = Story(referred_by="nurse")
    status = next(s for s in ALL_STATUSES if LEADS_TO[(action, s)] != "-")
    case = case_in(story, status)
    wrong = {"service": story.nurse, "either": story.nurse, "referrer": story.practitioner}
    with pytest.raises(NotPermitted):
        services.change_status(wrong[BY[action]], case.id, action, **inputs_for(story, action))


def test_another_mental_health_service_cannot_answer(app):
    story = Story()
    case = story.referred()
    outsider = UserFactory(role="mental_health_practitioner")
    with pytest.raises(Exception) as refused:
        services.change_status(outsider, case.id, "accept", care_coordinator=str(outsider.id))
    assert type(refused.value).__name__ == "NotFound"


def test_accepting_names_a_coordinator_of_the_service_itself_and_opens_the_plan(app):
    story = Story()
    case = story.referred()
    stranger = UserFactory(role="mental_health_practitioner")
    with pytest.raises(InvalidChange) as refused:
        services.change_status(
            story.practitioner, case.id, "accept", care_coordinator=str(stranger.id)
        )
    assert refused.value.field == "care_coordinator"
    accepted = services.change_status(
        story.practitioner, case.id, "accept", care_coordinator=str(story.coordinator.id)
    )
    assert accepted.care_coordinator_id == story.coordinator.id
    db.session.flush()
    assert db.session.get(DualDiagnosisCase, case.id).plan is not None


def test_the_referrer_is_told_of_the_answer(app):
    story = Story()
    case = story.referred()
    told_of_referral = db.session.scalars(
        select(Notification.user_id).where(Notification.record_id == case.id)
    ).all()
    assert set(told_of_referral) == {story.practitioner.id, story.coordinator.id}
    services.change_status(story.practitioner, case.id, "decline", reason_code="already_known")
    kinds = db.session.scalars(
        select(Notification.kind).where(
            Notification.record_id == case.id, Notification.user_id == story.keyworker.id
        )
    ).all()
    assert kinds == ["decline"]


# NG58: neither service may refuse because of the other condition. ---------------------------


def test_no_decline_reason_is_the_persons_substance_use():
    words = " ".join(f"{code.value} {code.label}".lower() for code in DeclineReason)
    for other_condition in ("substance", "drug", "alcohol", "misuse", "intoxicat", "using"):
        assert other_condition not in words


@pytest.mark.parametrize("code", ["substance_use", "drug_use", "alcohol", "", None])
def test_a_decline_reason_outside_the_list_is_refused(app, code):
    story = Story()
    case = story.referred()
    with pytest.raises(InvalidChange) as refused:
        services.change_status(story.practitioner, case.id, "decline", reason_code=code)
    assert refused.value.field == "reason_code"
    assert db.session.get(DualDiagnosisCase, case.id).status == Status.REFERRED


def test_another_reason_must_be_given_in_words_and_is_kept(app):
    story = Story()
    case = story.referred()
    with pytest.raises(InvalidChange) as refused:
        services.change_status(story.practitioner, case.id, "decline", reason_code="other")
    assert refused.value.field == "reason"
    services.change_status(
        story.practitioner,
        case.id,
        "decline",
        reason_code="other",
        reason="Already seen by the early intervention team",
    )
    event = db.session.scalars(
        select(DualDiagnosisEvent).where(
            DualDiagnosisEvent.case_id == case.id, DualDiagnosisEvent.kind == "decline"
        )
    ).one()
    assert (event.reason_code, event.reason) == (
        "other",
        "Already seen by the early intervention team",
    )


def test_a_missed_appointment_is_no_reason_to_close():
    words = " ".join(f"{code.value} {code.label}".lower() for code in ClosingReason)
    for missed in ("attend", "dna", "missed", "disengag", "no show"):
        assert missed not in words


# The plan, and one live case per person. --------------------------------------------------


def test_the_plan_is_agreed_only_when_complete(app):
    story = Story()
    case = story.accepted()
    with pytest.raises(InvalidTransition) as refused:
        services.change_status(story.keyworker, case.id, "agree_plan")
    for gap in ("the needs", "a crisis plan", "an agreed review date", "at least one action"):
        assert gap in str(refused.value)
    agreed = case_in(Story(), "plan_agreed")
    assert agreed.plan.agreed_on == local_today()


def test_a_review_moves_the_review_date_on_and_must_come_after_it(app):
    story = Story()
    case = story.agreed()
    with pytest.raises(InvalidChange) as refused:
        services.change_status(
            story.practitioner,
            case.id,
            "review",
            reviewed_on=local_today(),
            next_review_date=local_today(),
        )
    assert refused.value.field == "next_review_date"
    services.change_status(
        story.practitioner,
        case.id,
        "review",
        reviewed_on=local_today(),
        next_review_date=local_today() + timedelta(days=90),
    )
    db.session.flush()
    db.session.expire_all()
    plan = db.session.get(DualDiagnosisCase, case.id).plan
    assert (plan.last_reviewed_on, plan.review_date) == (
        local_today(),
        local_today() + timedelta(days=90),
    )


def test_one_live_case_per_person(app):
    story = Story()
    story.referred()
    with pytest.raises(InvalidChange):
        story.referred(by=story.nurse)


def test_a_declined_referral_can_be_made_again_to_another_service(app):
    story = Story()
    first = story.referred()
    services.change_status(story.practitioner, first.id, "decline", reason_code="out_of_area")
    second = story.referred(by=story.nurse)
    assert second.id != first.id and second.status == Status.REFERRED


def test_plan_changes_are_in_its_history(app):
    story = Story()
    case = story.planned()
    kinds = [event.kind for event in plans.plan_history(case)]
    assert kinds[:2] == ["plan_action", "plan_edit"]
    edit = next(event for event in plans.plan_history(case) if event.kind == "plan_edit")
    assert set(edit.changed_fields.split(",")) == {
        "needs",
        "crisis_plan",
        "person_has_copy",
        "review_date",
    }
