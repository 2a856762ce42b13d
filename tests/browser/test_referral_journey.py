"""A referral from prison to community treatment, walked through the pages by three people.

Prison healthcare adds a person in custody, records their release and refers them; the area
manager sees them at risk; the community keyworker accepts the referral, books and records an
appointment and records the treatment start; the manager then no longer sees them at risk.

The person and their identifiers are unique to this test, so it runs in any order on the shared
live-server database. Every page visited is checked with axe.
"""

import re
from datetime import timedelta

from playwright.sync_api import expect

from caseflow.dates import display, local_today
from caseflow.people.identifiers import format_nhs_number
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.pages import choose, fill_date, main_menu, synthetic_nhs_number

PRISON_HEALTHCARE = "prison.healthcare@demo.caseflow.test"
KEYWORKER = "keyworker@demo.caseflow.test"
MANAGER = "manager@demo.caseflow.test"

GIVEN = "Perpetua"
FAMILY = "Hollowmere"
FULL_NAME = f"{GIVEN} {FAMILY}"
PRISON_NUMBER = "Z9001AA"
PROVIDER = "Birmingham Recovery Service"
AT_RISK = "Cases at risk in your area"


def radio(page, group: str, label: str):
    return page.get_by_role("group", name=group).get_by_label(label, exact=True)


def expect_banner(page, message: str) -> None:
    """The success message flashed after a change."""
    expect(page.locator(".govuk-notification-banner")).to_contain_text(message)


def status_tag(page):
    """The referral's status: the first tag in the page's main content."""
    return page.get_by_role("main").locator(".govuk-tag").first


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="You have signed out")).to_be_visible()
    assert_accessible(page)


def sign_in_to_worklist(page, live_server, email: str, worklist: str) -> None:
    sign_in(page, live_server, email)
    expect(page.get_by_role("heading", level=1, name="Worklist")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=worklist)).to_be_visible()
    assert_accessible(page)


def show_at_risk_in_birmingham(page) -> None:
    """On the manager's worklist: show only the cases going to Birmingham."""
    page.get_by_label("Local authority").select_option(label="Birmingham")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"local_authority=E08000025"))
    expect(page.get_by_role("heading", level=2, name=AT_RISK)).to_be_visible()
    expect(page.get_by_label("Local authority")).to_have_value("E08000025")
    assert_accessible(page)


def test_referral_from_prison_to_treatment_start(browser_page, live_server):
    page = browser_page
    today = local_today()
    nhs_number = synthetic_nhs_number("000789")
    born = today - timedelta(days=29 * 365 + 40)
    received = today - timedelta(days=100)
    expected_release = today - timedelta(days=6)
    last_dose = today - timedelta(days=6)
    released = today - timedelta(days=5)

    # 1. Prison healthcare adds the person, then their custody episode.
    sign_in_to_worklist(page, live_server, PRISON_HEALTHCARE, "Releasing soon without a referral")
    main_menu(page, "Add a person").click()
    expect(page.get_by_role("heading", name="Add a person")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Given name").fill(GIVEN)
    page.get_by_label("Family name").fill(FAMILY)
    fill_date(page, "date_of_birth", born)
    radio(page, "Sex", "Female").check()
    page.get_by_label("Ethnic group").select_option(label="Mixed or multiple ethnic groups")
    page.get_by_label("NHS number").fill(nhs_number)
    page.get_by_label("Prison number").fill(PRISON_NUMBER)
    page.get_by_role("button", name="Save person").click()
    expect(
        page.get_by_role("heading", name="Add a custody episode at HMP Birmingham")
    ).to_be_visible()
    expect_banner(page, "Person added")
    assert_accessible(page)

    fill_date(page, "reception_date", received)
    fill_date(page, "expected_release_date", expected_release)
    choose(page, "Local authority the person is expected to live in after release", "Birmingham")
    page.get_by_label("Accommodation on release").select_option(
        label="Approved premises or community accommodation (CAS1, CAS2, CAS3)"
    )
    radio(page, "Community treatment need", "In treatment in custody").check()
    page.get_by_label("Substance group").select_option(label="Opiate")
    page.get_by_label("Opioid substitution treatment").select_option(label="Methadone")
    fill_date(page, "last_dose_date", last_dose)
    radio(page, "Naloxone to be issued on release?", "Yes").check()
    radio(page, "Bridging prescription arranged?", "Yes").check()
    page.get_by_role("button", name="Save custody episode").click()
    expect(page.get_by_role("heading", level=1, name=FULL_NAME)).to_be_visible()
    expect_banner(page, "Custody episode added")
    episode = page.locator(".govuk-summary-card", has_text="HMP Birmingham")
    expect(episode).to_contain_text(f"Methadone, last dose {display(last_dose)}")
    expect(episode).to_contain_text("Not yet released")
    assert_accessible(page)

    # 2. The release, five days ago.
    episode.get_by_role("link", name="Record release").click()
    expect(page.get_by_role("heading", level=1, name="Record release")).to_be_visible()
    assert_accessible(page)
    fill_date(page, "actual_release_date", released)
    page.get_by_label("Type of release").select_option(label="Released on licence")
    page.get_by_label("Notes on the release").fill("Released a day later than expected")
    page.get_by_role("button", name="Record release").click()
    expect(page.get_by_role("heading", level=1, name=FULL_NAME)).to_be_visible()
    expect_banner(page, "Release recorded")
    expect(episode).to_contain_text(f"{display(released)}, Released on licence")
    assert_accessible(page)
    sign_out(page)

    # 3. The manager sees the person at risk in Birmingham: released, no treatment yet.
    sign_in_to_worklist(page, live_server, MANAGER, AT_RISK)
    show_at_risk_in_birmingham(page)
    at_risk = page.get_by_role("table", name=AT_RISK)
    expect(at_risk.get_by_role("link", name=FULL_NAME, exact=True)).to_be_visible()
    # A manager cannot create referrals, so is not offered the link (the template asks the
    # `permitted` filter; this fails while that filter is folded to a constant at compile time).
    expect(at_risk.get_by_role("link", name=f"Create referral for {FULL_NAME}")).to_have_count(0)
    sign_out(page)

    # 4. Prison healthcare finds the person and refers them, prefilled from custody.
    sign_in_to_worklist(page, live_server, PRISON_HEALTHCARE, "Releasing soon without a referral")
    main_menu(page, "Find a person").click()
    expect(page.get_by_role("heading", name="Find a person")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("NHS number").fill(format_nhs_number(nhs_number))
    page.get_by_role("button", name="Find person").click()
    expect(page.get_by_role("heading", name="1 person found")).to_be_visible()
    results = page.get_by_role("table", name="1 person found")
    expect(results).to_contain_text(PRISON_NUMBER)
    assert_accessible(page)
    results.get_by_role("link", name=FULL_NAME).click()
    expect(page.get_by_role("heading", level=1, name=FULL_NAME)).to_be_visible()
    expect(page.get_by_text("No referrals.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Create a referral to community treatment").click()
    expect(
        page.get_by_role("heading", level=1, name="Create a referral to community treatment")
    ).to_be_visible()
    assert_accessible(page)
    # What custody recorded is carried over, not typed again.
    expect(page.locator("#substance_group option:checked")).to_have_text("Opiate")
    expect(page.get_by_label("Opioid substitution medicine")).to_have_value("methadone")
    expect(page.locator("#last_dose_date-day")).to_have_value(f"{last_dose.day:02d}")
    expect(page.locator("#last_dose_date-month")).to_have_value(f"{last_dose.month:02d}")
    expect(page.locator("#last_dose_date-year")).to_have_value(str(last_dose.year))
    expect(radio(page, "Bridging prescription arranged?", "Yes")).to_be_checked()
    expect(radio(page, "Naloxone given on release?", "Yes")).to_be_checked()
    page.get_by_label("Community treatment provider").select_option(label=PROVIDER)
    radio(page, "Consent to share this referral", "Given").check()
    page.get_by_label("Dose (if on opioid substitution)").fill("60ml daily")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    # The answers are checked before anything is sent, each with a way back to change it.
    expect(
        page.get_by_role("heading", level=1, name="Check your answers before sending the referral")
    ).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(PROVIDER)
    expect(page.get_by_role("link", name="Change community treatment provider")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name=f"Send referral to {PROVIDER}").click()
    expect(page.get_by_role("heading", level=1, name=FULL_NAME)).to_be_visible()
    expect_banner(page, "Referral sent")
    expect(status_tag(page)).to_have_text("Sent")
    expect(page.get_by_role("main")).to_contain_text(
        f"Methadone, 60ml daily, last dose {display(last_dose)}"
    )
    caption = page.get_by_text(re.compile(r"^Referral [0-9A-F]{8}$"))
    expect(caption).to_be_visible()
    reference = caption.inner_text().removeprefix("Referral ")
    assert_accessible(page)
    sign_out(page)

    # 5. The keyworker accepts, books and records an appointment, then the treatment start.
    sign_in_to_worklist(page, live_server, KEYWORKER, "Incoming referrals")
    incoming = page.get_by_role("table", name="Incoming referrals")
    # The name goes to the person; the reference to the referral.
    expect(incoming.get_by_role("link", name=FULL_NAME, exact=True)).to_have_attribute(
        "href", re.compile(r"^/people/")
    )
    incoming.get_by_role("link", name=f"{reference} for {FULL_NAME}").click()
    expect(page.get_by_text(f"Referral {reference}", exact=True)).to_be_visible()
    expect(status_tag(page)).to_have_text("Sent")
    assert_accessible(page)

    page.get_by_role("button", name="Accept referral").click()
    expect(page.get_by_role("heading", level=1, name="Accept this referral")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Accept referral").click()
    expect_banner(page, "Referral accepted")
    expect(status_tag(page)).to_have_text("Accepted")
    assert_accessible(page)

    page.get_by_role("button", name="Book an appointment").click()
    expect(page.get_by_role("heading", level=1, name="Book an appointment")).to_be_visible()
    assert_accessible(page)
    fill_date(page, "appointment_date", today)
    page.get_by_label("Time (optional)").fill("10:30")
    page.get_by_role("button", name="Book appointment").click()
    expect_banner(page, "Appointment booked")
    appointments = page.get_by_role("table", name="Appointments")
    expect(appointments).to_contain_text(display(today))
    expect(appointments).to_contain_text("Booked")
    assert_accessible(page)

    # Only the provider's keyworker is offered this link (also behind the `permitted` filter).
    appointments.get_by_role("link", name=f"Record attendance for {display(today)}").click()
    expect(
        page.get_by_role("heading", level=1, name=f"Record attendance on {display(today)}")
    ).to_be_visible()
    assert_accessible(page)
    radio(page, "Did the person attend?", "Attended").check()
    page.get_by_role("button", name="Save attendance").click()
    expect_banner(page, "Attendance recorded")
    expect(page.get_by_role("table", name="Appointments")).to_contain_text("Attended")
    assert_accessible(page)

    page.get_by_role("button", name="Record treatment start").click()
    expect(
        page.get_by_role("heading", level=1, name="Record the start of treatment")
    ).to_be_visible()
    assert_accessible(page)
    fill_date(page, "treatment_start_date", today)
    page.get_by_role("button", name="Record treatment start").click()
    expect_banner(page, "Treatment start recorded")
    expect(status_tag(page)).to_have_text("Engaged")
    expect(page.get_by_text("within the 21 days.")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # The referrer is told: acceptance and treatment start are both waiting, unread.
    sign_in_to_worklist(page, live_server, PRISON_HEALTHCARE, "Releasing soon without a referral")
    notifications_link = main_menu(page, re.compile(r"^Notifications \(\d+\)$"))
    expect(notifications_link).to_be_visible()
    unread = int(re.search(r"\((\d+)\)", notifications_link.inner_text()).group(1))
    assert unread >= 2, f"expected the acceptance and treatment start unread, got {unread}"
    notifications_link.click()
    expect(page.get_by_role("heading", level=1, name="Notifications")).to_be_visible()
    expect(
        page.get_by_role(
            "button", name=f"Your referral was accepted: {FULL_NAME}, referral {reference}"
        )
    ).to_be_visible()
    expect(
        page.get_by_role(
            "button", name=f"Treatment started on your referral: {FULL_NAME}, referral {reference}"
        )
    ).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # 6. Treatment has started, so the manager no longer sees the person at risk.
    sign_in_to_worklist(page, live_server, MANAGER, AT_RISK)
    show_at_risk_in_birmingham(page)
    expect(page.get_by_role("link", name=FULL_NAME, exact=True)).to_have_count(0)
