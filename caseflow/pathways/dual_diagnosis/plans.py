"""The joint care plan both services keep, and missed appointments followed up.

The plan is changed by the two services caring for the person: the treatment provider holding
the person's referral and the mental health service. Its fields are saved on the version the
form showed, so two services editing at once keep both changes (``caseflow.versioned_forms``);
every change is an entry in the case's history, shown on the plan page.
"""

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import joinedload

from caseflow.audit.services import record
from caseflow.auth.models import User
from caseflow.dates import display, local_today, london_date
from caseflow.domain import InvalidChange, NotPermitted, StaleRecord
from caseflow.extensions import db
from caseflow.made_once import add_once, made_with
from caseflow.pathways.dual_diagnosis import notifications
from caseflow.pathways.dual_diagnosis.codes import (
    PLAN_STATUSES,
    EventKind,
    Status,
)
from caseflow.pathways.dual_diagnosis.finding import (
    ENTITY,
    PLAN_ENTITY,
    find_visible_case,
    write_history,
)
from caseflow.pathways.dual_diagnosis.models import (
    CarePlanAction,
    DualDiagnosisCase,
    DualDiagnosisEvent,
    JointCarePlan,
    MissedAppointmentFollowUp,
)
from caseflow.pathways.dual_diagnosis.transitions import (
    MENTAL_HEALTH,
    TREATMENT,
    plan_gaps,  # noqa: F401  (the plan's pages say what it still needs)
    service_practitioners,
    sides_of,
)
from caseflow.referrals.codes import AppointmentOutcome
from caseflow.referrals.models import Appointment, Referral
from caseflow.security.access import Role, role_may
from caseflow.security.scope import PROVIDER_HOLDS

PLAN_FIELDS = ("needs", "crisis_plan", "person_has_copy", "review_date")


# The joint care plan ------------------------------------------------------------------------


def may_change_plan(actor, case) -> bool:
    """Both services (the keyworker's provider, the mental health service) keep the plan."""
    return role_may(actor.role, "dual_diagnosis.plan") and bool(
        sides_of(actor, case).intersection((TREATMENT, MENTAL_HEALTH))
    )


def plan_to_change(actor, case_id) -> DualDiagnosisCase:
    case = find_visible_case(actor, case_id)
    if not may_change_plan(actor, case):
        raise NotPermitted("Only the two services caring for the person change the plan")
    if case.status not in PLAN_STATUSES or case.plan is None:
        raise InvalidChange("The plan is kept once the mental health service has accepted")
    return case


def plan_values(plan: JointCarePlan) -> dict:
    """The plan as saved, in the plan form's terms."""
    has_copy = None if plan.person_has_copy is None else ("yes" if plan.person_has_copy else "no")
    return {
        "needs": plan.needs,
        "crisis_plan": plan.crisis_plan,
        "person_has_copy": has_copy,
        "review_date": plan.review_date,
    }


def save_plan(actor, case_id, *, version, needs, crisis_plan, person_has_copy, review_date):
    """Save the plan on the version the form showed; a newer version is a conflict, which the
    form's page reconciles field by field (``caseflow.versioned_forms``)."""
    case = plan_to_change(actor, case_id)
    plan = case.plan
    if version is None or version != plan.version:
        raise StaleRecord("The plan was changed since you opened it")
    new = {
        "needs": needs or None,
        "crisis_plan": crisis_plan or None,
        "person_has_copy": None if not person_has_copy else person_has_copy == "yes",
        "review_date": review_date,
    }
    changed = [name for name in PLAN_FIELDS if getattr(plan, name) != new[name]]
    for name in changed:
        setattr(plan, name, new[name])
    if changed:
        write_history(actor, case, EventKind.PLAN_EDIT, changed=changed)
        record(
            "update",
            actor=actor,
            entity_type=PLAN_ENTITY,
            entity_id=plan.id,
            person_id=case.person_id,
            detail={"fields": sorted(changed)},
        )
        tell_the_other_service(actor, case)
    db.session.flush()
    return plan


def add_action(actor, case_id, *, description, owner, due_on, token=None) -> CarePlanAction:
    case = plan_to_change(actor, case_id)
    made = made_with(CarePlanAction, token)
    if made is not None:
        return made
    action, made_now = add_once(
        CarePlanAction(
            plan_id=case.plan.id,
            description=description,
            owner=owner,
            due_on=due_on,
            added_by_id=actor.id,
            organisation_id=actor.organisation_id,
            creation_token=token,
        )
    )
    if made_now:
        write_history(actor, case, EventKind.PLAN_ACTION, event_date=due_on)
        record(
            "create",
            actor=actor,
            entity_type=PLAN_ENTITY,
            entity_id=case.plan.id,
            person_id=case.person_id,
            detail={"fields": ["action"]},
        )
        tell_the_other_service(actor, case)
        db.session.expire(case.plan, ["actions"])
    return action


def tell_the_other_service(actor, case) -> None:
    """A change to the plan is told to the other service caring for the person: the care
    coordinator (or, with none named, the service's practitioners) when the treatment provider
    changed it, the person's keyworker when the mental health service did."""
    sides = sides_of(actor, case)
    told: list = []
    if TREATMENT in sides and MENTAL_HEALTH not in sides:
        told = (
            [case.care_coordinator_id]
            if case.care_coordinator_id is not None
            else service_practitioners(case.mental_health_service_id)
        )
    elif MENTAL_HEALTH in sides and TREATMENT not in sides:
        told = keyworkers_of(case)
    for user_id in dict.fromkeys(told):
        if user_id != actor.id:
            notifications.notify(case, user_id, "plan_edit")


def keyworkers_of(case) -> list:
    """The keyworkers assigned to the person's referrals held by a treatment provider; with
    none assigned, the keyworker who referred the case, if a keyworker did."""
    assigned = list(
        db.session.scalars(
            select(Referral.assigned_keyworker_id)
            .where(
                Referral.person_id == case.person_id,
                Referral.status.in_(PROVIDER_HOLDS),
                Referral.assigned_keyworker_id.is_not(None),
            )
            .order_by(Referral.created_at)
        )
    )
    if assigned:
        return assigned
    referrer = db.session.get(User, case.referred_by_id)
    return [referrer.id] if referrer is not None and referrer.role == Role.KEYWORKER else []


def plan_history(case) -> list[DualDiagnosisEvent]:
    """The entries of the case's history that changed the plan, newest first."""
    plan_kinds = (
        EventKind.PLAN_EDIT,
        EventKind.PLAN_ACTION,
        EventKind.ACTION_EDIT,
        EventKind.ACTION_DONE,
        EventKind.AGREE_PLAN,
        EventKind.REVIEW,
        EventKind.ACCEPT,
    )
    return list(
        db.session.scalars(
            select(DualDiagnosisEvent)
            .options(
                joinedload(DualDiagnosisEvent.actor), joinedload(DualDiagnosisEvent.organisation)
            )
            .where(DualDiagnosisEvent.case_id == case.id, DualDiagnosisEvent.kind.in_(plan_kinds))
            .order_by(DualDiagnosisEvent.occurred_at.desc(), DualDiagnosisEvent.created_at.desc())
        )
    )


def review_overdue(case, today: date | None = None) -> bool:
    plan = case.plan
    return (
        case.status == Status.PLAN_AGREED
        and plan is not None
        and plan.review_date is not None
        and plan.review_date < (today or local_today())
    )


# Missed appointments -----------------------------------------------------------------------


def _missed_rules() -> list:
    """The rule, as SQL conditions on a case, a referral and an appointment: a did-not-attend
    on the person's treatment referral on or after the day the case was referred (the London
    date, as appointments' dates are), not yet followed up under this case."""
    return [
        Referral.person_id == DualDiagnosisCase.person_id,
        Appointment.referral_id == Referral.id,
        Appointment.outcome == AppointmentOutcome.DID_NOT_ATTEND,
        Appointment.appointment_date >= london_date(DualDiagnosisCase.referred_at),
        ~exists().where(
            MissedAppointmentFollowUp.case_id == DualDiagnosisCase.id,
            MissedAppointmentFollowUp.appointment_id == Appointment.id,
        ),
    ]


def has_missed_appointment():
    """A SQL condition on the case (for the worklists): a missed appointment to follow up."""
    return and_(DualDiagnosisCase.status.in_(PLAN_STATUSES), exists().where(*_missed_rules()))


@dataclass(frozen=True)
class Missed:
    id: uuid.UUID
    appointment_date: date
    label: str


def missed_for(cases) -> dict[uuid.UUID, list[Missed]]:
    """Each case's missed appointments still to be followed up, while both services care for
    the person: one statement for a page of cases."""
    ids = [case.id for case in cases if case.status in PLAN_STATUSES]
    found: dict[uuid.UUID, list[Missed]] = {case.id: [] for case in cases}
    if not ids:
        return found
    rows = db.session.execute(
        select(
            DualDiagnosisCase.id.label("case_id"),
            Appointment.id,
            Appointment.appointment_date,
            Appointment.appointment_time,
        )
        .where(DualDiagnosisCase.id.in_(ids), *_missed_rules())
        .order_by(Appointment.appointment_date, Appointment.id)
    )
    for row in rows:
        at = f" at {row.appointment_time}" if row.appointment_time else ""
        found[row.case_id].append(
            Missed(row.id, row.appointment_date, f"{display(row.appointment_date)}{at}")
        )
    return found


def missed_appointments(case) -> list[Missed]:
    """The case's missed appointments still to be followed up."""
    return missed_for([case])[case.id]


def follow_up(actor, case_id, *, appointment_id, followed_up_on, note) -> MissedAppointmentFollowUp:
    """A missed appointment followed up (never a reason to discharge): it leaves both services'
    worklists."""
    case = plan_to_change(actor, case_id)
    try:
        wanted = uuid.UUID(str(appointment_id))
    except ValueError:
        wanted = None
    if wanted not in {missed.id for missed in missed_appointments(case)}:
        raise InvalidChange("Select the missed appointment", "appointment")
    done = MissedAppointmentFollowUp(
        case_id=case.id,
        appointment_id=wanted,
        followed_up_on=followed_up_on,
        note=note,
        actor_id=actor.id,
        organisation_id=actor.organisation_id,
    )
    db.session.add(done)
    write_history(actor, case, EventKind.FOLLOW_UP, event_date=followed_up_on)
    record(
        "create",
        actor=actor,
        entity_type=ENTITY,
        entity_id=case.id,
        person_id=case.person_id,
        detail={"fields": ["follow_up"]},
    )
    db.session.flush()
    return done
