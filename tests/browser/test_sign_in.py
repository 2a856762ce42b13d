from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in


def test_sign_in_page_is_accessible(browser_page, live_server):
    browser_page.goto(live_server["url"] + "/sign-in")
    expect(browser_page).to_have_title("Sign in - Caseflow")
    assert_accessible(browser_page)


def test_sign_in_errors_are_accessible(browser_page, live_server):
    browser_page.goto(live_server["url"] + "/sign-in")
    browser_page.get_by_role("button", name="Sign in").click()
    expect(browser_page.locator(".govuk-error-summary")).to_be_visible()
    expect(browser_page).to_have_title("Error: Sign in - Caseflow")
    assert_accessible(browser_page)


def test_sign_in_and_out(browser_page, live_server):
    sign_in(browser_page, live_server, "admin@demo.caseflow.test")
    expect(browser_page.get_by_role("heading", name="Home")).to_be_visible()
    assert_accessible(browser_page)
    browser_page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Users"
    ).click()
    expect(browser_page.get_by_role("heading", name="Users")).to_be_visible()
    assert_accessible(browser_page)
    browser_page.get_by_role("button", name="Sign out").click()
    expect(browser_page.get_by_role("heading", name="You have signed out")).to_be_visible()
    assert_accessible(browser_page)
