"""Adding, finding and changing a person, walked through the pages as prison healthcare would.

Each test creates its own person with its own identifiers, so the tests run in any order on the
shared live-server database. Every page visited, error pages included, is checked with axe.
"""

from datetime import timedelta

from playwright.sync_api import expect

from caseflow.dates import display, local_today
from caseflow.people.identifiers import format_nhs_number
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.pages import choose, fill_date, main_menu, synthetic_nhs_number

BIRMINGHAM = "prison.healthcare@demo.caseflow.test"
FEATHERSTONE = "prison.healthcare2@demo.caseflow.test"


def expect_error(page, message: str) -> None:
    """The message is in the error summary, as a link, and beside its field."""
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name=message)).to_be_visible()
    expect(page.locator(".govuk-error-message", has_text=message)).to_be_visible()


def fill_person(page, *, given, family, born, nhs_number, prison_number) -> None:
    page.get_by_label("Given name").fill(given)
    page.get_by_label("Family name").fill(family)
    fill_date(page, "date_of_birth", born)
    page.get_by_role("group", name="Sex").get_by_label("Male", exact=True).check()
    page.get_by_label("Ethnic group").select_option(label="White")
    page.get_by_label("NHS number").fill(nhs_number)
    page.get_by_label("Prison number").fill(prison_number)


def fill_custody_episode(page, *, received, expected_release) -> None:
    fill_date(page, "reception_date", received)
    fill_date(page, "expected_release_date", expected_release)
    choose(page, "Local authority the person is expected to live in after release", "Birmingham")
    page.get_by_label("Accommodation on release").select_option(
        label="Transient or temporary accommodation"
    )
    page.get_by_role("group", name="Community treatment need").get_by_label(
        "In treatment in custody"
    ).check()
    page.get_by_label("Substance group").select_option(label="Opiate")
    page.get_by_label("Opioid substitution treatment").select_option(label="None")
    page.get_by_role("group", name="Naloxone to be issued on release?").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_role("group", name="Bridging prescription arranged?").get_by_label(
        "No", exact=True
    ).check()


def add_person_in_custody(
    page, *, given, family, born, nhs_number, prison_number, received, expected_release
) -> None:
    """From any signed-in page: add a person, then their custody episode; ends on their page."""
    main_menu(page, "Add a person").click()
    expect(page.get_by_role("heading", name="Add a person")).to_be_visible()
    assert_accessible(page)
    fill_person(
        page,
        given=given,
        family=family,
        born=born,
        nhs_number=nhs_number,
        prison_number=prison_number,
    )
    page.get_by_role("button", name="Save person").click()
    expect(page.get_by_role("heading", name="Add a custody episode")).to_be_visible()
    expect(page).to_have_title("Add a custody episode - Caseflow")
    expect(page.get_by_text("Person added")).to_be_visible()
    assert_accessible(page)
    fill_custody_episode(page, received=received, expected_release=expected_release)
    page.get_by_role("button", name="Save custody episode").click()
    expect(page.get_by_role("heading", level=1, name=f"{given} {family}")).to_be_visible()
    expect(page.get_by_text("Custody episode added")).to_be_visible()
    assert_accessible(page)


def test_prison_healthcare_adds_finds_and_changes_a_person(browser_page, live_server):
    page = browser_page
    today = local_today()
    nhs_number = synthetic_nhs_number("000123")
    born = today - timedelta(days=34 * 365 + 17)
    received = today - timedelta(days=30)
    expected_release = today + timedelta(days=21)
    moved_release = today + timedelta(days=35)

    sign_in(page, live_server, BIRMINGHAM)
    expect(page.get_by_role("heading", name="Worklist")).to_be_visible()
    assert_accessible(page)

    # 1. The empty form is refused, with each problem in the summary and beside its field.
    main_menu(page, "Add a person").click()
    expect(page.get_by_role("heading", name="Add a person")).to_be_visible()
    expect(page).to_have_title("Add a person - Caseflow")
    assert_accessible(page)
    page.get_by_role("button", name="Save person").click()
    expect(page).to_have_title("Error: Add a person - Caseflow")
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect_error(page, "Enter the given name")
    expect_error(page, "Enter the family name")
    expect_error(page, "Enter the date of birth")
    expect_error(page, "Select sex")
    assert_accessible(page)

    # 2. The filled form saves, and prison healthcare goes straight on to the custody episode.
    fill_person(
        page,
        given="Tobias",
        family="Quillfeather",
        born=born,
        nhs_number=nhs_number,
        prison_number="Z9876YX",
    )
    page.get_by_role("button", name="Save person").click()
    expect(
        page.get_by_role("heading", name="Add a custody episode at HMP Birmingham")
    ).to_be_visible()
    expect(page.get_by_text("Person added")).to_be_visible()
    assert_accessible(page)
    fill_custody_episode(page, received=received, expected_release=expected_release)
    page.get_by_role("button", name="Save custody episode").click()
    expect(page.get_by_role("heading", level=1, name="Tobias Quillfeather")).to_be_visible()
    expect(page.get_by_text("Custody episode added")).to_be_visible()
    episode = page.locator(".govuk-summary-card", has_text="HMP Birmingham")
    expect(
        episode.get_by_role("heading", name=f"HMP Birmingham, received {display(received)}")
    ).to_be_visible()
    expect(episode).to_contain_text(display(expected_release))
    expect(episode).to_contain_text("In treatment in custody")
    assert_accessible(page)

    # 3. Find the person again by NHS number, typed with spaces.
    main_menu(page, "Find a person").click()
    expect(page.get_by_role("heading", name="Find a person")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("NHS number").fill(format_nhs_number(nhs_number))
    page.get_by_role("button", name="Find person").click()
    expect(page.get_by_role("heading", name="1 person found")).to_be_visible()
    results = page.get_by_role("table", name="1 person found")
    expect(results).to_contain_text(format_nhs_number(nhs_number))
    expect(results).to_contain_text("Z9876YX")
    assert_accessible(page)
    results.get_by_role("link", name="Tobias Quillfeather").click()
    expect(page.get_by_role("heading", level=1, name="Tobias Quillfeather")).to_be_visible()
    expect(page.get_by_text(f"HMP Birmingham, received {display(received)}")).to_be_visible()
    assert_accessible(page)

    # 4. Move the expected release date, giving a reason.
    page.get_by_role("link", name="Change expected release date").click()
    expect(page.get_by_role("heading", name="Change expected release date")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Change expected release date").click()
    expect(page).to_have_title("Error: Change expected release date - Caseflow")
    expect_error(page, "Enter the new expected release date")
    expect_error(page, "Enter the reason for the change")
    assert_accessible(page)
    fill_date(page, "expected_release_date", moved_release)
    page.get_by_label("Reason for the change").fill("Parole board added two weeks")
    page.get_by_role("button", name="Change expected release date").click()
    expect(page.get_by_role("heading", level=1, name="Tobias Quillfeather")).to_be_visible()
    expect(page.get_by_text("Expected release date changed")).to_be_visible()
    episode = page.locator(".govuk-summary-card", has_text="HMP Birmingham")
    expect(episode).to_contain_text(display(moved_release))
    changes = episode.get_by_role("table", name="Changes to this episode")
    expect(changes).to_contain_text("Expected release date moved")
    expect(changes).to_contain_text("Parole board added two weeks")
    assert_accessible(page)


def test_another_prison_cannot_find_the_person(browser_page, live_server):
    page = browser_page
    today = local_today()
    nhs_number = synthetic_nhs_number("000456")

    sign_in(page, live_server, BIRMINGHAM)
    expect(page.get_by_role("heading", name="Worklist")).to_be_visible()
    assert_accessible(page)
    add_person_in_custody(
        page,
        given="Wilhelmina",
        family="Ashcombe",
        born=today - timedelta(days=41 * 365 + 3),
        nhs_number=nhs_number,
        prison_number="Z9875YW",
        received=today - timedelta(days=10),
        expected_release=today + timedelta(days=28),
    )
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="You have signed out")).to_be_visible()
    assert_accessible(page)

    sign_in(page, live_server, FEATHERSTONE)
    expect(page.get_by_role("heading", name="Worklist")).to_be_visible()
    assert_accessible(page)
    main_menu(page, "Find a person").click()
    expect(page.get_by_role("heading", name="Find a person")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("NHS number").fill(format_nhs_number(nhs_number))
    page.get_by_role("button", name="Find person").click()
    expect(page.get_by_role("heading", name="No one in your caseload found")).to_be_visible()
    expect(page.get_by_role("link", name="Wilhelmina Ashcombe")).to_have_count(0)
    assert_accessible(page)
