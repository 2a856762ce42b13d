"""A manager reads the continuity-of-care rate for a period, opens a breakdown, drills into the
cases behind a number, opens a case with its audited events and then a person, on the demo data;
axe on every page."""

import re

from playwright.sync_api import expect

from caseflow.continuity import periods
from caseflow.dates import local_today
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.pages import choose, main_menu

MANAGER = "manager@demo.caseflow.test"


def test_a_manager_reads_the_rate_and_drills_down_to_a_person(browser_page, live_server):
    page = browser_page
    sign_in(page, live_server, MANAGER)
    main_menu(page, "Continuity of care").click()
    expect(page.get_by_role("heading", name="Continuity of care", level=1)).to_be_visible()
    assert_accessible(page)

    # The demo's releases all fall in this financial year or the last: choose this one.
    today = local_today()
    year = periods.financial_year(today.year if today.month >= 4 else today.year - 1)
    choose(page, "Period", year.label)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name=f"Releases in {year.label}")).to_be_visible()
    expect(page.locator("#rate")).to_contain_text("against a target of 75%")
    expect(page.locator("#settings")).to_contain_text("within 21 days of release")
    assert_accessible(page)

    page.get_by_role("link", name="By local authority").click()
    expect(
        page.get_by_role("heading", name="Continuity of care by local authority")
    ).to_be_visible()
    assert_accessible(page)
    first_area = page.locator("tbody tr th a").first
    area = first_area.inner_text()
    first_area.click()
    expect(page.get_by_role("heading", name="Cases: local authority")).to_be_visible()
    expect(page.locator("tbody tr").first).to_contain_text(area)
    assert_accessible(page)

    # The case behind the first row: its outcome and the audited events that put it there.
    page.locator("tbody tr").first.get_by_role("link", name="Audited events").click()
    case_heading = page.get_by_role("heading", name=re.compile(r"^Case released "), level=1)
    expect(case_heading).to_be_visible()
    expect(page.locator(".govuk-summary-list")).to_contain_text(area)
    expect(page.get_by_role("heading", name="Audited events for this release")).to_be_visible()
    assert_accessible(page)
    page.go_back()
    expect(page.get_by_role("heading", name="Cases: local authority")).to_be_visible()

    page.get_by_role("link", name="Open record").first.click()
    expect(page.get_by_role("heading", name="Custody")).to_be_visible()
    assert_accessible(page)
