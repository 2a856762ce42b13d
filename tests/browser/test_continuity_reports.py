"""A manager reads the rate with its trend, opens a breakdown, drills into its cases and opens a
person, then opens act now and the monthly report and downloads its PDF; an administrator
changes the measure's settings, meeting an error on the way. Demo data; axe on every page."""

from datetime import timedelta

import pypdf
from playwright.sync_api import expect

from caseflow.continuity import periods
from caseflow.dates import local_today
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.pages import choose, fill_date, main_menu

MANAGER = "manager@demo.caseflow.test"
ADMIN = "admin@demo.caseflow.test"


def month_with_an_open_window(live_server):
    """The month of the demo release with the fewest days left (the demo's releases are set
    relative to today, so one is always pending, but which month holds it varies)."""
    from caseflow.auth.services import user_by_email
    from caseflow.continuity import services

    with live_server["app"].app_context():
        [first, *_] = services.act_now(user_by_email(MANAGER)).rows
        return periods.month(first.release_date.year, first.release_date.month)


def test_a_manager_reads_the_rate_drills_down_and_opens_act_now_and_the_report(
    browser_page, live_server
):
    page = browser_page
    sign_in(page, live_server, MANAGER)
    main_menu(page, "Continuity of care").click()
    month = month_with_an_open_window(live_server)
    # More than 20 periods: the select becomes GOV.UK's autocomplete once the script has run.
    expect(page.locator("input#period")).to_be_attached()
    choose(page, "Period", month.label)
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#rate")).to_contain_text("against a target of 75%")
    chart = page.get_by_role("img", name="Continuity-of-care rate by month of release")
    expect(chart).to_be_visible()
    expect(page.locator("#trend-table tbody tr")).to_have_count(24)
    # A release in this month is still in its window: the month is provisional, so forecast.
    expect(page.locator("#forecast")).to_contain_text("if every pending case starts treatment")
    assert_accessible(page)

    page.get_by_role("link", name="By provider").click()
    expect(page.get_by_role("heading", name="Continuity of care by provider")).to_be_visible()
    assert_accessible(page)
    page.locator("tbody tr th a").first.click()
    expect(page.get_by_role("heading", name="Cases: provider")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Open record").first.click()
    expect(page.get_by_role("heading", name="Custody")).to_be_visible()
    assert_accessible(page)

    main_menu(page, "Continuity of care").click()
    page.get_by_role("link", name="Act now").click()
    expect(page.get_by_role("heading", name="Act now", level=1)).to_be_visible()
    assert_accessible(page)
    days_left = [int(text) for text in page.locator("tbody tr td:first-child").all_inner_texts()]
    assert days_left and days_left == sorted(days_left)
    page.get_by_role("link", name="Open record").first.click()
    expect(page.get_by_role("heading", name="Custody")).to_be_visible()
    assert_accessible(page)

    main_menu(page, "Continuity of care").click()
    page.get_by_role("link", name="Monthly partnership report").click()
    expect(page.get_by_role("heading", name="Continuity of care:", level=1)).to_be_visible()
    rate = page.locator("#report-rate").inner_text()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this report (PDF)").click()
    pdf = download.value
    assert pdf.suggested_filename.endswith(".pdf")
    text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(pdf.path()).pages).split())
    assert " ".join(rate.split()) in text


def test_an_administrator_changes_the_measure_settings(browser_page, live_server):
    page = browser_page
    sign_in(page, live_server, ADMIN)
    main_menu(page, "Measure settings").click()
    expect(page.get_by_role("heading", name="Continuity measure settings")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Change the settings").click()
    assert_accessible(page)
    starts = local_today() + timedelta(days=365 * 3)
    fill_date(page, "effective_from", starts)
    page.get_by_label("Window in days").fill("three weeks")
    page.get_by_role("button", name="Save new settings").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("whole number of days")
    expect(page.locator("#window_days-error")).to_be_visible()
    expect(page.get_by_label("Window in days")).to_have_value("three weeks")
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    page.get_by_label("Window in days").fill("28")
    page.get_by_role("button", name="Save new settings").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("within 28 days")
    expect(page.get_by_role("heading", name="In effect from").first).to_contain_text(
        str(starts.year)
    )
    assert_accessible(page)
