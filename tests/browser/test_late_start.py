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
from caseflow.referrals.services import handover as referrals
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.people import KEYWORKER, PRISON_HEALTHCARE, Someone, released_to_birmingham

LATE_STARTER = Someone(
    given_name="Perpetua",
    family_name="Latchford",
    nhs_first_six="000921",
    prison_number="Z9021LS",
    sex="female",
    age_at_release=41,
    days_in_custody=300,
    dose="40ml daily",
)
FULL_NAME = LATE_STARTER.full_name


def released_and_started_late(live_server, *, released, started) -> tuple:
    """A person released to Birmingham and referred to the keyworker's provider, in treatment
    from ``started``; and a second referral of theirs, withdrawn before it was accepted."""
    with live_server["app"].app_context():
        nurse = user_by_email(PRISON_HEALTHCARE)
        keyworker = user_by_email(KEYWORKER)
        person = released_to_birmingham(nurse, LATE_STARTER, released)
        handover = {
            "provider_id": keyworker.organisation_id,
            "consent": "given",
            "substance_group": "opiate",
            "opioid_medicine": "methadone",
            "opioid_dose": LATE_STARTER.dose,
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
