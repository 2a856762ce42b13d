"""A late start as the referral page and the person page show it (DOMAIN.md: day 0 is the
release date, a start up to and including day 21 meets the target; a start on day 22 or later is
late, not "21 days passed without treatment starting"), and a withdrawn referral that says no
"Treatment must start by".

The person is set up through the services, with a name and identifiers unique to this test, so
it runs in any order on the shared live-server database. Every page visited is checked with axe.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from caseflow.auth.services import user_by_email
from caseflow.dates import display, local_today
from caseflow.extensions import db
from caseflow.people import custody
from caseflow.people import services as people
from caseflow.referrals.services import handover as referrals
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.pages import synthetic_nhs_number

PRISON_HEALTHCARE = "prison.healthcare@demo.caseflow.test"
KEYWORKER = "keyworker@demo.caseflow.test"
BIRMINGHAM = "E08000025"

FULL_NAME = "Perpetua Latchford"


def released_and_started_late(live_server, *, released, started) -> tuple:
    """A person released to Birmingham and referred to the keyworker's provider, in treatment
    from ``started``; and a second referral of theirs, withdrawn before it was accepted."""
    with live_server["app"].app_context():
        nurse = user_by_email(PRISON_HEALTHCARE)
        keyworker = user_by_email(KEYWORKER)
        given, family = FULL_NAME.split()
        person = people.create_person(
            nurse,
            given_name=given,
            family_name=family,
            date_of_birth=released - timedelta(days=41 * 365),
            nhs_number=synthetic_nhs_number("000921"),
            prison_number="Z9021LS",
            sex="female",
            ethnic_group="white",
        )
        episode = custody.add_custody_episode(
            nurse,
            person.id,
            reception_date=released - timedelta(days=300),
            expected_release_date=released,
            destination_local_authority_code=BIRMINGHAM,
            accommodation_on_release="settled",
            treatment_need="in_treatment",
            substance_group="opiate",
            opioid_substitution="methadone",
            last_dose_date=released,
            naloxone_issued=True,
            bridging_prescription=False,
        )
        custody.record_release(
            nurse,
            person.id,
            episode.id,
            version=episode.version,
            actual_release_date=released,
            release_type="licence",
            unplanned_release=False,
            reason="Released on licence",
        )
        handover = {
            "provider_id": keyworker.organisation_id,
            "consent": "given",
            "substance_group": "opiate",
            "opioid_medicine": "methadone",
            "opioid_dose": "40ml daily",
        }
        withdrawn = referrals.create_referral(nurse, person.id, **handover)
        referrals.change_status(nurse, withdrawn.id, "withdraw", reason="Made in error")
        referral = referrals.create_referral(nurse, person.id, **handover)
        referrals.change_status(nurse, referral.id, "send")
        referrals.change_status(keyworker, referral.id, "accept")
        referrals.change_status(keyworker, referral.id, "engage", treatment_start_date=started)
        db.session.commit()
        return person.id, referral.id, withdrawn.id


RELEASED = local_today() - timedelta(days=30)
STARTED = RELEASED + timedelta(days=25)


@pytest.fixture(scope="module")
def late_start(live_server):
    return released_and_started_late(live_server, released=RELEASED, started=STARTED)


def test_a_late_start_says_when_treatment_started_not_that_it_never_did(
    browser_page, live_server, late_start
):
    page = browser_page
    started = STARTED
    person_id, referral_id, _withdrawn_id = late_start
    late = (
        f"Treatment started on day 25 after release ({display(started)}), "
        "4 days after the 21 days ended."
    )

    sign_in(page, live_server, KEYWORKER)
    page.goto(f"{live_server['url']}/referrals/{referral_id}")
    expect(page.get_by_role("heading", level=1, name=FULL_NAME)).to_be_visible()
    main = page.get_by_role("main")
    expect(main.locator(".govuk-inset-text")).to_have_text(late)
    expect(main.locator(".govuk-tag", has_text="Started late")).to_be_visible()
    expect(main).not_to_contain_text("21 days passed without treatment starting")
    expect(main).not_to_contain_text("Treatment must start by")
    expect(main).not_to_contain_text(re.compile(r"(?<!\d)1 days"))
    assert_accessible(page)

    # The person page says the same of the referral, from the same summary.
    page.goto(f"{live_server['url']}/people/{person_id}")
    expect(page.get_by_role("heading", level=1, name=FULL_NAME)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(late)
    assert_accessible(page)


def test_a_withdrawn_referral_has_no_clock(browser_page, live_server, late_start):
    page = browser_page
    _, _, withdrawn_id = late_start
    sign_in(page, live_server, PRISON_HEALTHCARE)
    page.goto(f"{live_server['url']}/referrals/{withdrawn_id}")
    main = page.get_by_role("main")
    expect(main.locator(".govuk-inset-text")).to_have_text("No clock: this referral was withdrawn.")
    expect(main).not_to_contain_text("Treatment must start by")
    assert_accessible(page)
