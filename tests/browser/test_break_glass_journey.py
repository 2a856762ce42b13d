"""An account set up by its owner through the emailed link; a break-glass access; the auditor
seeing both, and judging the access.

Every page is checked with axe (WCAG 2.2 AA).
"""

import pyotp
from playwright.sync_api import expect
from sqlalchemy import select

from caseflow.extensions import db
from caseflow.organisations.services import organisation_by_name
from caseflow.people.identifiers import format_nhs_number
from caseflow.people.models import CustodyEpisode, Person
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.pages import choose
from tests.outbox import Outbox, path_of

ELSEWHERE = "prison.healthcare2@demo.caseflow.test"  # HMP Featherstone
AUDITOR = "auditor@demo.caseflow.test"
ADMIN = "admin@demo.caseflow.test"
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


def test_an_account_is_set_up_by_its_owner_through_the_emailed_link(
    browser_page, live_server, tmp_path
):
    page = browser_page
    live_server["app"].config["OUTBOX_DIR"] = str(tmp_path)
    outbox = Outbox(tmp_path)

    # An administrator adds the account: there is no password to choose.
    sign_in(page, live_server, ADMIN)
    page.goto(live_server["url"] + "/admin/users/new")
    assert_accessible(page)
    page.get_by_label("Full name").fill("New Starter (demo)")
    page.get_by_label("Email address").fill(NEW_STARTER)
    page.get_by_role("radio", name="Probation", exact=True).check()
    choose(
        page, "Organisation", "Birmingham Central Probation Delivery Unit (Probation delivery unit)"
    )
    page.get_by_role("button", name="Add user").click()
    expect(page.get_by_text("Caseflow has emailed them a link")).to_be_visible()
    expect(page.get_by_text("Not chosen yet. Set-up link emailed")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send a new set-up link").click()
    expect(page.get_by_role("heading", name="Reset New Starter (demo)'s password")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # The person opens the link from their email and chooses their own password.
    # (Tests' links name http://localhost; the live server listens on its own port.)
    link = live_server["url"] + path_of(outbox.latest_link(NEW_STARTER))
    page.goto(link)
    expect(page.get_by_role("heading", name="Create a password")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Create a password").fill("short")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("15 characters or more")
    assert_accessible(page)
    page.get_by_label("Create a password").fill("seven lanterns over a quiet canal")
    page.get_by_role("button", name="Continue").click()

    # Then the authenticator, at the usual enrolment step.
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
    sign_out(page)

    # The link works once.
    page.goto(link)
    expect(page.get_by_role("heading", name="This link has already been used")).to_be_visible()
    assert_accessible(page)

    # Auditors see who made the clinical account, and its first use, beside break-glass.
    sign_in(page, live_server, AUDITOR)
    page.goto(live_server["url"] + "/audit/break-glass")
    accounts = page.get_by_role("table", name="Clinical accounts made, reset and first used")
    expect(accounts.get_by_role("row").filter(has_text="First sign-in")).to_contain_text(
        NEW_STARTER
    )
    expect(accounts.get_by_role("row").filter(has_text="Account made")).to_contain_text(ADMIN)
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
