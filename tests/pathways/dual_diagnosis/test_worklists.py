"""The dual diagnosis worklists: referrals waiting for the mental health service, and overdue
reviews and missed appointments on both services' worklists (DOMAIN.md, Pathways)."""

from datetime import timedelta

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.pathways.dual_diagnosis import plans, worklists
from caseflow.security.access import Role
from caseflow.worklist_tabs import tabs_for
from tests.factories import AppointmentFactory, UserFactory
from tests.pathways.dual_diagnosis.world import Story


def cases_on(actor, name: str) -> set:
    _list, page = worklists.show(actor, name)
    return {row.case.id for row in page.rows}


def test_the_mental_health_practitioners_home_is_the_referrals_to_answer(app):
    practitioner = UserFactory(role=Role.MENTAL_HEALTH)
    tabs = tabs_for(practitioner)
    assert tabs[0].endpoint == "dual_diagnosis.referrals_to_answer"
    assert {tab.endpoint for tab in tabs} >= {"dual_diagnosis.due", "dual_diagnosis.caseload"}


def test_keyworkers_keep_their_home_and_gain_one_dual_diagnosis_tab(app):
    keyworker = UserFactory(role=Role.KEYWORKER)
    tabs = tabs_for(keyworker)
    assert tabs[0].endpoint == "referrals.worklist"
    assert [tab.endpoint for tab in tabs if tab.endpoint.startswith("dual_diagnosis.")] == [
        "dual_diagnosis.due"
    ]


def test_referrals_to_answer_are_the_services_own_waiting_ones(app):
    story = Story()
    waiting = story.referred()
    answered = Story()
    answered.service = story.service
    answered.practitioner = story.practitioner
    answered.coordinator = story.coordinator
    accepted = answered.accepted()
    elsewhere = Story().referred()
    shown = cases_on(story.practitioner, "to_answer")
    assert waiting.id in shown
    assert accepted.id not in shown and elsewhere.id not in shown


def test_an_overdue_review_is_on_both_services_lists(app):
    story = Story()
    case = story.agreed(review_in_days=10)
    on_time = Story().agreed(review_in_days=10)
    plan = case.plan
    plan.review_date = local_today() - timedelta(days=2)
    db.session.flush()
    assert plans.review_overdue(case)
    for actor in (story.practitioner, story.keyworker):
        shown = cases_on(actor, "due")
        assert case.id in shown, actor.role
        assert on_time.id not in shown
    assert case.id not in cases_on(UserFactory(role=Role.KEYWORKER), "due")


def test_a_missed_appointment_is_on_both_lists_until_followed_up(app):
    story = Story()
    case = story.accepted()
    missed = AppointmentFactory(
        referral=story.referral,
        appointment_date=local_today(),
        outcome="did_not_attend",
    )
    AppointmentFactory(referral=story.referral, appointment_date=local_today(), outcome="attended")
    assert [m.id for m in plans.missed_appointments(case)] == [missed.id]
    for actor in (story.practitioner, story.keyworker):
        assert case.id in cases_on(actor, "due"), actor.role
    plans.follow_up(
        story.keyworker,
        case.id,
        appointment_id=str(missed.id),
        followed_up_on=local_today(),
        note="Phoned, rebooked for Friday",
    )
    for actor in (story.practitioner, story.keyworker):
        assert case.id not in cases_on(actor, "due"), actor.role
    # Followed up, never a reason to discharge: the case is still open.
    assert db.session.get(type(case), case.id).status == "accepted"
