"""The keyworker's work once someone is in treatment, walked through the pages: the "In
treatment" worklist, the person behind a name on it, moving a booked appointment to another day,
and correcting the treatment start (DOMAIN.md: a start before the release is refused with a
message; a correction is kept with its reason).

The person is set up through the services, as prison healthcare and the keyworker would have
made them, with a name and identifiers unique to this test, so it runs in any order on the
shared live-server database. Every page visited is checked with axe.
"""

import re
from datetime import timedelta

from playwright.sync_api import expect

from caseflow.auth.services import user_by_email
from caseflow.dates import display, local_today
from caseflow.extensions import db
from caseflow.referrals.services import appointments
from caseflow.referrals.services import handover as referrals
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.pages import fill_date
from tests.browser.people import KEYWORKER, Someone, released_and_accepted

ORIEL = Someone(
    given_name="Oriel",
    family_name="Thistlewood",
    nhs_first_six="000913",
    prison_number="Z9013KT",
    sex="male",
    age_at_release=34,
    days_in_custody=200,
    dose="60ml daily",
)
FULL_NAME = ORIEL.full_name


def in_treatment_with_a_booked_appointment(live_server, *, released, started, booked_on):
    """Oriel, released and accepted, in treatment since ``started``, with an appointment booked
    on ``booked_on``."""
    accepted = released_and_accepted(live_server, ORIEL, released)
    with live_server["app"].app_context():
        keyworker = user_by_email(KEYWORKER)
        referrals.change_status(
            keyworker, accepted.referral_id, "engage", treatment_start_date=started
        )
        appointments.book_appointment(
            keyworker, accepted.referral_id, appointment_date=booked_on, appointment_time="10:00"
        )
        db.session.commit()
    return accepted.person_id


def action(page, name: str):
    """An action on the referral page, drawn as a link or as a button."""
    return page.get_by_role("link", name=name).or_(page.get_by_role("button", name=name)).first


def test_keyworker_opens_in_treatment_moves_an_appointment_and_corrects_the_start(
    browser_page, live_server
):
    page = browser_page
    today = local_today()
    released = today - timedelta(days=6)
    booked_on = today + timedelta(days=2)
    moved_to = today + timedelta(days=9)
    person_id = in_treatment_with_a_booked_appointment(
        live_server, released=released, started=released + timedelta(days=3), booked_on=booked_on
    )

    # 1. The keyworker opens the "In treatment" list; the name goes to the person.
    sign_in(page, live_server, KEYWORKER)
    expect(page.get_by_role("heading", level=1, name="Worklist")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("navigation", name="Worklists").get_by_role(
        "link", name="In treatment"
    ).click()
    expect(page.get_by_role("heading", level=2, name="In treatment")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=FULL_NAME, exact=True).click()
    expect(page).to_have_url(f"{live_server['url']}/people/{person_id}")
    expect(page.get_by_role("heading", level=1, name=FULL_NAME)).to_be_visible()
    assert_accessible(page)

    # 2. From the person to their referral, and the booked appointment moved to another day.
    page.get_by_role("table", name="Referrals for this person").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Appointments", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^Move appointment")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"Move the appointment on {display(booked_on)}"
    )
    assert_accessible(page)
    fill_date(page, "appointment_date", today - timedelta(days=1))
    page.get_by_role("button", name="Move appointment").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page)
    fill_date(page, "appointment_date", moved_to)
    page.get_by_label("Time (optional)").fill("14:30")
    page.get_by_role("button", name="Move appointment").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Appointment moved")
    appointments_table = page.get_by_role("table", name="Appointments")
    expect(appointments_table).to_contain_text("Rebooked")
    expect(appointments_table).to_contain_text(display(moved_to))
    assert_accessible(page)

    # 3. The treatment start corrected: before the release is refused beside the date; the day
    #    of release is accepted and kept with its reason in the history.
    action(page, "Correct treatment start").click()
    expect(page.get_by_role("heading", level=1, name="Correct the treatment start")).to_be_visible()
    assert_accessible(page)
    fill_date(page, "treatment_start_date", released - timedelta(days=1))
    page.get_by_label("Why are you correcting the treatment start?").fill(
        "The first session was on the day of release"
    )
    page.get_by_role("button", name="Save correction").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("before the release date")
    expect(page.locator("#treatment_start_date-error")).to_be_visible()
    expect(page.get_by_label("Why are you correcting the treatment start?")).to_have_value(
        "The first session was on the day of release"
    )
    assert_accessible(page)
    fill_date(page, "treatment_start_date", released)
    page.get_by_role("button", name="Save correction").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Treatment start corrected")
    history = page.get_by_role("table", name="History of this referral")
    expect(history).to_contain_text("Treatment start corrected")
    expect(history).to_contain_text("The first session was on the day of release")
    assert_accessible(page)
