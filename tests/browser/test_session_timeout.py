"""Two minutes before the idle sign-out, a warning lets the person stay signed in (WCAG 2.2.1)."""

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in


def test_the_idle_warning_appears_and_staying_signed_in_works(browser_page, live_server):
    page = browser_page
    page.clock.install()
    sign_in(page, live_server, "auditor@demo.caseflow.test")
    expect(page.get_by_role("heading", name="Home")).to_be_visible()
    dialog = page.get_by_role("dialog", name="You will be signed out soon")
    expect(page.locator("body[data-session-timeout-ready]")).to_be_attached()
    expect(dialog).to_be_hidden()

    page.clock.run_for(27 * 60_000 + 59_000)  # 27 min 59 s idle: 1 s before the warning
    expect(dialog).to_be_hidden()
    page.clock.run_for(2_000)
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("2 minutes")
    assert_accessible(page)

    with page.expect_response("**/session/keep-alive") as kept:
        dialog.get_by_role("button", name="Stay signed in").click()
    assert kept.value.status == 204
    expect(dialog).to_be_hidden()

    # The timer starts again from the keep-alive.
    page.clock.run_for(27 * 60_000)
    expect(dialog).to_be_hidden()
    page.clock.run_for(90_000)
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="You have signed out")).to_be_visible()
