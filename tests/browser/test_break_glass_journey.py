"""First sign-in with a new authenticator; a break-glass access; the auditor finding and judging it.

Every page is checked with axe (WCAG 2.2 AA).
"""

import pyotp
from playwright.sync_api import expect
from sqlalchemy import select

from caseflow.auth.services import create_user
from caseflow.extensions import db
from caseflow.organisations.services import organisation_by_name
from caseflow.people.identifiers import format_nhs_number
from caseflow.people.models import CustodyEpisode, Person
from tests.browser.conftest import assert_accessible, sign_in

ELSEWHERE = "prison.healthcare2@demo.caseflow.test"  # HMP Featherstone
AUDITOR = "auditor@demo.caseflow.test"
NEW_STARTER = "new.starter@demo.caseflow.test"


def someone_held_in_birmingham(live_server) -> str:
    with live_server["app"].app_context():
        birmingham = organisation_by_name("HMP Birmingham")
        people = db.session.scalars(
            select(Person)
            .join(CustodyEpisode, CustodyEpisode.person_id == Person.id)
            .where(CustodyEpisode.prison_id == birmingham.id, Person._nhs_number.is_not(None))
        ).all()
        return next(person.nhs_number for person in people if person.nhs_number)


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").first.click()
    expect(page.get_by_role("heading", name="You have signed out")).to_be_visible()


def test_first_sign_in_sets_up_the_authenticator(browser_page, live_server):
    page = browser_page
    with live_server["app"].app_context():
        create_user(
            email=NEW_STARTER,
            display_name="New Starter (demo)",
            password=live_server["password"],
            role="probation",
            organisation=organisation_by_name("Birmingham Central Probation Delivery Unit"),
        )
        db.session.commit()
    page.goto(live_server["url"] + "/sign-in")
    page.get_by_label("Email address").fill(NEW_STARTER)
    page.get_by_label("Password", exact=True).fill(live_server["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    expect(page.locator(".caseflow-qr-code svg")).to_be_visible()
    assert_accessible(page)
    page.get_by_text("I cannot scan the QR code").click()
    secret = page.locator("#secret").inner_text().strip()
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator(".caseflow-recovery-codes li")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("link", name="Continue to Caseflow").click()
    expect(page.get_by_role("heading", name="Worklist")).to_be_visible()
    assert_accessible(page)


def test_break_glass_and_the_auditor_finding_it(browser_page, live_server):
    page = browser_page
    nhs_number = someone_held_in_birmingham(live_server)

    # A nurse at another prison needs the record of someone who has arrived unexpectedly.
    sign_in(page, live_server, ELSEWHERE)
    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Find a person"
    ).click()
    page.get_by_label("NHS number").fill(format_nhs_number(nhs_number))
    page.get_by_role("button", name="Find person").click()
    expect(page.get_by_text("not in your organisation's caseload")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Use emergency access").click()
    expect(page.get_by_role("heading", name="Emergency access to a record")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Open the record").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Why do you need this record now?").fill(
        "Arrived on transfer without notes; checking methadone dose before dispensing"
    )
    page.get_by_label("Your password").fill(live_server["password"])
    page.get_by_role("button", name="Open the record").click()
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("emergency access")
    expect(page.get_by_role("heading", name="Personal details")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # The auditor sees the access first, awaiting review, and records a verdict.
    sign_in(page, live_server, AUDITOR)
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log", level=1)).to_be_visible()
    assert_accessible(page)
    row = page.get_by_role("row").filter(has_text=ELSEWHERE).first
    expect(row).to_contain_text("Awaiting review")
    row.get_by_role("link", name="Review").click()
    expect(page.get_by_role("heading", name="Review break-glass access")).to_be_visible()
    expect(page.get_by_text("checking methadone dose before dispensing")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("radio", name="Appropriate", exact=True).check()
    page.get_by_role("button", name="Record verdict").click()
    expect(page.get_by_role("table", name="Verdicts")).to_contain_text("Appropriate")
    assert_accessible(page)
