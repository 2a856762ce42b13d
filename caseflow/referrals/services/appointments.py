"""Appointments on an accepted referral: booking them, moving or cancelling one whose day has
not passed, recording attendance from its day, and which of these each viewer may do. Only the
provider the referral is with changes them.

Each change of a booked appointment is one conditional UPDATE on its being still booked, so of
two people changing it at once one wins and the other is told; it is made before anything else,
so a refused change leaves nothing behind."""

import uuid
from datetime import date

from sqlalchemy import update

from caseflow.audit.services import record, record_denial
from caseflow.dates import display, local_today
from caseflow.domain import InvalidChange, InvalidTransition, NotFound, NotPermitted
from caseflow.extensions import db
from caseflow.made_once import add_once, made_with
from caseflow.referrals.codes import (
    ATTENDANCE_OUTCOMES,
    WORKING_STATUSES,
    AppointmentOutcome,
    ReferralEventKind,
)
from caseflow.referrals.models import Appointment, Referral
from caseflow.referrals.services.reading import find_visible_referral, view_referral
from caseflow.referrals.services.records import add_history, require_side
from caseflow.referrals.transitions import PROVIDER, sides_of
from caseflow.security.access import role_may


def _find_appointment(actor, appointment_id: uuid.UUID) -> Appointment:
    """The appointment; an unknown id is a denial, like any record that is not there."""
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None:
        record_denial(
            actor=actor, entity_type="appointment", entity_id=appointment_id, reason="not found"
        )
        raise NotFound("No such appointment")
    return appointment


def appointment_for_page(actor, appointment_id: uuid.UUID) -> Appointment:
    appointment = _find_appointment(actor, appointment_id)
    view_referral(actor, appointment.referral_id, page="appointment")
    return appointment


def may_record_attendance(actor, referral: Referral, appointment: Appointment, today: date) -> bool:
    """The provider's keyworker records what happened at a booked appointment once its day
    has come (in-reach appointments before release included)."""
    return (
        role_may(actor.role, "appointment.record")
        and PROVIDER in sides_of(actor, referral)
        and appointment.outcome == AppointmentOutcome.OFFERED
        and appointment.appointment_date <= today
    )


def may_move_or_cancel(actor, referral: Referral, appointment: Appointment, today: date) -> bool:
    """The provider's keyworker moves or cancels a booked appointment until its day is over."""
    return (
        role_may(actor.role, "appointment.record")
        and PROVIDER in sides_of(actor, referral)
        and appointment.outcome == AppointmentOutcome.OFFERED
        and appointment.appointment_date >= today
    )


def appointment_actions_for(
    actor, referral: Referral, today: date | None = None
) -> dict[uuid.UUID, list[tuple[str, str]]]:
    """(endpoint, label) for each change this person may make now to each appointment."""
    today = today or local_today()
    actions = {}
    for appointment in referral.appointments:
        offered = []
        if may_record_attendance(actor, referral, appointment, today):
            offered.append(("record_attendance", "Record attendance"))
        if may_move_or_cancel(actor, referral, appointment, today):
            offered += [
                ("move_appointment", "Move appointment"),
                ("cancel_appointment", "Cancel appointment"),
            ]
        actions[appointment.id] = offered
    return actions


def book_appointment(
    actor,
    referral_id: uuid.UUID,
    *,
    appointment_date: date,
    appointment_time: str | None,
    token: str | None = None,
) -> Appointment:
    """An appointment on an accepted referral. The same form sent twice (same token), even at
    the same moment, books one (caseflow.made_once)."""
    existing = made_with(Appointment, token)
    if existing is not None:
        return existing
    referral = find_visible_referral(actor, referral_id)
    require_side(actor, referral, (PROVIDER,))
    if referral.status not in WORKING_STATUSES:
        raise InvalidTransition("Accept the referral before booking appointments.")
    # By id: the referral's list of appointments takes it from the database once it is stored.
    appointment, made = add_once(
        Appointment(
            referral_id=referral.id,
            provider_id=actor.organisation_id,
            appointment_date=appointment_date,
            appointment_time=appointment_time or None,
            booked_by_id=actor.id,
            creation_token=token,
        )
    )
    if not made:
        return appointment
    add_history(
        actor,
        referral,
        "appointment_booked",
        referral.status,
        referral.status,
        event_date=appointment_date,
    )
    record(
        "create",
        actor=actor,
        entity_type="appointment",
        entity_id=appointment.id,
        person_id=referral.person_id,
        purpose="referral",
    )
    return appointment


# Why a booked appointment can no longer be changed, by what became of it.
NOT_BOOKED = {
    AppointmentOutcome.ATTENDED: "Attendance has already been recorded for this appointment.",
    AppointmentOutcome.DID_NOT_ATTEND: "Attendance has already been recorded for this appointment.",
    AppointmentOutcome.REBOOKED: "This appointment was moved: the new one is in the list.",
    AppointmentOutcome.CANCELLED: "This appointment was cancelled.",
}


def _still_booked(appointment: Appointment) -> str | None:
    """Why the appointment cannot be changed as a booked one, or None if it can."""
    if appointment.outcome == AppointmentOutcome.OFFERED:
        return None
    return NOT_BOOKED.get(appointment.outcome, "This appointment is no longer booked.")


def _change_booked(appointment: Appointment, outcome: str) -> bool:
    """Give a booked appointment its outcome, if it is still booked: one conditional UPDATE."""
    result = db.session.execute(
        update(Appointment)
        .where(Appointment.id == appointment.id, Appointment.outcome == AppointmentOutcome.OFFERED)
        .values(outcome=outcome)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(appointment)
    return result.rowcount == 1


def record_attendance(actor, appointment_id: uuid.UUID, *, outcome: str) -> Appointment:
    """What happened at a booked appointment, from its day on; once only."""
    appointment = _find_appointment(actor, appointment_id)
    referral = find_visible_referral(actor, appointment.referral_id)
    require_side(actor, referral, (PROVIDER,))
    if outcome not in ATTENDANCE_OUTCOMES:
        raise InvalidChange("Select whether the person attended", "outcome")
    if (refusal := _still_booked(appointment)) is not None:
        raise InvalidChange(refusal, "outcome")
    if appointment.appointment_date > local_today():
        when = display(appointment.appointment_date)
        raise InvalidChange(f"Record attendance on or after the appointment day, {when}", "outcome")
    if not _change_booked(appointment, outcome):
        raise InvalidChange(_still_booked(appointment) or NOT_BOOKED[outcome], "outcome")
    add_history(
        actor,
        referral,
        f"appointment_{outcome}",
        referral.status,
        referral.status,
        event_date=appointment.appointment_date,
    )
    record(
        "update",
        actor=actor,
        entity_type="appointment",
        entity_id=appointment.id,
        person_id=referral.person_id,
        purpose="referral",
        detail={"fields": ["outcome"]},
    )
    return appointment


def _booked_to_change(actor, appointment_id: uuid.UUID) -> tuple[Appointment, Referral]:
    """A booked appointment whose day has not passed, on a referral with the actor's provider."""
    if not role_may(actor.role, "appointment.record"):
        raise NotPermitted("Your role does not change appointments")
    appointment = _find_appointment(actor, appointment_id)
    referral = find_visible_referral(actor, appointment.referral_id)
    require_side(actor, referral, (PROVIDER,))
    if (refusal := _still_booked(appointment)) is not None:
        raise InvalidTransition(refusal)
    if appointment.appointment_date < local_today():
        raise InvalidTransition(
            f"The appointment on {display(appointment.appointment_date)} has passed: "
            "record whether the person attended instead."
        )
    return appointment, referral


def appointment_to_change(actor, appointment_id: uuid.UUID) -> Appointment:
    """The appointment a move or cancel form is about, found within the actor's reach (a
    denial if not); the form's page itself is the referral's audited view."""
    appointment = _find_appointment(actor, appointment_id)
    find_visible_referral(actor, appointment.referral_id)
    return appointment


def move_appointment(
    actor,
    appointment_id: uuid.UUID,
    *,
    appointment_date: date,
    appointment_time: str | None,
    token: str | None = None,
) -> Appointment:
    """Rebook a booked appointment to a new day or time: it is kept, marked rebooked, and a new
    one is booked in its place, so the history shows both. The same form sent twice (same
    token) moves it once and gives back the new appointment."""
    existing = made_with(Appointment, token)
    if existing is not None:
        return existing
    appointment, referral = _booked_to_change(actor, appointment_id)
    appointment_time = appointment_time or None
    if appointment_date < local_today():
        raise InvalidChange("The new date must be today or in the future", "appointment_date")
    if (appointment_date, appointment_time) == (
        appointment.appointment_date,
        appointment.appointment_time,
    ):
        raise InvalidChange(
            "Enter a different date or time from the one booked now", "appointment_date"
        )
    moved_from = appointment.appointment_date
    if not _change_booked(appointment, AppointmentOutcome.REBOOKED):
        # Someone moved or cancelled it meanwhile; a second sending of this same form finds the
        # appointment the first one booked.
        existing = made_with(Appointment, token)
        if existing is not None:
            return existing
        raise InvalidTransition(_still_booked(appointment) or "This appointment has changed.")
    new_appointment, _made = add_once(
        Appointment(
            referral_id=referral.id,
            provider_id=actor.organisation_id,
            appointment_date=appointment_date,
            appointment_time=appointment_time,
            booked_by_id=actor.id,
            creation_token=token,
        )
    )
    add_history(
        actor,
        referral,
        ReferralEventKind.APPOINTMENT_MOVED,
        referral.status,
        referral.status,
        event_date=appointment_date,
        from_date=moved_from,
    )
    for changed, action, fields in (
        (appointment, "update", {"change": "rebooked", "fields": ["outcome"]}),
        (new_appointment, "create", {"change": "rebooked", "fields": ["appointment_date"]}),
    ):
        record(
            action,
            actor=actor,
            entity_type="appointment",
            entity_id=changed.id,
            person_id=referral.person_id,
            purpose="referral",
            detail=fields,
        )
    return new_appointment


def cancel_appointment(actor, appointment_id: uuid.UUID, *, reason: str) -> Appointment:
    """Cancel a booked appointment whose day has not passed, keeping why in the history."""
    appointment, referral = _booked_to_change(actor, appointment_id)
    if not reason:
        raise InvalidChange("Enter why the appointment is being cancelled", "reason")
    if not _change_booked(appointment, AppointmentOutcome.CANCELLED):
        raise InvalidTransition(_still_booked(appointment) or "This appointment has changed.")
    add_history(
        actor,
        referral,
        ReferralEventKind.APPOINTMENT_CANCELLED,
        referral.status,
        referral.status,
        event_date=appointment.appointment_date,
        reason=reason,
    )
    record(
        "update",
        actor=actor,
        entity_type="appointment",
        entity_id=appointment.id,
        person_id=referral.person_id,
        purpose="referral",
        detail={"change": "cancelled", "fields": ["outcome"]},
    )
    return appointment
