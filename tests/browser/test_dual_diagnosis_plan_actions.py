"""An action of a joint care plan changed and marked done through the pages by the mental
health service (issue 11 follow-up): the plan page links each action's change and its marking
done; the date done is asked for like every date, its error beside the field; the plan shows the
action done and its history the two changes. Axe on every page visited.

The case is one of the demo's, at the demo mental health service, with its plan's first action
not yet done."""

from playwright.sync_api import expect
from sqlalchemy import select

from caseflow.auth.services import user_by_email
from caseflow.dates import display, local_today
from caseflow.extensions import db
from caseflow.pathways.dual_diagnosis.codes import PLAN_STATUSES
from caseflow.pathways.dual_diagnosis.models import (
    CarePlanAction,
    DualDiagnosisCase,
    JointCarePlan,
)
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.pages import fill_date

PRACTITIONER = "mental.health@demo.caseflow.test"


def a_plan_with_an_open_first_action(live_server):
    """The id of a demo case at the practitioner's service whose plan's first action (by due
    date, as the plan lists them) is not done."""
    with live_server["app"].app_context():
        practitioner = user_by_email(PRACTITIONER)
        cases = db.session.scalars(
            select(DualDiagnosisCase).where(
                DualDiagnosisCase.mental_health_service_id == practitioner.organisation_id,
                DualDiagnosisCase.status.in_(PLAN_STATUSES),
            )
        )
        for case in cases:
            first = db.session.scalars(
                select(CarePlanAction)
                .join(JointCarePlan, JointCarePlan.id == CarePlanAction.plan_id)
                .where(JointCarePlan.case_id == case.id)
                .order_by(CarePlanAction.due_on)
            ).first()
            if first is not None and first.done_on is None:
                return case.id
    raise AssertionError("The demo has no plan with an action to change")


def test_the_mental_health_service_changes_an_action_and_marks_it_done(browser_page, live_server):
    page = browser_page
    case_id = a_plan_with_an_open_first_action(live_server)
    sign_in(page, live_server, PRACTITIONER)
    page.goto(f"{live_server['url']}/dual-diagnosis/{case_id}/plan")
    expect(page.get_by_role("heading", level=1, name="Joint care plan")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Change action 1", exact=True).click()
    expect(
        page.get_by_role("heading", name="Change an action of the joint care plan")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Action").fill("Joint home visit with the keyworker, fortnightly")
    page.get_by_role("button", name="Save action").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Action saved")
    assert_accessible(page)
    actions = page.get_by_role("table", name="Actions of the joint care plan")
    expect(actions).to_contain_text("Joint home visit with the keyworker, fortnightly")

    page.get_by_role("link", name="Mark as done action 1", exact=True).click()
    assert_accessible(page)
    page.get_by_role("button", name="Mark as done").click()  # no date given
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the date the action was done"
    )
    expect(page.locator("#done_on-error")).to_be_visible()
    assert_accessible(page)
    fill_date(page, "done_on", local_today())
    page.get_by_role("button", name="Mark as done").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Action marked as done")
    assert_accessible(page)
    expect(actions).to_contain_text(f"Done {display(local_today())}")
    history = page.get_by_role("table", name="Changes to the joint care plan")
    expect(history).to_contain_text("Action of the joint care plan changed")
    expect(history).to_contain_text("Action of the joint care plan done")
