"""GOV.UK form patterns, as a person meets them in the browser (issue 9, "GOV.UK and MoJ
patterns"): the error summary takes focus, follow-up questions are revealed under the answer
they follow, a text area counts down its limit, and a long select becomes an accessible
autocomplete. Without JavaScript every question is on the page and the select is a plain one:
tests/test_forms_without_javascript.py reads that from the pages as the server sends them.

Every page visited is checked with axe (WCAG 2.2 AA).
"""

from datetime import timedelta

from playwright.sync_api import expect

from caseflow.dates import local_today
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.pages import fill_date, main_menu, synthetic_nhs_number
from tests.browser.test_people_journey import fill_person

PRISON_HEALTHCARE = "prison.healthcare@demo.caseflow.test"
LOCAL_AUTHORITY = "Local authority the person is expected to live in after release"
BIRMINGHAM = "E08000025"


def add_a_person(page, *, family: str, nhs_first_six: str, prison_number: str) -> None:
    """From any signed-in page, add a person; ends on their new custody episode form."""
    main_menu(page, "Add a person").click()
    fill_person(
        page,
        given="Ffion",
        family=family,
        born=local_today() - timedelta(days=365 * 30),
        nhs_number=synthetic_nhs_number(nhs_first_six),
        prison_number=prison_number,
    )
    page.get_by_role("button", name="Save person").click()
    expect(page.get_by_role("heading", name="Add a custody episode")).to_be_visible()


def test_the_error_summary_takes_focus_and_follow_up_questions_are_revealed(
    browser_page, live_server
):
    page = browser_page
    sign_in(page, live_server, PRISON_HEALTHCARE)

    # Bad input: the summary, first in the title and focused, so a screen reader hears it.
    main_menu(page, "Add a person").click()
    yesterday = local_today() - timedelta(days=1)
    fill_date(page, "date_of_birth", yesterday)
    page.get_by_role("button", name="Save person").click()
    expect(page).to_have_title("Error: Add a person - Caseflow")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    message = "Date of birth must be in the past and the person must be at least 16"
    expect(summary.get_by_role("link", name=message)).to_be_visible()
    expect(page.locator(".govuk-error-message", has_text=message)).to_be_visible()
    expect(page.get_by_text("For example, 27 3", exact=False).first).to_be_visible()
    assert_accessible(page)

    add_a_person(page, family="Reveal", nhs_first_six="000941", prison_number="Z9031RV")
    assert_accessible(page)

    # Why the release date is not known: asked only once the box says it is not known.
    reason = page.get_by_label("Why is the release date not known?")
    expect(reason).to_be_hidden()
    page.get_by_label("The expected release date is not known yet").check()
    expect(reason).to_be_visible()
    assert_accessible(page)

    # The last dose: asked only for someone on opioid substitution.
    last_dose = page.get_by_role("group", name="Date of last dose (if on opioid substitution)")
    page.get_by_label("Opioid substitution treatment").select_option(label="None")
    expect(last_dose).to_be_hidden()
    page.get_by_label("Opioid substitution treatment").select_option(label="Methadone")
    expect(last_dose).to_be_visible()
    assert_accessible(page)

    # The long list of local authorities: type a few letters, choose the suggestion.
    field = page.get_by_label(LOCAL_AUTHORITY, exact=True)
    expect(field).to_have_attribute("role", "combobox")
    field.fill("Birm")
    suggestion = page.get_by_role("option", name="Birmingham", exact=True)
    expect(suggestion).to_be_visible()
    assert_accessible(page)
    suggestion.click()
    expect(page.locator("select[name=destination_local_authority]")).to_have_value(BIRMINGHAM)


def test_a_case_note_counts_down_its_limit(browser_page, live_server):
    page = browser_page
    sign_in(page, live_server, PRISON_HEALTHCARE)
    add_a_person(page, family="Counted", nhs_first_six="000942", prison_number="Z9032CC")
    page.get_by_role("link", name="Back to Ffion Counted").click()
    expect(page.get_by_role("heading", level=1, name="Ffion Counted")).to_be_visible()
    note = page.get_by_label("Case note")
    note.fill("Phoned the prison about the release plan")
    # The visible count (GOV.UK also writes the same words, later, for screen readers).
    counted = page.locator(".govuk-character-count__status")
    expect(counted).to_have_text("You have 4,960 characters remaining")
    assert_accessible(page)
