"""The appointment pages of an accepted referral: booking one, recording attendance from its day,
and moving or cancelling one whose day has not passed (``services.appointments`` holds the
rules; these pages parse the form and call it).
"""

import uuid

from flask import render_template
from flask_login import current_user

from caseflow import errors
from caseflow.dates import display
from caseflow.referrals import bp, forms
from caseflow.referrals.services import appointments, reading
from caseflow.referrals.views.change_pages import change_page, done
from caseflow.security.access import requires


@bp.route("/referrals/<uuid:referral_id>/appointments/new", methods=["GET", "POST"])
@requires("appointment.record")
def book_appointment(referral_id: uuid.UUID):
    form = forms.AppointmentForm(subject=referral_id)
    page = change_page(form, referral_id, action="appointment", title="Book an appointment")
    if form.validate_on_submit():
        appointments.book_appointment(
            current_user,
            referral_id,
            appointment_date=form.appointment_date.data,
            appointment_time=form.appointment_time.data,
            token=form.token.data or None,
        )
        return done("Appointment booked", referral_id)
    return page()


@bp.route("/appointments/<uuid:appointment_id>/attendance", methods=["GET", "POST"])
@requires("appointment.record")
def record_attendance(appointment_id: uuid.UUID):
    form = forms.AttendanceForm()

    def page(stale: bool = False):
        appointment = appointments.appointment_for_page(current_user, appointment_id)
        referral = appointment.referral
        return render_template(
            "referrals/change.html",
            form=form,
            referral=referral,
            action="attendance",
            title=f"Record attendance on {display(appointment.appointment_date)}",
            clock=reading.clock_summary(referral),
        )

    errors.on_form(form, page)
    if form.validate_on_submit():
        appointment = appointments.record_attendance(
            current_user, appointment_id, outcome=form.outcome.data
        )
        return done("Attendance recorded", appointment.referral_id)
    return page()


def _appointment_title(verb: str, appointment) -> str:
    when = display(appointment.appointment_date)
    at = f" at {appointment.appointment_time}" if appointment.appointment_time else ""
    return f"{verb} the appointment on {when}{at}"


@bp.route("/appointments/<uuid:appointment_id>/move", methods=["GET", "POST"])
@requires("appointment.record")
def move_appointment(appointment_id: uuid.UUID):
    appointment = appointments.appointment_to_change(current_user, appointment_id)
    form = forms.MoveAppointmentForm(subject=appointment_id)
    title = _appointment_title("Move", appointment)
    page = change_page(form, appointment.referral_id, action="move appointment", title=title)
    if form.validate_on_submit():
        appointments.move_appointment(
            current_user,
            appointment_id,
            appointment_date=form.appointment_date.data,
            appointment_time=form.appointment_time.data,
            token=form.token.data or None,
        )
        return done("Appointment moved", appointment.referral_id)
    return page()


@bp.route("/appointments/<uuid:appointment_id>/cancel", methods=["GET", "POST"])
@requires("appointment.record")
def cancel_appointment(appointment_id: uuid.UUID):
    appointment = appointments.appointment_to_change(current_user, appointment_id)
    form = forms.CancelAppointmentForm()
    title = _appointment_title("Cancel", appointment)
    page = change_page(
        form, appointment.referral_id, action="cancel appointment", title=title, warning=True
    )
    if form.validate_on_submit():
        appointments.cancel_appointment(current_user, appointment_id, reason=form.reason.data)
        return done("Appointment cancelled", appointment.referral_id)
    return page()
