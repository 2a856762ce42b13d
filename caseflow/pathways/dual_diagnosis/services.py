"""Operations on dual diagnosis cases: recording a co-occurring mental health need and
referring it, the need assessed again, and the lifecycle's changes (``transitions.py``). Each
checks scope and permission, changes, records history and audit. The joint care plan and
missed appointments are in ``plans.py``, who sees what in ``finding.py``.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from caseflow.audit.services import record
from caseflow.auth.models import User
from caseflow.domain import InvalidChange, NotPermitted, StaleRecord
from caseflow.extensions import db
from caseflow.lifecycle import apply, refusal
from caseflow.made_once import add_once, made_with
from caseflow.organisations.models import Organisation, OrganisationKind, organisation_areas
from caseflow.pathways.dual_diagnosis import notifications
from caseflow.pathways.dual_diagnosis.codes import (
    LIVE_STATUSES,
    PLAN_STATUSES,
    EventKind,
    Status,
)
from caseflow.pathways.dual_diagnosis.finding import (
    ENTITY,
    find_visible_case,
    live_case_of,
    write_history,
)
from caseflow.pathways.dual_diagnosis.models import (
    DualDiagnosisCase,
)
from caseflow.pathways.dual_diagnosis.plans import may_change_plan, missed_appointments
from caseflow.pathways.dual_diagnosis.transitions import (
    DUAL_DIAGNOSIS_LIFECYCLE,
    MENTAL_HEALTH,
    REFERRER,
    TRANSITIONS,
    TREATMENT,
    coordinator_in_service,
    service_practitioners,
    sides_of,
)
from caseflow.people.models import CustodyEpisode
from caseflow.people.services import person_for_new_record
from caseflow.security.access import Role, role_may
from caseflow.security.scope import (
    forget_access_basis,
)

NEED_FIELDS = ("need_category", "need_severity", "assessed_by", "assessed_on")


# Recording a need and referring -------------------------------------------------------------


def _latest_episode(person_id) -> CustodyEpisode | None:
    return db.session.scalar(
        select(CustodyEpisode)
        .where(CustodyEpisode.person_id == person_id)
        .order_by(CustodyEpisode.reception_date.desc(), CustodyEpisode.created_at.desc())
        .limit(1)
    )


def services_for(actor, person_id) -> list[Organisation]:
    """Mental health services serving where the person is going (their latest release's
    destination), or, for someone with no destination recorded, the referrer's own area."""
    episode = _latest_episode(person_id)
    areas = [episode.destination_local_authority_code] if episode else []
    areas = [area for area in areas if area] or [a.ons_code for a in actor.organisation.areas]
    return list(
        db.session.scalars(
            select(Organisation)
            .join(organisation_areas, organisation_areas.c.organisation_id == Organisation.id)
            .where(
                Organisation.kind == OrganisationKind.MENTAL_HEALTH,
                organisation_areas.c.local_authority_code.in_(areas),
            )
            .distinct()
            .order_by(Organisation.name)
        )
    )


def start_case(
    actor,
    person_id,
    *,
    need_category,
    need_severity,
    assessed_by,
    assessed_on,
    mental_health_service_id,
    token=None,
) -> DualDiagnosisCase:
    """Record the need and refer it to a mental health service serving the person's area."""
    person = person_for_new_record(actor, person_id)
    made = made_with(DualDiagnosisCase, token)
    if made is not None:
        return made
    if live_case_of(person.id) is not None:
        raise InvalidChange(
            "This person already has a dual diagnosis referral. Open it from their page.",
            "mental_health_service",
        )
    if mental_health_service_id not in {s.id for s in services_for(actor, person.id)}:
        raise InvalidChange(
            "Select a mental health service serving the person's area", "mental_health_service"
        )
    episode = _latest_episode(person.id)
    case = DualDiagnosisCase(
        person_id=person.id,
        episode_id=episode.id if episode else None,
        referring_organisation_id=actor.organisation_id,
        referred_by_id=actor.id,
        mental_health_service_id=mental_health_service_id,
        status=Status.REFERRED,
        need_category=need_category,
        need_severity=need_severity,
        assessed_by=assessed_by,
        assessed_on=assessed_on,
        creation_token=token,
    )
    try:
        case, made_now = add_once(case)
    except IntegrityError:
        # Another referral for the person was made at the same moment.
        raise InvalidChange(
            "This person already has a dual diagnosis referral. Open it from their page.",
            "mental_health_service",
        ) from None
    if not made_now:
        return case
    write_history(actor, case, EventKind.REFER, to_status=Status.REFERRED)
    record(
        "create",
        actor=actor,
        entity_type=ENTITY,
        entity_id=case.id,
        person_id=case.person_id,
        detail={"fields": sorted((*NEED_FIELDS, "mental_health_service"))},
    )
    for user_id in service_practitioners(mental_health_service_id):
        notifications.notify(case, user_id, "refer")
    forget_access_basis()
    return case


def _require_side(actor, case, sides, message="Your organisation cannot change this case"):
    if not sides_of(actor, case).intersection(sides):
        raise NotPermitted(message)


def need_values(case) -> dict:
    return {name: getattr(case, name) for name in NEED_FIELDS}


def update_need(actor, case_id, *, version, **fields) -> DualDiagnosisCase:
    """The need assessed again, by the referrer, the keyworker or the mental health service."""
    case = find_visible_case(actor, case_id)
    _require_side(actor, case, (REFERRER, TREATMENT, MENTAL_HEALTH))
    if case.status not in LIVE_STATUSES:
        raise InvalidChange("The need can be changed only while the case is open")
    if version is None or version != case.version:
        raise StaleRecord("The case was changed since you opened it")
    changed = [name for name in NEED_FIELDS if getattr(case, name) != fields[name]]
    for name in changed:
        setattr(case, name, fields[name])
    if changed:
        write_history(actor, case, EventKind.NEED, changed=changed)
        record(
            "update",
            actor=actor,
            entity_type=ENTITY,
            entity_id=case.id,
            person_id=case.person_id,
            detail={"fields": sorted(changed)},
        )
    db.session.flush()
    return case


# Lifecycle ----------------------------------------------------------------------------------


def change_status(actor, case_id, action: str, **inputs) -> DualDiagnosisCase:
    case = find_visible_case(actor, case_id)
    if "care_coordinator" in inputs:
        try:
            inputs["care_coordinator"] = uuid.UUID(str(inputs["care_coordinator"]))
        except ValueError:
            raise InvalidChange("Select the care coordinator", "care_coordinator") from None
    return apply(DUAL_DIAGNOSIS_LIFECYCLE, actor, case, action, **inputs)


def refusal_of(actor, case, action: str) -> str | None:
    if action not in TRANSITIONS:
        return None
    return refusal(DUAL_DIAGNOSIS_LIFECYCLE, actor, case, action)


def coordinators_for(actor) -> list[User]:
    """The practitioners of the actor's own service who can be named care coordinator."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.organisation_id == actor.organisation_id,
                User.role == Role.MENTAL_HEALTH,
                User.active.is_(True),
            )
            .order_by(User.display_name)
        )
    )


def may_name_coordinator(actor, case) -> bool:
    """The mental health service names its care coordinator again while it is caring."""
    return (
        role_may(actor.role, "dual_diagnosis.respond")
        and case.status in PLAN_STATUSES
        and MENTAL_HEALTH in sides_of(actor, case)
    )


def name_coordinator(actor, case_id, *, care_coordinator) -> DualDiagnosisCase:
    """A new care coordinator from the service's own practitioners: the central contact the
    other service and the person call."""
    case = find_visible_case(actor, case_id)
    if not may_name_coordinator(actor, case):
        if MENTAL_HEALTH not in sides_of(actor, case):
            raise NotPermitted("Only the mental health service names its care coordinator")
        raise InvalidChange("A care coordinator is named while the service is caring")
    try:
        wanted = uuid.UUID(str(care_coordinator))
    except ValueError:
        raise InvalidChange("Select the care coordinator", "care_coordinator") from None
    coordinator = coordinator_in_service(case, wanted)
    if coordinator.id != case.care_coordinator_id:
        case.care_coordinator_id = coordinator.id
        write_history(actor, case, EventKind.COORDINATOR, changed=())
        record(
            "update",
            actor=actor,
            entity_type=ENTITY,
            entity_id=case.id,
            person_id=case.person_id,
            detail={"fields": ["care_coordinator"]},
        )
        db.session.flush()
    return case


@dataclass(frozen=True)
class PageAction:
    endpoint: str
    label: str
    style: str = "secondary"


def actions_for(actor, case) -> list[PageAction]:
    """What this viewer may do on the case's page now: the lifecycle's, then the need, the plan
    and any missed appointment to follow up."""
    shown = []
    for transition in DUAL_DIAGNOSIS_LIFECYCLE.allowed(actor, case):
        style = (
            "warning"
            if transition.warning
            else ("primary" if transition.group == "progress" else "secondary")
        )
        shown.append(PageAction(f"dual_diagnosis.{transition.action}", transition.label, style))
    sides = sides_of(actor, case)
    if case.status in LIVE_STATUSES and role_may(actor.role, "dual_diagnosis.assess") and sides:
        shown.append(PageAction("dual_diagnosis.edit_need", "Update the mental health need"))
    if may_name_coordinator(actor, case):
        shown.append(PageAction("dual_diagnosis.name_coordinator", "Change the care coordinator"))
    if case.status in PLAN_STATUSES and may_change_plan(actor, case) and missed_appointments(case):
        shown.append(
            PageAction("dual_diagnosis.follow_up", "Record a missed appointment followed up")
        )
    return shown
