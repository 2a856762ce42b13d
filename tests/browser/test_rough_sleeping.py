"""The outreach worker's rough sleeping journey (issue 11), walked through the pages: their
worklist of people released without a home, the person and their case, the Duty to Refer
(refused beside the consent boxes until both consents are given), the housing authority's
response and the accommodation outcome at 3 weeks. Every page visited is checked with axe.

The person is released 22 days ago (the 3-week outcome is due) and their case opened through the
services, as the releasing prison would have done, with identifiers unique to this test.
"""

import re
from datetime import timedelta

from playwright.sync_api import expect

from caseflow.auth.services import user_by_email
from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.organisations import services as organisations
from caseflow.pathways.rough_sleeping import services as rough_sleeping
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.pages import fill_date
from tests.browser.people import PRISON_HEALTHCARE, Someone, released_to_birmingham

OUTREACH = "outreach@demo.caseflow.test"
WITHOUT_A_HOME = Someone(
    given_name="Wren",
    family_name="Ashcombe",
    nhs_first_six="000981",
    prison_number="Z9081RS",
    sex="female",
    age_at_release=41,
    days_in_custody=120,
    dose="30ml daily",
)
FULL_NAME = WITHOUT_A_HOME.full_name


def released_with_a_case(live_server, released):
    with live_server["app"].app_context():
        nurse = user_by_email(PRISON_HEALTHCARE)
        person = released_to_birmingham(
            nurse, WITHOUT_A_HOME, released, accommodation="no_fixed_abode", bridging=True
        )
        case = rough_sleeping.open_case(nurse, person.id, first_night="rough_sleeping")
        team = organisations.organisation_by_name("Birmingham Street Outreach Team")
        rough_sleeping.change_status(nurse, case.id, "assign_team", team_id=team.id)
        db.session.commit()
        return case.id


def action(page, name: str):
    """An action on the case page, drawn as a button-styled link."""
    return page.get_by_role("link", name=name).or_(page.get_by_role("button", name=name)).first


def test_outreach_worker_records_the_duty_to_refer_and_the_3_week_outcome(
    browser_page, live_server
):
    page = browser_page
    released = local_today() - timedelta(days=22)
    case_id = released_with_a_case(live_server, released)

    # 1. The outreach worker lands on their list and finds the person, sleeping rough.
    sign_in(page, live_server, OUTREACH)
    expect(page.get_by_role("heading", level=2, name="Released without a home")).to_be_visible()
    assert_accessible(page)
    row = page.get_by_role("row").filter(has_text=FULL_NAME)
    expect(row).to_contain_text("Rough sleeping")
    row.get_by_role("link", name=FULL_NAME).click()
    expect(page.get_by_role("heading", level=1, name=FULL_NAME)).to_be_visible()
    expect(page.get_by_role("heading", name="Rough sleeping", exact=True)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Opioid substitution")
    assert_accessible(page)

    # 2. The case, then the Duty to Refer: refused beside the boxes without both consents.
    page.get_by_role("link", name=re.compile(r"^Open the case")).click()
    expect(page).to_have_url(f"{live_server['url']}/rough-sleeping/cases/{case_id}")
    assert_accessible(page)
    action(page, "Record the Duty to Refer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Duty to Refer")
    assert_accessible(page)
    page.get_by_label("Homeless", exact=True).check()
    page.get_by_label("Local housing authority of the person's choice").select_option(
        label="Birmingham City Council Housing Options"
    )
    fill_date(page, "referred_on", released + timedelta(days=1))
    page.get_by_label("The person consents to the referral").check()
    page.get_by_role("button", name="Record Duty to Refer").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator("#consent_to_share_contact-error")).to_contain_text("consent")
    expect(page.get_by_label("The person consents to the referral")).to_be_checked()
    assert_accessible(page)
    page.get_by_label(
        "The person consents to sharing their contact details with the housing authority"
    ).check()
    page.get_by_role("button", name="Record Duty to Refer").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Duty to Refer recorded")
    expect(page.locator("main")).to_contain_text("Birmingham City Council Housing Options")
    assert_accessible(page)

    # 3. The housing authority's response, then the 3-week outcome.
    action(page, "Record the housing authority's response").click()
    assert_accessible(page)
    page.get_by_label("Relief duty owed").check()
    fill_date(page, "response_on", local_today())
    page.get_by_role("button", name="Record response").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Response recorded")
    assert_accessible(page)
    action(page, "Record the accommodation outcome at 3 weeks").click()
    assert_accessible(page)
    page.get_by_label("Not settled").check()
    page.get_by_role("button", name="Record outcome").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("3-week outcome recorded")
    expect(page.locator("main")).to_contain_text("3-week outcome recorded")
    assert_accessible(page)

    # 4. The case has left the 3-week list.
    page.goto(live_server["url"] + "/rough-sleeping/worklist/outcomes")
    expect(page.get_by_role("heading", level=2, name="Outcomes due at 3 weeks")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(FULL_NAME)
    assert_accessible(page)
