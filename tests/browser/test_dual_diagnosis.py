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

from caseflow.auth.services import user_by_email
from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.people import custody
from caseflow.people import services as people
from caseflow.referrals import services as referrals
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.pages import fill_date, synthetic_nhs_number

PRISON_HEALTHCARE = "prison.healthcare@demo.caseflow.test"
KEYWORKER = "keyworker@demo.caseflow.test"
PRACTITIONER = "mental.health@demo.caseflow.test"
COORDINATOR = "Morgan Practitioner (demo)"
BIRMINGHAM = "E08000025"

GIVEN = "Tamsin"
FAMILY = "Okonkwo-Reeve"
FULL_NAME = f"{GIVEN} {FAMILY}"


def released_and_accepted(live_server, released):
    with live_server["app"].app_context():
        nurse = user_by_email(PRISON_HEALTHCARE)
        keyworker = user_by_email(KEYWORKER)
        person = people.create_person(
            nurse,
            given_name=GIVEN,
            family_name=FAMILY,
            date_of_birth=released - timedelta(days=29 * 365),
            nhs_number=synthetic_nhs_number("000990"),
            prison_number="Z9090DD",
            sex="female",
            ethnic_group="white",
        )
        episode = custody.add_custody_episode(
            nurse,
            person.id,
            reception_date=released - timedelta(days=150),
            expected_release_date=released,
            destination_local_authority_code=BIRMINGHAM,
            accommodation_on_release="settled",
            treatment_need="in_treatment",
            substance_group="opiate",
            opioid_substitution="methadone",
            last_dose_date=released,
            naloxone_issued=True,
            bridging_prescription=False,
        )
        custody.record_release(
            nurse,
            person.id,
            episode.id,
            version=episode.version,
            actual_release_date=released,
            release_type="licence",
            unplanned_release=False,
            reason="Released on licence",
        )
        referral = referrals.create_referral(
            nurse,
            person.id,
            provider_id=keyworker.organisation_id,
            consent="given",
            substance_group="opiate",
            opioid_medicine="methadone",
            opioid_dose="40ml daily",
        )
        referrals.change_status(nurse, referral.id, "send")
        referrals.change_status(keyworker, referral.id, "accept")
        db.session.commit()


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
    released_and_accepted(live_server, today - timedelta(days=4))

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
