"""No dead ends for prison healthcare (issue #9), walked through in the browser.

Prison healthcare changes a person's details from the Change links on their page, records the
prison offender manager so the next person on shift knows whom to call, and deletes a draft
referral after the "Are you sure" page. The person and identifiers are this test's own, so
it runs in any order on the shared live-server database. Every page is checked with axe.
"""

import re
import uuid
from datetime import timedelta

from playwright.sync_api import expect

from caseflow.dates import local_today
from caseflow.extensions import db
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.pages import synthetic_nhs_number
from tests.browser.test_people_journey import add_person_in_custody

PRISON_HEALTHCARE = "prison.healthcare@demo.caseflow.test"
PROVIDER = "Birmingham Recovery Service"


def expect_banner(page, message: str) -> None:
    expect(page.locator(".govuk-notification-banner")).to_contain_text(message)


def draft_for(live_server, person_id: str) -> None:
    """A draft referral from HMP Birmingham's healthcare team to a provider serving the
    person's destination, through the referral service."""
    from caseflow.auth.services import user_by_email
    from caseflow.organisations.services import providers_serving
    from caseflow.referrals.services.handover import create_referral

    with live_server["app"].app_context():
        healthcare = user_by_email(PRISON_HEALTHCARE)
        (provider,) = [p for p in providers_serving("E08000025") if p.name == PROVIDER]
        create_referral(
            healthcare,
            uuid.UUID(person_id),
            provider_id=provider.id,
            consent="given",
            substance_group="opiate",
            opioid_medicine="none",
        )
        db.session.commit()


def action(page, name: str):
    """A referral page action, drawn as a link or as a button-styled link."""
    main = page.get_by_role("main")
    return main.get_by_role("link", name=name).or_(main.get_by_role("button", name=name))


def test_healthcare_changes_details_names_a_contact_and_deletes_a_draft(browser_page, live_server):
    page = browser_page
    today = local_today()
    sign_in(page, live_server, PRISON_HEALTHCARE)
    add_person_in_custody(
        page,
        given="Ottoline",
        family="Quarrendon",
        born=today - timedelta(days=41 * 365),
        nhs_number=synthetic_nhs_number("000914"),
        prison_number="Z9013AA",
        received=today - timedelta(days=60),
        expected_release=today + timedelta(days=20),
    )

    # 1. The details: a Change link beside the name, the form filled with what is held.
    details = page.get_by_role("main").locator(".govuk-summary-list").first
    details.get_by_role("link", name="Change name").click()
    expect(page.get_by_role("heading", level=1, name="Change personal details")).to_be_visible()
    expect(page.get_by_label("Family name")).to_have_value("Quarrendon")
    assert_accessible(page)
    page.get_by_label("Family name").fill("")
    page.get_by_role("button", name="Save changes").click()
    expect(page).to_have_title("Error: Change personal details - Caseflow")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the family name")
    expect(page.get_by_label("Given name")).to_have_value("Ottoline")  # nothing typed is lost
    assert_accessible(page)
    page.get_by_label("Family name").fill("Quarrendon-Vale")
    page.get_by_label("Address after release (optional)").fill("Flat 2, 10 Mill Lane")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1, name="Ottoline Quarrendon-Vale")).to_be_visible()
    expect_banner(page, "Personal details saved")
    expect(details).to_contain_text("Flat 2, 10 Mill Lane")
    assert_accessible(page)

    # 2. The prison offender manager, shown on the person page.
    contacts = page.get_by_role("main").locator(".govuk-summary-list", has_text="Keyworker")
    contacts.get_by_role("link", name="Add prison offender manager").click()
    expect(page.get_by_role("heading", level=1, name="Prison offender manager")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Name").fill("Rowan Ashdown")
    page.get_by_label("Team (optional)").fill("Offender management unit")
    page.get_by_label("Phone number").fill("0121 496 0123")
    page.get_by_role("button", name="Save contact").click()
    expect_banner(page, "Prison offender manager saved")
    expect(contacts).to_contain_text("Rowan Ashdown, Offender management unit")
    expect(contacts).to_contain_text("0121 496 0123")
    expect(page.locator(".moj-timeline")).to_contain_text(
        "Prison offender manager recorded as a named contact"
    )
    assert_accessible(page)

    # 3. A draft referral (made here as the referral form would; the form has its own journey
    # test), then deleted after the "Are you sure" page.
    person_id = page.url.rstrip("/").rsplit("/", 1)[-1].split("#")[0]
    draft_for(live_server, person_id)
    page.reload()
    page.get_by_role("main").get_by_role("table").get_by_role("link").first.click()
    expect(page.get_by_role("main")).to_contain_text(PROVIDER)
    assert_accessible(page)

    action(page, "Delete draft").click()
    expect(
        page.get_by_role("heading", level=1, name="Are you sure you want to delete this draft")
    ).to_be_visible()
    delete = page.get_by_role("button", name="Delete draft referral")
    expect(delete).to_have_class(re.compile(r"\bgovuk-button--warning\b"))
    assert_accessible(page)
    delete.click()
    expect(page.get_by_role("heading", level=1, name="Ottoline Quarrendon-Vale")).to_be_visible()
    expect_banner(page, "Draft referral deleted")
    expect(page.get_by_text("No referrals.")).to_be_visible()
    assert_accessible(page)
