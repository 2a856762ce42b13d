"""An action of the joint care plan changed and marked done by either service (DOMAIN.md,
Pathways: both services keep the plan), through the pages: on the version each page showed, so
two services changing one action at once keep both changes; each change in the plan's history,
audited, and told to the other service's care coordinator or keyworker."""

from datetime import timedelta

from bs4 import BeautifulSoup
from sqlalchemy import select

from caseflow.dates import display, local_today
from caseflow.extensions import db
from caseflow.notifications import Notification
from caseflow.pathways.dual_diagnosis import services
from caseflow.pathways.dual_diagnosis.models import CarePlanAction
from tests.helpers import audit_rows, page, signed_in_client
from tests.pathways.dual_diagnosis.test_pages import form_of
from tests.pathways.dual_diagnosis.world import Story


def _date(day) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def planned_with_keyworker():
    """A plan with one action; the person's referral has the story's keyworker assigned."""
    story = Story(referred_by="nurse")
    story.referral.assigned_keyworker_id = story.keyworker.id
    case = story.planned()
    (action,) = case.plan.actions
    db.session.commit()
    return story, case, action


def edit_url(case, action) -> str:
    return f"/dual-diagnosis/{case.id}/plan/actions/{action.id}/edit"


def done_url(case, action) -> str:
    return f"/dual-diagnosis/{case.id}/plan/actions/{action.id}/done"


def told(user) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.kind).where(
                Notification.user_id == user.id, Notification.kind == "plan_edit"
            )
        )
    )


def test_the_plan_page_offers_each_service_to_change_an_action_or_mark_it_done(app):
    story, case, action = planned_with_keyworker()
    for who in (story.keyworker, story.coordinator):
        soup = page(signed_in_client(app, who), f"/dual-diagnosis/{case.id}/plan")
        assert soup.select(f'a[href="{edit_url(case, action)}"]')
        assert soup.select(f'a[href="{done_url(case, action)}"]')
        assert "Not done yet" in soup.get_text(" ")
    # The referring prison sees the plan, and changes nothing of it.
    soup = page(signed_in_client(app, story.nurse), f"/dual-diagnosis/{case.id}/plan")
    assert not soup.select(f'a[href="{edit_url(case, action)}"]')
    assert signed_in_client(app, story.nurse).get(edit_url(case, action)).status_code == 403


def test_the_keyworker_changes_an_action_and_the_care_coordinator_is_told(app):
    story, case, action = planned_with_keyworker()
    client = signed_in_client(app, story.keyworker)
    before = len(told(story.coordinator)), len(told(story.keyworker))
    form = form_of(page(client, edit_url(case, action)))
    assert form["description"] == "Weekly visit"
    new_due = local_today() + timedelta(days=10)
    form.update(description="Visit twice a week", owner="Keyworker", due_on=_date(new_due))
    response = client.post(edit_url(case, action), data=form)
    assert response.status_code == 302
    changes = [row for row in audit_rows(response) if row.action == "update"]
    assert [(row.entity_type, row.person_id, row.detail["fields"]) for row in changes] == [
        ("dual_diagnosis_plan", case.person_id, ["description", "due_on", "owner"])
    ]
    assert "Visit twice" not in str(changes[0].detail)  # names fields, never what they hold

    plan_page = page(client, f"/dual-diagnosis/{case.id}/plan").get_text(" ")
    assert "Visit twice a week" in plan_page and display(new_due) in plan_page
    assert "Action of the joint care plan changed" in plan_page
    # The care coordinator is told, not the keyworker who changed it.
    assert (len(told(story.coordinator)), len(told(story.keyworker))) == (before[0] + 1, before[1])


def test_the_mental_health_service_marks_an_action_done_and_the_keyworker_is_told(app):
    story, case, action = planned_with_keyworker()
    client = signed_in_client(app, story.coordinator)
    before = len(told(story.coordinator)), len(told(story.keyworker))
    form = form_of(page(client, done_url(case, action)))
    form["done_on"] = _date(local_today())
    response = client.post(done_url(case, action), data=form)
    assert response.status_code == 302
    (change,) = [row for row in audit_rows(response) if row.action == "update"]
    assert change.detail["fields"] == ["done_on"]

    soup = page(client, f"/dual-diagnosis/{case.id}/plan")
    text = soup.get_text(" ")
    assert "Action of the joint care plan done" in text
    assert f"Done {display(local_today())}" in " ".join(text.split())
    assert not soup.select(f'a[href="{done_url(case, action)}"]')
    assert (len(told(story.coordinator)), len(told(story.keyworker))) == (before[0], before[1] + 1)


def test_a_done_date_in_the_future_or_twice_is_refused_beside_the_field(app):
    story, case, action = planned_with_keyworker()
    client = signed_in_client(app, story.keyworker)
    form = form_of(page(client, done_url(case, action)))
    form["done_on"] = _date(local_today() + timedelta(days=1))
    soup = page(client, done_url(case, action), method="post", data=form, status=200)
    assert soup.select_one("#done_on-error"), soup.select(".govuk-error-message")
    db.session.expire_all()
    assert db.session.get(CarePlanAction, action.id).done_on is None

    form["done_on"] = _date(local_today())
    assert client.post(done_url(case, action), data=form).status_code == 302
    again = form_of(page(client, done_url(case, action)))
    again["done_on"] = _date(local_today())
    soup = page(client, done_url(case, action), method="post", data=again, status=200)
    assert "was marked done on" in soup.select_one("#done_on-error").get_text(" ")


def test_two_services_changing_one_action_at_once_keep_both_changes(app):
    story, case, action = planned_with_keyworker()
    keyworker = signed_in_client(app, story.keyworker)
    coordinator = signed_in_client(app, story.coordinator)
    mine = form_of(page(keyworker, edit_url(case, action)))
    theirs = form_of(page(coordinator, edit_url(case, action)))

    theirs["owner"] = "Dr B Patel, care coordinator"
    assert coordinator.post(edit_url(case, action), data=theirs).status_code == 302
    mine["description"] = "Weekly visit at home"
    conflict = keyworker.post(edit_url(case, action), data=mine)
    assert conflict.status_code == 409
    merged = form_of(BeautifulSoup(conflict.data, "html.parser"))
    assert merged["description"] == "Weekly visit at home"
    assert merged["owner"] == "Dr B Patel, care coordinator"
    assert keyworker.post(edit_url(case, action), data=merged).status_code == 302

    db.session.expire_all()
    saved = db.session.get(CarePlanAction, action.id)
    assert (saved.description, saved.owner) == (
        "Weekly visit at home",
        "Dr B Patel, care coordinator",
    )


def test_another_plans_action_is_not_found_here(app):
    story, case, _action = planned_with_keyworker()
    other_story = Story()
    other_case = other_story.planned()
    (stranger,) = other_case.plan.actions
    db.session.commit()
    client = signed_in_client(app, story.keyworker)
    response = client.get(edit_url(case, stranger))
    assert response.status_code == 404
    (denial,) = audit_rows(response)
    assert (denial.action, denial.person_id) == ("deny", case.person_id)


def test_a_closed_case_keeps_its_actions_as_they_were(app):
    story, case, action = planned_with_keyworker()
    services.change_status(story.practitioner, case.id, "close", reason_code="needs_met")
    db.session.commit()
    client = signed_in_client(app, story.keyworker)
    soup = page(client, f"/dual-diagnosis/{case.id}/plan")
    assert not soup.select(f'a[href="{edit_url(case, action)}"]')
    assert not soup.select(f'a[href="{done_url(case, action)}"]')
    form = {"version": "1", "done_on": _date(local_today())}
    response = client.post(done_url(case, action), data=form)
    assert response.status_code == 400  # the plan is kept only while both services care
    db.session.expire_all()
    assert db.session.get(CarePlanAction, action.id).done_on is None
