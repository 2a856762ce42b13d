"""Moving and cancelling a booked appointment whose day has not passed, and recording attendance
only from the appointment's day and only for one still booked (DOMAIN.md: appointments are
offered, attended, did not attend, rebooked; issue 9: keyworkers cancel or move a future
appointment; attendance only from the appointment day)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from caseflow.audit.models import AuditEvent
from caseflow.dates import local_today
from caseflow.domain import InvalidChange, InvalidTransition, NotFound
from caseflow.extensions import db
from caseflow.referrals.models import Appointment, ReferralEvent
from caseflow.referrals.services import appointments
from tests.factories import AppointmentFactory, UserFactory, provider_serving
from tests.helpers import audit_rows, error_messages, page, post_form

TODAY = local_today()


def booked(days_from_today=3, **fields):
    appointment = AppointmentFactory(
        appointment_date=TODAY + timedelta(days=days_from_today), **fields
    )
    keyworker = UserFactory(role="keyworker", organisation=appointment.referral.provider)
    db.session.flush()
    return appointment, keyworker


def appointments_of(referral) -> list[Appointment]:
    db.session.expire_all()
    return db.session.scalars(
        select(Appointment)
        .where(Appointment.referral_id == referral.id)
        .order_by(Appointment.appointment_date)
    ).all()


def history_of(referral, kind) -> list[ReferralEvent]:
    return db.session.scalars(
        select(ReferralEvent).where(
            ReferralEvent.referral_id == referral.id, ReferralEvent.kind == kind
        )
    ).all()


def test_moving_keeps_the_old_appointment_as_rebooked_and_books_the_new_one(app):
    appointment, keyworker = booked(3, appointment_time="10:00")
    referral = appointment.referral
    new_day = TODAY + timedelta(days=8)
    moved = appointments.move_appointment(
        keyworker, appointment.id, appointment_date=new_day, appointment_time="14:30"
    )
    old, new = appointments_of(referral)
    assert (old.id, old.outcome) == (appointment.id, "rebooked")
    assert (new.id, new.appointment_date, new.appointment_time, new.outcome) == (
        moved.id,
        new_day,
        "14:30",
        "offered",
    )
    [entry] = history_of(referral, "appointment_moved")
    assert (entry.from_date, entry.event_date) == (TODAY + timedelta(days=3), new_day)
    assert entry.actor_id == keyworker.id


def test_moving_to_another_time_on_the_same_day_is_a_move(app):
    appointment, keyworker = booked(0, appointment_time="09:30")
    appointments.move_appointment(
        keyworker, appointment.id, appointment_date=TODAY, appointment_time="15:00"
    )
    assert [a.outcome for a in appointments_of(appointment.referral)] == ["rebooked", "offered"]


def test_the_same_move_form_sent_twice_moves_once(app):
    appointment, keyworker = booked()
    token = "move-token-sent-twice"
    first = appointments.move_appointment(
        keyworker,
        appointment.id,
        appointment_date=TODAY + timedelta(days=5),
        appointment_time=None,
        token=token,
    )
    again = appointments.move_appointment(
        keyworker,
        appointment.id,
        appointment_date=TODAY + timedelta(days=5),
        appointment_time=None,
        token=token,
    )
    assert again.id == first.id
    assert len(appointments_of(appointment.referral)) == 2


def test_a_move_to_a_past_day_or_to_the_same_slot_is_refused_beside_the_date(app):
    appointment, keyworker = booked(2, appointment_time="11:00")
    with pytest.raises(InvalidChange) as past:
        appointments.move_appointment(
            keyworker,
            appointment.id,
            appointment_date=TODAY - timedelta(days=1),
            appointment_time=None,
        )
    assert past.value.field == "appointment_date"
    with pytest.raises(InvalidChange) as same:
        appointments.move_appointment(
            keyworker,
            appointment.id,
            appointment_date=appointment.appointment_date,
            appointment_time="11:00",
        )
    assert same.value.field == "appointment_date"
    assert [a.outcome for a in appointments_of(appointment.referral)] == ["offered"]


def test_cancelling_keeps_the_reason_in_the_history_and_the_audit_row_names_no_reason(app):
    appointment, keyworker = booked()
    appointments.cancel_appointment(keyworker, appointment.id, reason="The person is in hospital")
    [stored] = appointments_of(appointment.referral)
    assert stored.outcome == "cancelled"
    [entry] = history_of(appointment.referral, "appointment_cancelled")
    assert entry.reason == "The person is in hospital"
    assert entry.event_date == appointment.appointment_date
    row = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_id == str(appointment.id))
    ).one()
    assert row.action == "update"
    assert "hospital" not in str(row.detail)


def test_a_cancellation_needs_a_reason(app):
    appointment, keyworker = booked()
    with pytest.raises(InvalidChange) as refused:
        appointments.cancel_appointment(keyworker, appointment.id, reason="")
    assert refused.value.field == "reason"


def test_an_appointment_whose_day_has_passed_is_neither_moved_nor_cancelled(app):
    appointment, keyworker = booked(-1)
    with pytest.raises(InvalidTransition):
        appointments.cancel_appointment(keyworker, appointment.id, reason="Too late")
    with pytest.raises(InvalidTransition):
        appointments.move_appointment(
            keyworker, appointment.id, appointment_date=TODAY, appointment_time=None
        )
    assert [a.outcome for a in appointments_of(appointment.referral)] == ["offered"]


@pytest.mark.parametrize("outcome", ["attended", "did_not_attend", "rebooked", "cancelled"])
def test_only_a_booked_appointment_is_moved_or_cancelled(app, outcome):
    appointment, keyworker = booked(0, outcome=outcome)
    with pytest.raises(InvalidTransition):
        appointments.cancel_appointment(keyworker, appointment.id, reason="Not needed")
    with pytest.raises(InvalidTransition):
        appointments.move_appointment(
            keyworker,
            appointment.id,
            appointment_date=TODAY + timedelta(days=1),
            appointment_time=None,
        )


def test_another_provider_cannot_reach_the_appointment(app):
    appointment, _ = booked()
    elsewhere = UserFactory(role="keyworker", organisation=provider_serving())
    with pytest.raises(NotFound):
        appointments.cancel_appointment(elsewhere, appointment.id, reason="Not ours")


# Attendance -------------------------------------------------------------------------------


def test_attendance_is_not_recorded_before_the_appointment_day(app):
    appointment, keyworker = booked(1)
    with pytest.raises(InvalidChange):
        appointments.record_attendance(keyworker, appointment.id, outcome="attended")
    assert appointments_of(appointment.referral)[0].outcome == "offered"


def test_attendance_is_recorded_on_the_appointment_day(app):
    appointment, keyworker = booked(0)
    appointments.record_attendance(keyworker, appointment.id, outcome="attended")
    assert appointments_of(appointment.referral)[0].outcome == "attended"


def test_rebooked_is_not_an_attendance(app):
    """Attendance is whether the person came; a rebooking is moving the appointment."""
    appointment, keyworker = booked(0)
    with pytest.raises(InvalidChange):
        appointments.record_attendance(keyworker, appointment.id, outcome="rebooked")
    assert [a.outcome for a in appointments_of(appointment.referral)] == ["offered"]


def test_the_attendance_page_offers_attended_or_not_and_refuses_rebooked(sign_in):
    appointment, keyworker = booked(0)
    db.session.commit()
    client, _ = sign_in(user=keyworker)
    url = f"/appointments/{appointment.id}/attendance"
    offered = {radio["value"] for radio in page(client, url).select("input[name=outcome]")}
    assert offered == {"attended", "did_not_attend"}
    response = post_form(client, url, {"outcome": "rebooked"})
    assert response.status_code == 200
    from bs4 import BeautifulSoup

    assert error_messages(BeautifulSoup(response.data, "html.parser"))
    assert [a.outcome for a in appointments_of(appointment.referral)] == ["offered"]


@pytest.mark.parametrize("outcome", ["attended", "did_not_attend", "rebooked", "cancelled"])
def test_attendance_is_refused_for_an_appointment_no_longer_booked(sign_in, outcome):
    """A POST straight to the attendance address, whatever the page offered."""
    appointment, keyworker = booked(-1, outcome=outcome)
    db.session.commit()
    client, _ = sign_in(user=keyworker)
    url = f"/appointments/{appointment.id}/attendance"
    response = post_form(client, url, {"outcome": "did_not_attend"})
    assert response.status_code == 200
    from bs4 import BeautifulSoup

    assert error_messages(BeautifulSoup(response.data, "html.parser"))
    assert appointments_of(appointment.referral)[0].outcome == outcome


# The pages ----------------------------------------------------------------------------------


def test_the_referral_page_offers_move_and_cancel_for_appointments_not_yet_past(sign_in):
    future, keyworker = booked(4)
    referral = future.referral
    past = AppointmentFactory(referral=referral, appointment_date=TODAY - timedelta(days=2))
    db.session.commit()
    client, _ = sign_in(user=keyworker)
    soup = page(client, f"/referrals/{referral.id}")
    links = {a["href"] for a in soup.select("a[href]")}
    assert f"/appointments/{future.id}/move" in links
    assert f"/appointments/{future.id}/cancel" in links
    assert f"/appointments/{past.id}/move" not in links
    assert f"/appointments/{past.id}/cancel" not in links
    referrer = UserFactory(role="prison_healthcare", organisation=referral.referring_organisation)
    db.session.commit()
    client, _ = sign_in(user=referrer)
    links = {a["href"] for a in page(client, f"/referrals/{referral.id}").select("a[href]")}
    assert f"/appointments/{future.id}/move" not in links


def test_moving_through_the_page_says_what_is_wrong_beside_the_field_and_keeps_the_input(
    sign_in,
):
    appointment, keyworker = booked(2)
    db.session.commit()
    client, _ = sign_in(user=keyworker)
    url = f"/appointments/{appointment.id}/move"
    form = page(client, url)
    token = form.find("input", {"name": "token"})["value"]
    yesterday = TODAY - timedelta(days=1)
    response = post_form(
        client,
        url,
        {
            "appointment_date": [str(yesterday.day), str(yesterday.month), str(yesterday.year)],
            "appointment_time": "10:30",
            "token": token,
        },
    )
    from bs4 import BeautifulSoup

    assert response.status_code == 200
    soup = BeautifulSoup(response.data, "html.parser")
    assert error_messages(soup)
    assert soup.select_one(".govuk-error-summary")
    assert soup.title.get_text().strip().startswith("Error: ")
    assert soup.find("input", {"name": "appointment_time"})["value"] == "10:30"
    later = TODAY + timedelta(days=6)
    response = post_form(
        client,
        url,
        {
            "appointment_date": [str(later.day), str(later.month), str(later.year)],
            "appointment_time": "10:30",
            "token": token,
        },
    )
    assert response.status_code == 302
    assert [a.appointment_date for a in appointments_of(appointment.referral)] == [
        appointment.appointment_date,
        later,
    ]
    assert "Appointment moved" in page(client, f"/referrals/{appointment.referral_id}").get_text()
    assert any(r.entity_type == "appointment" for r in audit_rows(response))


def test_cancelling_through_the_page_needs_a_reason_and_lands_on_the_referral(sign_in):
    appointment, keyworker = booked(2)
    db.session.commit()
    client, _ = sign_in(user=keyworker)
    url = f"/appointments/{appointment.id}/cancel"
    response = post_form(client, url, {"reason": ""})
    assert response.status_code == 200
    response = post_form(client, url, {"reason": "Clinic closed that day"})
    assert response.status_code == 302
    text = page(client, f"/referrals/{appointment.referral_id}").get_text()
    assert "Appointment cancelled" in text
    assert "Clinic closed that day" in text


def test_the_persons_timeline_says_from_which_day_to_which_the_appointment_moved(app):
    from caseflow.dates import display
    from caseflow.referrals.timeline import referral_entries

    appointment, keyworker = booked(3)
    new_day = TODAY + timedelta(days=10)
    appointments.move_appointment(
        keyworker, appointment.id, appointment_date=new_day, appointment_time=None
    )
    db.session.flush()
    [moved] = [
        item
        for item in referral_entries(keyworker, appointment.referral.person)
        if item.title == "Referral appointment moved"
    ]
    assert moved.text == f"From {display(TODAY + timedelta(days=3))} to {display(new_day)}"


def test_this_weeks_appointments_list_the_new_booking_not_the_one_moved_or_cancelled(app):
    from caseflow.referrals import worklists

    monday = TODAY - timedelta(days=TODAY.weekday())
    moved, keyworker = booked((monday - TODAY).days + 6)  # Sunday, still this week
    cancelled = AppointmentFactory(referral=moved.referral, appointment_date=moved.appointment_date)
    db.session.flush()
    new = appointments.move_appointment(
        keyworker, moved.id, appointment_date=moved.appointment_date, appointment_time="16:00"
    )
    appointments.cancel_appointment(keyworker, cancelled.id, reason="Clinic closed")
    listed = [a.id for a in worklists.appointments_this_week(keyworker).rows]
    assert listed == [new.id]
