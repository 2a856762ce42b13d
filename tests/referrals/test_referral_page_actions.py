"""The referral page offers exactly the actions its services compute, for each side and role.

Expected sets come from DOMAIN.md (Referral lifecycle) and the permission table (SECURITY.md):
the referrer edits, sends or deletes a draft, redirects a sent or accepted referral and withdraws it
until treatment starts; the provider's keyworker accepts or rejects a sent referral, redirects
it, records treatment start once accepted, closes it, books appointments and assigns a keyworker
once accepted, and records attendance on a booked appointment once its day has come. Managers
see referrals in their area and act on none.
"""

from datetime import timedelta

import pytest

from caseflow.dates import display, local_today
from caseflow.extensions import db
from caseflow.organisations.models import LocalAuthority, Organisation
from caseflow.people.identifiers import format_nhs_number
from caseflow.referrals.models import Referral
from caseflow.referrals.services import appointments, page_actions
from tests.factories import AppointmentFactory, ReferralFactory, UserFactory
from tests.helpers import page, signed_in_client

EDIT = "Edit draft"
SEND = "Send referral"
ACCEPT = "Accept referral"
REJECT = "Reject referral"
REDIRECT = "Redirect to another provider"
WITHDRAW = "Withdraw referral"
ENGAGE = "Record treatment start"
CLOSE = "Close referral"
BOOK = "Book an appointment"
ASSIGN = "Assign a keyworker"
ATTENDANCE = "Record attendance"
MOVE = "Move appointment"
CANCEL = "Cancel appointment"
DELETE = "Delete draft"

REFERRER_OFFERS = {
    "draft": {EDIT, SEND, WITHDRAW, DELETE},
    "sent": {REDIRECT, WITHDRAW},
    "accepted": {REDIRECT, WITHDRAW},
    "engaged": set(),
    "closed": set(),
    "rejected": set(),
    "withdrawn": set(),
}
PROVIDER_OFFERS = {
    "sent": {ACCEPT, REJECT, REDIRECT},
    "accepted": {REDIRECT, ENGAGE, CLOSE, BOOK, ASSIGN},
    "engaged": {CLOSE, BOOK, ASSIGN},
    "closed": set(),
}


def user_at(role: str, organisation_id) -> object:
    return UserFactory(role=role, organisation=db.session.get(Organisation, organisation_id))


def manager_over(referral: Referral):
    manager = UserFactory(role="manager")
    manager.organisation.areas = [
        db.session.get(LocalAuthority, referral.episode.destination_local_authority_code)
    ]
    return manager


def shown(app, user, referral: Referral) -> tuple[set[str], dict]:
    """(the referral's action links, {appointment id: its action links}) as the page shows them."""
    db.session.commit()
    soup = page(signed_in_client(app, user), f"/referrals/{referral.id}")
    actions = {link.get_text(" ", strip=True) for link in soup.select(".caseflow-actions a")}
    by_appointment = {}
    for appointment in referral.appointments:
        links = soup.select(f'a[href^="/appointments/{appointment.id}/"]')
        # The visually hidden part names the date for screen readers; the action is the rest.
        by_appointment[appointment.id] = {
            link.find(string=True, recursive=False).strip() for link in links
        }
    return actions, by_appointment


def computed(user, referral: Referral) -> tuple[set[str], dict]:
    """The same, as the services compute them for the page."""
    referral = db.session.get(Referral, referral.id)
    actions = {action.label for action in page_actions.actions_for(user, referral)}
    offered = appointments.appointment_actions_for(user, referral)
    return actions, {
        appointment.id: {label for _, label in offered[appointment.id]}
        for appointment in referral.appointments
    }


def check(app, user, referral, expected_actions, expected_appointments=None) -> None:
    expected = (expected_actions, expected_appointments or {})
    assert shown(app, user, referral) == expected
    assert computed(user, referral) == expected


@pytest.mark.parametrize("status", sorted(REFERRER_OFFERS))
def test_the_referring_prison_is_offered_its_sides_actions(app, status):
    referral = ReferralFactory(status=status)
    nurse = user_at("prison_healthcare", referral.referring_organisation_id)
    check(app, nurse, referral, REFERRER_OFFERS[status])


@pytest.mark.parametrize("status", ["draft", "accepted", "engaged"])
def test_a_referring_probation_unit_is_offered_the_same(app, status):
    officer = UserFactory(role="probation")
    referral = ReferralFactory(status=status, referring_organisation_id=officer.organisation_id)
    check(app, officer, referral, REFERRER_OFFERS[status])


@pytest.mark.parametrize("status", sorted(PROVIDER_OFFERS))
def test_the_providers_keyworker_is_offered_its_sides_actions(app, status):
    referral = ReferralFactory(status=status)
    keyworker = user_at("keyworker", referral.provider_id)
    check(app, keyworker, referral, PROVIDER_OFFERS[status])


def test_attendance_is_offered_on_booked_appointments_whose_day_has_come(app):
    referral = ReferralFactory(status="accepted")
    today = local_today()
    due = AppointmentFactory(referral=referral, appointment_date=today - timedelta(days=1))
    on_the_day = AppointmentFactory(referral=referral, appointment_date=today)
    future = AppointmentFactory(referral=referral, appointment_date=today + timedelta(days=2))
    attended = AppointmentFactory(
        referral=referral, appointment_date=today - timedelta(days=7), outcome="attended"
    )
    cancelled = AppointmentFactory(
        referral=referral, appointment_date=today - timedelta(days=3), outcome="cancelled"
    )
    db.session.refresh(referral)
    nothing = {appointment.id: set() for appointment in referral.appointments}
    keyworker = user_at("keyworker", referral.provider_id)
    check(
        app,
        keyworker,
        referral,
        PROVIDER_OFFERS["accepted"],
        {
            **nothing,
            due.id: {ATTENDANCE},
            # A booked appointment is moved or cancelled until its day is over (issue 9).
            on_the_day.id: {ATTENDANCE, MOVE, CANCEL},
            future.id: {MOVE, CANCEL},
            attended.id: set(),
            cancelled.id: set(),
        },
    )
    # The referrer sees the appointments and records none; a manager acts on nothing.
    referrer = user_at("prison_healthcare", referral.referring_organisation_id)
    check(app, referrer, referral, REFERRER_OFFERS["accepted"], nothing)
    check(app, manager_over(referral), referral, set(), nothing)


def test_a_manager_is_offered_nothing_in_any_live_status(app):
    for status in ("sent", "accepted", "engaged"):
        referral = ReferralFactory(status=status)
        check(app, manager_over(referral), referral, set())


def groups_shown(app, user, referral: Referral) -> list[tuple[str, list[tuple[str, str]]]]:
    """The page's groups of actions in order: (heading, [(button, its style)])."""
    db.session.commit()
    soup = page(signed_in_client(app, user), f"/referrals/{referral.id}")
    shown = []
    for heading in soup.select(".caseflow-actions h2"):
        buttons = heading.find_next_sibling("div", class_="govuk-button-group")
        styles = []
        for button in buttons.select("a"):
            classes = set(button["class"])
            assert "govuk-button" in classes, button
            style = next(
                (
                    c.removeprefix("govuk-button--")
                    for c in classes
                    if c.startswith("govuk-button--")
                ),
                "primary",
            )
            styles.append((button.get_text(" ", strip=True), style))
        shown.append((heading.get_text(strip=True), styles))
    return shown


def test_a_keyworkers_actions_are_buttons_grouped_by_what_they_do_with_the_ending_apart(app):
    """The next step is the primary button; appointments, corrections and ending the referral
    each have their group; ending comes last, after a break."""
    referral = ReferralFactory(status="accepted")
    keyworker = user_at("keyworker", referral.provider_id)
    assert groups_shown(app, keyworker, referral) == [
        ("Move the referral on", [(ENGAGE, "primary")]),
        ("Appointments and keyworker", [(BOOK, "secondary"), (ASSIGN, "secondary")]),
        ("Change or correct", [(REDIRECT, "secondary")]),
        ("End the referral", [(CLOSE, "secondary")]),
    ]
    soup = page(signed_in_client(app, keyworker), f"/referrals/{referral.id}")
    ending = soup.select(".caseflow-actions h2")[-1]
    assert ending.find_previous_sibling().name == "hr"


def test_rejecting_and_withdrawing_are_warning_buttons_apart_from_the_next_step(app):
    referral = ReferralFactory(status="sent")
    keyworker = user_at("keyworker", referral.provider_id)
    assert groups_shown(app, keyworker, referral) == [
        ("Move the referral on", [(ACCEPT, "primary")]),
        ("Change or correct", [(REDIRECT, "secondary")]),
        ("End the referral", [(REJECT, "warning")]),
    ]
    draft = ReferralFactory(status="draft")
    nurse = user_at("prison_healthcare", draft.referring_organisation_id)
    assert groups_shown(app, nurse, draft) == [
        ("Move the referral on", [(EDIT, "secondary"), (SEND, "primary")]),
        ("End the referral", [(WITHDRAW, "warning"), (DELETE, "warning")]),
    ]


def test_the_heading_is_the_persons_name_not_a_link_and_the_keyworker_sees_who_they_are(app):
    """The keyworker picking up a referral sees the person's risk flags, date of birth and NHS
    number on the referral itself (issue 9)."""
    referral = ReferralFactory(status="sent")
    person = referral.person
    person.risk_to_staff = True
    person.safeguarding = True
    keyworker = user_at("keyworker", referral.provider_id)
    db.session.commit()
    soup = page(signed_in_client(app, keyworker), f"/referrals/{referral.id}")
    heading = soup.find("h1")
    assert heading.get_text(strip=True) == person.full_name
    assert heading.find("a") is None
    main = soup.find("main").get_text(" ", strip=True)
    assert "Risk to staff" in main and "Safeguarding concern" in main
    assert display(person.date_of_birth) in main
    assert format_nhs_number(person.nhs_number) in main
    person_link = soup.find("a", href=f"/people/{person.id}")
    assert person_link is not None
