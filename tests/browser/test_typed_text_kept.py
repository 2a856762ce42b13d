"""A case note typed when the session has ended is not lost (issue 9, "Work is never lost").

Idle past 30 minutes: pressing "Add case note" (or the idle limit itself) brings the sign-in page,
which says the note has not been saved and holds none of it, even in its HTML; after the same
person signs in they are back on the person's page with the note in the box, still unsaved, and
save it. Signed out in another tab, whose note it was cannot be known: the sign-in page says the
note was not saved and could not be kept, and signing in brings none of it back.

The person is made for each test through the services, so the tests run in any order on the
shared live-server database. Every page visited is checked with axe.
"""

import re
from datetime import date, timedelta

from playwright.sync_api import expect
from sqlalchemy import update

from caseflow.auth.models import UserSession
from caseflow.auth.services import user_by_email
from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.people import custody
from caseflow.people import services as people
from tests.browser.conftest import assert_accessible, current_code, sign_in

PRISON_HEALTHCARE = "prison.healthcare2@demo.caseflow.test"
NOTE = "Phoned the hostel: a bed is held for Friday. Call back after 2pm."


def a_person_in_custody(live_server, family_name: str) -> str:
    today = local_today()
    with live_server["app"].app_context():
        actor = user_by_email(PRISON_HEALTHCARE)
        person = people.create_person(
            actor,
            given_name="Leopold",
            family_name=family_name,
            date_of_birth=date(1979, 3, 27),
            sex="male",
            ethnic_group="white",
            flags=[],
        )
        custody.add_custody_episode(
            actor,
            person.id,
            reception_date=today - timedelta(days=60),
            expected_release_date=today + timedelta(days=30),
            destination_local_authority_code="E08000025",
            accommodation_on_release="settled",
            treatment_need="in_treatment",
            substance_group="alcohol",
            opioid_substitution="none",
            last_dose_date=None,
            naloxone_issued=False,
            bridging_prescription=False,
        )
        db.session.commit()
        return str(person.id)


def sign_in_from_here(page, live_server) -> None:
    """Sign in on the page shown now, without opening the sign-in page afresh."""
    page.get_by_label("Email address").fill(PRISON_HEALTHCARE)
    page.get_by_label("Password", exact=True).fill(live_server["password"])
    page.get_by_role("button", name="Sign in").click()
    code_field = page.get_by_label("Code from your authenticator app")
    expect(code_field).to_be_visible()
    assert_accessible(page)
    code_field.fill(current_code(live_server, PRISON_HEALTHCARE))
    page.get_by_role("button", name="Continue").click()


def expect_told_and_back_with_the_note(page, live_server, person_id: str) -> None:
    expect(page.get_by_role("heading", name="Sign in to Caseflow")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("what you typed has not been saved")
    expect(page.get_by_role("main")).not_to_contain_text(NOTE)  # not on show on the screen
    assert "a bed is held" not in page.content()  # nor in the page's HTML, for view-source
    assert NOTE not in page.url
    assert_accessible(page)

    sign_in_from_here(page, live_server)
    expect(page).to_have_url(re.compile(rf"/people/{person_id}$"))
    expect(page.get_by_label("Case note")).to_have_value(NOTE)
    expect(page.get_by_role("main")).to_contain_text("check it, then save it")
    expect(page.get_by_role("main")).not_to_contain_text("Case note added")
    assert_accessible(page)

    page.get_by_role("button", name="Add case note").click()
    expect(page.get_by_role("main")).to_contain_text("Case note added")
    expect(page.get_by_role("main")).to_contain_text(NOTE)
    assert_accessible(page)


def test_a_case_note_after_signing_out_in_another_tab_is_said_not_kept(browser_page, live_server):
    person_id = a_person_in_custody(live_server, "Ashbrittle")
    page = browser_page
    sign_in(page, live_server, PRISON_HEALTHCARE)
    page.goto(f"{live_server['url']}/people/{person_id}")
    assert_accessible(page)
    page.get_by_label("Case note").fill(NOTE)

    other_tab = page.context.new_page()
    other_tab.goto(live_server["url"] + "/")
    other_tab.get_by_role("button", name="Sign out").click()
    expect(other_tab.get_by_role("heading", name="You have signed out")).to_be_visible()
    assert_accessible(other_tab)
    other_tab.close()

    page.get_by_role("button", name="Add case note").click()
    expect(page.get_by_role("heading", name="Sign in to Caseflow")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("what you typed has not been saved")
    expect(page.get_by_role("main")).to_contain_text("could not keep it")
    assert "a bed is held" not in page.content()
    assert_accessible(page)
    sign_in_from_here(page, live_server)
    page.goto(f"{live_server['url']}/people/{person_id}")
    expect(page.get_by_label("Case note")).to_have_value("")
    assert_accessible(page)


def test_a_case_note_typed_as_the_idle_limit_passes(browser_page, live_server):
    person_id = a_person_in_custody(live_server, "Combe Florey")
    page = browser_page
    page.clock.install()
    sign_in(page, live_server, PRISON_HEALTHCARE)
    page.goto(f"{live_server['url']}/people/{person_id}")
    expect(page.locator("body[data-session-timeout-ready]")).to_be_attached()
    assert_accessible(page)
    page.get_by_label("Case note").fill(NOTE)

    # Thirty minutes pass on the server and in the page; nobody answers the warning.
    with live_server["app"].app_context():
        db.session.execute(
            update(UserSession)
            .where(UserSession.user_id == user_by_email(PRISON_HEALTHCARE).id)
            .values(last_seen_at=utcnow() - timedelta(minutes=31))
        )
        db.session.commit()
    page.clock.run_for(28 * 60_000 + 1_000)
    expect(page.get_by_role("dialog", name="You will be signed out soon")).to_be_visible()
    page.clock.run_for(2 * 60_000 + 6_000)
    expect_told_and_back_with_the_note(page, live_server, person_id)
