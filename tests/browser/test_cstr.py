"""A DRR walked through the pages by probation and the treatment provider (issue 11): probation
adds a person never in custody and asks Birmingham Recovery Service to assess them; the
provider finds the court report due on its worklist and answers suitable; probation records the
order with the person's consent; the provider records the treatment start and a drug test;
probation schedules a court review with its report, records the report, then the completion.
Every page visited is checked with axe."""

from datetime import date, timedelta

from playwright.sync_api import expect

from caseflow.dates import local_today
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.pages import choose, fill_date, main_menu, synthetic_nhs_number

PROBATION = "probation@demo.caseflow.test"
KEYWORKER = "keyworker@demo.caseflow.test"
PROVIDER = "Birmingham Recovery Service"
COURT = "Birmingham Magistrates' Court"
WORKLIST = "CSTR: reports and reviews due"


def radio(page, group: str, label: str):
    return page.get_by_role("group", name=group).get_by_label(label, exact=True)


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="You have signed out")).to_be_visible()
    assert_accessible(page)


def act(page, button: str, heading: str) -> None:
    """Open one of the CSTR page's actions: its page, checked with axe."""
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    assert_accessible(page)


def done(page, message: str, status: str) -> None:
    """Back on the CSTR page, which says what was done and where the CSTR now is."""
    main = page.get_by_role("main")
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(message)
    expect(main.locator(".govuk-tag").first).to_have_text(status)
    assert_accessible(page)


def test_probation_and_the_provider_take_a_drr_from_suitability_to_completion(
    browser_page, live_server
):
    page = browser_page
    given, family = "Perpetua", "Wolstenholme"
    today = local_today()

    sign_in(page, live_server, PROBATION)
    expect(page.get_by_role("heading", level=1, name="Worklist")).to_be_visible()
    assert_accessible(page)
    main_menu(page, "Add a person").click()
    expect(page.get_by_role("heading", name="Add a person")).to_be_visible()
    page.get_by_label("Given name").fill(given)
    page.get_by_label("Family name").fill(family)
    fill_date(page, "date_of_birth", date(1986, 9, 3))
    radio(page, "Sex", "Female").check()
    page.get_by_label("Ethnic group").select_option(label="White")
    page.get_by_label("NHS number").fill(synthetic_nhs_number("001101"))
    page.get_by_role("button", name="Save person").click()
    expect(page.get_by_role("heading", level=1, name=f"{given} {family}")).to_be_visible()
    assert_accessible(page)

    # Before sentence: the provider is asked to assess suitability for the court report.
    page.get_by_role("link", name="Ask for a CSTR suitability assessment").click()
    expect(
        page.get_by_role("heading", level=1, name="Ask for a CSTR suitability assessment")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Drug rehabilitation requirement (DRR)").check()
    page.get_by_label("Treatment provider").select_option(label=PROVIDER)
    choose(page, "Local authority the person lives in", "Birmingham")
    fill_date(page, "court_report_due", today + timedelta(days=9))
    page.get_by_role("button", name="Request assessment").click()
    done(page, "Suitability assessment requested", "Assessment requested")
    cstr_page = page.url
    sign_out(page)

    # The provider finds the court report due on its CSTR worklist, and answers suitable.
    sign_in(page, live_server, KEYWORKER)
    page.get_by_role("navigation", name="Worklists").get_by_role("link", name=WORKLIST).click()
    expect(page.get_by_role("heading", level=2, name=WORKLIST)).to_be_visible()
    assert_accessible(page)
    row = page.get_by_role("row").filter(has_text=f"{given} {family}")
    expect(row).to_contain_text("Court report (suitability)")
    row.get_by_role("link").nth(1).click()
    expect(page.get_by_role("heading", level=1, name=f"{given} {family}")).to_be_visible()
    assert_accessible(page)
    act(page, "Assessed suitable", "Record that the person is suitable")
    fill_date(page, "assessed_on", today)
    page.get_by_role("button", name="Confirm").click()
    done(page, "Assessment recorded", "Assessed suitable")
    sign_out(page)

    # The court makes the order; probation records it, with the person's consent.
    sign_in(page, live_server, PROBATION)
    page.goto(cstr_page)
    assert_accessible(page)
    act(page, "Record the order", "Record the order the court made")
    page.get_by_label("Drug rehabilitation requirement (DRR)").check()
    page.get_by_label("Treatment provider").select_option(label=PROVIDER)
    page.get_by_label("Court", exact=True).select_option(label=COURT)
    sentence = today - timedelta(days=3)
    fill_date(page, "sentence_date", sentence)
    radio(page, "Type of order", "Community order").check()
    radio(page, "Did the person consent to the treatment requirements?", "Yes").check()
    fill_date(page, "start_date", sentence)
    fill_date(page, "end_date", sentence + timedelta(days=182))
    page.get_by_role("button", name="Record the order").click()
    done(page, "Order recorded", "Order made")
    expect(page.get_by_role("main")).to_contain_text("Day 3 since sentence, 18 days left")
    sign_out(page)

    # The provider starts treatment (day 3 of the 21) and records a drug test.
    sign_in(page, live_server, KEYWORKER)
    page.goto(cstr_page)
    act(page, "Record treatment start", "Record the start of treatment")
    fill_date(page, "treatment_start_date", today)
    page.get_by_role("button", name="Record treatment start").click()
    done(page, "Treatment start recorded", "In treatment")
    expect(page.get_by_role("main")).to_contain_text("within the 21 days")
    act(page, "Record a drug test", "Record a drug test")
    fill_date(page, "tested_on", today)
    radio(page, "Result", "Negative").check()
    page.get_by_role("button", name="Record drug test").click()
    done(page, "Drug test recorded", "In treatment")
    sign_out(page)

    # Probation schedules a court review with its report due before it, sends the report,
    # and at the end records the completion.
    sign_in(page, live_server, PROBATION)
    page.goto(cstr_page)
    act(page, "Schedule a court review", "Schedule a court review")
    fill_date(page, "review_date", today + timedelta(days=35))
    fill_date(page, "report_due", today + timedelta(days=28))
    page.get_by_role("button", name="Schedule review").click()
    done(page, "Court review scheduled", "In treatment")
    act(page, "Record a review report", "Record the review report sent to the court")
    fill_date(page, "report_sent_on", today)
    page.get_by_role("button", name="Record review report").click()
    done(page, "Review report recorded", "In treatment")
    act(page, "Record completion", "Record that the requirement was completed")
    fill_date(page, "event_date", today)
    page.get_by_role("button", name="Record completion").click()
    done(page, "Completion recorded", "Completed")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Negative")
    expect(main).to_contain_text("Review report sent to the court")
    sign_out(page)
