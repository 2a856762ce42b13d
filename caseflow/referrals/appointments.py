"""Appointments on an accepted referral: booking them and recording attendance, and which
attendance each viewer may record. Only the provider the referral is with changes them."""

import uuid
from datetime import date

from caseflow.audit.services import record, record_denial
from caseflow.dates import display, local_today
from caseflow.domain import InvalidChange, InvalidTransition, NotFound
from caseflow.extensions import db
from caseflow.made_once import add_once, made_with
from caseflow.referrals.codes import ATTENDANCE_OUTCOMES, WORKING_STATUSES, AppointmentOutcome
from caseflow.referrals.models import Appointment, Referral
from caseflow.referrals.services import (
    add_history,
    find_visible_referral,
    require_side,
    view_referral,
)
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


def appointment_actions_for(
    actor, referral: Referral, today: date | None = None
) -> dict[uuid.UUID, list[tuple[str, str]]]:
    """(endpoint, label) for each change this person may make now to each appointment."""
    today = today or local_today()
    return {
        appointment.id: (
            [("record_attendance", "Record attendance")]
            if may_record_attendance(actor, referral, appointment, today)
            else []
        )
        for appointment in referral.appointments
    }


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


def record_attendance(actor, appointment_id: uuid.UUID, *, outcome: str) -> Appointment:
    appointment = _find_appointment(actor, appointment_id)
    referral = find_visible_referral(actor, appointment.referral_id)
    require_side(actor, referral, (PROVIDER,))
    if outcome not in ATTENDANCE_OUTCOMES:
        raise InvalidChange("Select whether the person attended", "outcome")
    if appointment.outcome == AppointmentOutcome.CANCELLED:
        raise InvalidChange("This appointment was cancelled when the referral ended", "outcome")
    if appointment.appointment_date > local_today():
        when = display(appointment.appointment_date)
        raise InvalidChange(f"Record attendance on or after the appointment day, {when}", "outcome")
    appointment.outcome = outcome
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
