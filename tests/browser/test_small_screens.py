"""At 320 CSS pixels wide nothing scrolls sideways (issue 9; WCAG 2.2 1.4.10 Reflow): the person
page's table of changes to a custody episode, the auditor's break-glass table and the
worklists' visually hidden link text stay inside their scroll boxes. What people type keeps
its line breaks, and a long unbroken string wraps instead of widening the page.

The person, their custody changes, a case note and an emergency access are made for this test
through the services, so it runs in any order on the shared live-server database. Every page
visited is checked with axe.
"""

from datetime import timedelta

from flask import g
from playwright.sync_api import expect

from caseflow.auth.services import user_by_email
from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.people import custody
from caseflow.people import services as people
from caseflow.people.break_glass import grant_break_glass
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.pages import synthetic_nhs_number

PRISON_HEALTHCARE = "prison.healthcare@demo.caseflow.test"
ELSEWHERE = "prison.healthcare2@demo.caseflow.test"
AUDITOR = "auditor@demo.caseflow.test"

NARROW = {"width": 320, "height": 640}
UNBROKEN = "https://example.invalid/" + "x" * 120
NOTE = f"First line of the note\nSecond line, after a break\n{UNBROKEN}"
ADDRESS = f"Flat 2\n14 Example Street\n{UNBROKEN}"


def a_person_with_long_typed_text(live_server) -> str:
    """A person held at HMP Birmingham whose release was recorded and then corrected (so the
    episode has a table of changes with long reasons), with a long case note and address,
    accessed in an emergency by another prison's nurse (so the auditor has a grant to see)."""
    app = live_server["app"]
    with app.test_request_context():
        g.request_id = "small-screens"
        nurse = user_by_email(PRISON_HEALTHCARE)
        today = local_today()
        person = people.create_person(
            nurse,
            given_name="Tamsin",
            family_name="Narrowgate",
            date_of_birth=today - timedelta(days=40 * 365),
            nhs_number=synthetic_nhs_number("000970"),
            sex="female",
            ethnic_group="white",
            address=ADDRESS,
            flags=[],
        )
        episode = custody.add_custody_episode(
            nurse,
            person.id,
            reception_date=today - timedelta(days=200),
            expected_release_date=today - timedelta(days=4),
            destination_local_authority_code="E08000025",
            accommodation_on_release="temporary",
            treatment_need="in_treatment",
            substance_group="alcohol_only",
            opioid_substitution="none",
            naloxone_issued=False,
            bridging_prescription=False,
        )
        for days, reason in ((4, "Released as planned"), (3, f"Corrected: {UNBROKEN}")):
            episode = custody.record_release(
                nurse,
                person.id,
                episode.id,
                version=episode.version,
                actual_release_date=today - timedelta(days=days),
                release_type="licence",
                unplanned_release=False,
                reason=reason,
            )
            db.session.flush()  # the version the next correction is made on
        people.add_case_note(nurse, person.id, text=NOTE)
        grant_break_glass(
            user_by_email(ELSEWHERE),
            person.id,
            password=live_server["password"],
            reason=f"Called by the hospital: {UNBROKEN}",
        )
        db.session.commit()
        return str(person.id)


def fits(page) -> None:
    """Nothing on the page is wider than the screen, and axe finds nothing."""
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= 320, f"{page.url} is {widths[0]}px wide at 320px"
    assert_accessible(page)


def test_nothing_scrolls_sideways_at_320_pixels(chromium, live_server):
    person_id = a_person_with_long_typed_text(live_server)
    context = chromium.new_context(viewport=NARROW)
    from tests.browser.conftest import AXE

    context.add_init_script(path=str(AXE))
    page = context.new_page()
    try:
        sign_in(page, live_server, PRISON_HEALTHCARE)
        expect(page.get_by_role("heading", level=1, name="Worklist")).to_be_visible()
        fits(page)
        for worklist in ("releasing", "awaiting-acceptance", "clock-running"):
            page.goto(f"{live_server['url']}/worklists/{worklist}")
            fits(page)

        page.goto(f"{live_server['url']}/people/{person_id}")
        expect(page.get_by_role("heading", level=1, name="Tamsin Narrowgate")).to_be_visible()
        expect(page.get_by_text("Changes to this episode")).to_be_visible()
        fits(page)
        # The note and the address keep their line breaks and wrap their long strings.
        note = page.locator(".moj-timeline__description .caseflow-typed-text").first
        expect(note).to_have_text(NOTE)
        assert note.inner_text().splitlines()[:2] == [
            "First line of the note",
            "Second line, after a break",
        ]
        address = page.locator(".govuk-summary-list__value .caseflow-typed-text").first
        assert address.inner_text().splitlines()[:2] == ["Flat 2", "14 Example Street"]
        page.get_by_role("button", name="Sign out").first.click()
        expect(page.get_by_role("heading", name="You have signed out")).to_be_visible()

        sign_in(page, live_server, AUDITOR)
        page.goto(f"{live_server['url']}/audit/break-glass")
        expect(page.get_by_role("heading", level=1, name="Break-glass access")).to_be_visible()
        fits(page)
    finally:
        context.close()
