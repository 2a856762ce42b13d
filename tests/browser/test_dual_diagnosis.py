"""The dual diagnosis journey, walked through the pages by both services (issue 11): the
keyworker records a co-occurring mental health need and refers it to the mental health service;
the mental health practitioner, signing in to the referrals waiting for the service, accepts
it and names a care coordinator, and writes the joint care plan; the keyworker changes the plan
too and records that both services agreed it. Each service's change is in the plan's history.

The person is set up through the services, released to Birmingham and in the keyworker's
provider's hands, with a name and identifiers no other test uses. Axe on every page visited.
"""

import re
from datetime import timedelta

from playwright.sync_api import expect

from caseflow.dates import local_today
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.pages import fill_date
from tests.browser.people import KEYWORKER, Someone, released_and_accepted

PRACTITIONER = "mental.health@demo.caseflow.test"
COORDINATOR = "Morgan Practitioner (demo)"

TAMSIN = Someone(
    given_name="Tamsin",
    family_name="Okonkwo-Reeve",
    nhs_first_six="000990",
    prison_number="Z9090DD",
    sex="female",
    age_at_release=29,
    days_in_custody=150,
    dose="40ml daily",
)
FULL_NAME = TAMSIN.full_name


def radio(page, group: str, label: str):
    return page.get_by_role("group", name=group).get_by_label(label, exact=True)


def action(page, name: str):
    """An action on a case or plan page, drawn as a button that is a link."""
    return page.get_by_role("link", name=name).or_(page.get_by_role("button", name=name)).first


def expect_banner(page, message: str) -> None:
    expect(page.locator(".govuk-notification-banner")).to_contain_text(message)
    assert_accessible(page)


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="You have signed out")).to_be_visible()
    assert_accessible(page)


def keyworker_opens_the_person(page, live_server) -> None:
    sign_in(page, live_server, KEYWORKER)
    expect(page.get_by_role("heading", level=1, name="Worklist")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("navigation", name="Worklists").get_by_role(
        "link", name="Accepted, no treatment start yet"
    ).click()
    assert_accessible(page)
    page.get_by_role("link", name=FULL_NAME, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=FULL_NAME)).to_be_visible()
    assert_accessible(page)


def test_the_two_services_agree_a_joint_care_plan(browser_page, live_server):
    page = browser_page
    today = local_today()
    released_and_accepted(live_server, TAMSIN, today - timedelta(days=4))

    # 1. The keyworker records the need and refers it to the mental health service.
    keyworker_opens_the_person(page, live_server)
    page.get_by_role("link", name="Record a mental health need and refer").click()
    expect(
        page.get_by_role("heading", name="Record a mental health need and refer")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Record need and refer").click()  # nothing filled in
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the category")
    assert_accessible(page)
    radio(page, "Category of mental health need", "Depression").check()
    radio(page, "Severity", "Severe").check()
    page.get_by_label("Who assessed the need").fill("Dr A Khan, prison psychiatrist")
    fill_date(page, "assessed_on", today - timedelta(days=12))
    page.get_by_label("Mental health service").select_option(
        label="West Midlands Dual Diagnosis Service"
    )
    page.get_by_role("button", name="Record need and refer").click()
    expect_banner(page, "Mental health need recorded and referred")
    expect(page.get_by_role("main").locator(".govuk-tag").first).to_have_text("Referred")
    sign_out(page)

    # 2. The practitioner lands on the referrals waiting for the service, and accepts this one.
    sign_in(page, live_server, PRACTITIONER)
    expect(page.get_by_role("heading", level=2, name="Referrals to answer")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(f"for {FULL_NAME}$")).click()
    expect(page.get_by_role("heading", level=1, name=FULL_NAME)).to_be_visible()
    assert_accessible(page)
    action(page, "Accept referral").click()
    assert_accessible(page)
    page.get_by_role("button", name="Accept referral").click()  # no coordinator chosen
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the care coordinator")
    assert_accessible(page)
    page.get_by_label("Care coordinator").select_option(label=COORDINATOR)
    page.get_by_role("button", name="Accept referral").click()
    expect_banner(page, "Referral accepted")
    expect(page.get_by_role("main")).to_contain_text(COORDINATOR)

    # 3. ... and writes the joint care plan with the first action.
    page.get_by_role("link", name="View the joint care plan").click()
    expect(page.get_by_role("heading", level=1, name="Joint care plan")).to_be_visible()
    assert_accessible(page)
    action(page, "Change the plan").click()
    assert_accessible(page)
    page.get_by_label("Needs").fill("Depression with opiate use; sleeps badly")
    page.get_by_label("Crisis plan").fill("Call the care coordinator; at night the crisis line")
    radio(page, "Does the person have a copy of the plan?", "Yes").check()
    fill_date(page, "review_date", today + timedelta(days=42))
    page.get_by_role("button", name="Save plan").click()
    expect_banner(page, "Joint care plan saved")
    action(page, "Add an action").click()
    assert_accessible(page)
    page.get_by_label("Action").fill("Joint visit with the keyworker")
    page.get_by_label("Who owns it").fill("Care coordinator")
    fill_date(page, "due_on", today + timedelta(days=7))
    page.get_by_role("button", name="Add action").click()
    expect_banner(page, "Action added")
    sign_out(page)

    # 4. The keyworker adds to the plan and records that both services agreed it.
    keyworker_opens_the_person(page, live_server)
    page.get_by_role("link", name=re.compile("dual diagnosis case")).click()
    assert_accessible(page)
    page.get_by_role("link", name="View the joint care plan").click()
    assert_accessible(page)
    action(page, "Change the plan").click()
    assert_accessible(page)
    page.get_by_label("Needs").fill("Depression with opiate use; sleeps badly; rent arrears")
    page.get_by_role("button", name="Save plan").click()
    expect_banner(page, "Joint care plan saved")
    history = page.get_by_role("table", name="Changes to the joint care plan")
    expect(history).to_contain_text("Birmingham Recovery Service")
    expect(history).to_contain_text("West Midlands Dual Diagnosis Service")
    page.get_by_role("link", name="Back to the case").click()
    assert_accessible(page)
    action(page, "Record that both services agreed the plan").click()
    assert_accessible(page)
    page.get_by_role("button", name="Record that both services agreed the plan").click()
    expect_banner(page, "Joint care plan agreed")
    expect(page.get_by_role("main").locator(".govuk-tag").first).to_have_text("Joint plan agreed")
