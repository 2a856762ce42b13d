"""Operations on a CSTR: finding one through the scope rule, asking for the suitability
assessment, and every change of its lifecycle. Drug tests, attendance and court reviews are in
``records.py``; the worklist in ``worklists.py``; the partnership counts in ``counts.py``.
"""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from caseflow.audit.services import filled_fields, record, record_denial, record_independent
from caseflow.dates import age_on, local_today
from caseflow.domain import InvalidChange, InvalidTransition, NotFound, NotPermitted
from caseflow.extensions import db
from caseflow.lifecycle import apply, refusal
from caseflow.made_once import add_once, made_with
from caseflow.organisations import services as organisations
from caseflow.organisations.models import LocalAuthority, Organisation, OrganisationKind
from caseflow.pathways.cstr import schedule
from caseflow.pathways.cstr.checks import check_parties
from caseflow.pathways.cstr.clock import summary as clock_summary
from caseflow.pathways.cstr.codes import LIVE_ORDER, ActionGroup, Requirement, Status
from caseflow.pathways.cstr.models import CstrEvent, CstrOrder
from caseflow.pathways.cstr.notifications import notify
from caseflow.pathways.cstr.scope import visible_orders
from caseflow.pathways.cstr.transitions import (
    CSTR_LIFECYCLE,
    PROBATION,
    TREATING,
    recipients,
    sides_of,
)
from caseflow.people.services import person_for_new_record
from caseflow.security.access import role_may
from caseflow.security.scope import forget_access_basis, holds_grant, seen_without_grant

ADULT_AGE = 18

__all__ = ["clock_summary"]


# Finding ----------------------------------------------------------------------------------


def find_visible_order(actor, order_id: uuid.UUID) -> CstrOrder:
    """The CSTR, if actor's organisation is party to it and sees the person; otherwise 404 and
    an audited denial naming the person."""
    order, grant = db.session.execute(
        select(CstrOrder, holds_grant(actor, CstrOrder.person_id))
        .where(CstrOrder.id == order_id, visible_orders(actor))
        .options(
            selectinload(CstrOrder.events).selectinload(CstrEvent.actor),
            selectinload(CstrOrder.drug_tests),
            selectinload(CstrOrder.attendances),
            selectinload(CstrOrder.reviews),
        )
    ).first() or (None, None)
    if order is not None and not grant:
        seen_without_grant(actor, order.person_id)
    if order is None:
        existing = db.session.get(CstrOrder, order_id)
        record_denial(
            actor=actor,
            entity_type="cstr",
            entity_id=order_id,
            person_id=existing.person_id if existing else None,
            reason="out of scope" if existing else "not found",
        )
        raise NotFound("No such CSTR")
    return order


def view_order(actor, order_id: uuid.UUID, *, page: str = "cstr", independent: bool = False):
    """The CSTR for a page that shows it: one audited view."""
    order = find_visible_order(actor, order_id)
    write = record_independent if independent else record
    write(
        "view",
        actor=actor,
        entity_type="cstr",
        entity_id=order.id,
        person_id=order.person_id,
        purpose="caseload",
        detail={"page": page},
    )
    return order


def orders_of_person(actor, person_id: uuid.UUID) -> list[CstrOrder]:
    """The person's CSTRs the actor may see, newest first."""
    return list(
        db.session.scalars(
            select(CstrOrder)
            .where(CstrOrder.person_id == person_id, visible_orders(actor))
            .order_by(CstrOrder.created_at.desc())
        )
    )


# Asking for the assessment ------------------------------------------------------------------


def _of_kind(kind: str) -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation).where(Organisation.kind == kind).order_by(Organisation.name)
        )
    )


@dataclass(frozen=True)
class Parties:
    """The organisations a form may name."""

    providers: list[Organisation]
    mental_health_services: list[Organisation]
    courts: list[Organisation]
    local_authorities: list[LocalAuthority]


def parties() -> Parties:
    return Parties(
        providers=organisations.all_providers(),
        mental_health_services=_of_kind(OrganisationKind.MENTAL_HEALTH),
        courts=_of_kind(OrganisationKind.COURT),
        local_authorities=organisations.local_authorities(),
    )


def is_adult(person) -> bool:
    """A CSTR is for adults: 18 or over today (a date of birth not recorded is not refused)."""
    return person.date_of_birth is None or age_on(person.date_of_birth, local_today()) >= ADULT_AGE


def person_for_request(actor, person_id: uuid.UUID):
    """The person a new CSTR is asked for: in probation's sight (not by emergency access), and
    an adult (DOMAIN.md: adults only)."""
    if not role_may(actor.role, "cstr.supervise"):
        raise NotPermitted("Your role does not ask for CSTR assessments")
    person = person_for_new_record(actor, person_id)
    if not is_adult(person):
        raise InvalidTransition("A community sentence treatment requirement is for adults only.")
    return person


def request_assessment(
    actor,
    person_id: uuid.UUID,
    *,
    requirements: list[str],
    provider_id: uuid.UUID | None,
    mental_health_service_id: uuid.UUID | None,
    local_authority_code: str,
    court_report_due: date,
    token: str | None = None,
) -> CstrOrder:
    """Probation asks the treatment provider (or, for an MHTR, the mental health service) to
    assess suitability for the court report. Sent twice with one token, one record."""
    existing = made_with(CstrOrder, token)
    if existing is not None:
        return existing
    person = person_for_request(actor, person_id)
    if not requirements or not all(Requirement.has(code) for code in requirements):
        raise InvalidChange("Select at least one treatment requirement", "requirements")
    check_parties(requirements, provider_id, mental_health_service_id)
    if db.session.get(LocalAuthority, local_authority_code) is None:
        raise InvalidChange("Select the local authority the person lives in", "local_authority")
    chosen = set(requirements)
    order, made = add_once(
        CstrOrder(
            person_id=person.id,
            probation_id=actor.organisation_id,
            requested_by_id=actor.id,
            provider_id=provider_id if chosen & {"drr", "atr"} else None,
            mental_health_service_id=mental_health_service_id if "mhtr" in chosen else None,
            local_authority_code=local_authority_code,
            status=Status.REQUESTED,
            drr="drr" in chosen,
            atr="atr" in chosen,
            mhtr="mhtr" in chosen,
            court_report_due=court_report_due,
            creation_token=token,
        )
    )
    if not made:
        return order
    db.session.add(
        CstrEvent(
            order_id=order.id,
            person_id=person.id,
            kind="requested",
            to_status=Status.REQUESTED,
            actor_id=actor.id,
            organisation_id=actor.organisation_id,
            event_date=court_report_due,
        )
    )
    record(
        "create",
        actor=actor,
        entity_type="cstr",
        entity_id=order.id,
        person_id=person.id,
        purpose="caseload",
        detail={"fields": filled_fields({"requirements": requirements, "court_report_due": 1})},
    )
    for user_id in recipients(order, "provider"):
        notify(order, user_id, "requested")
    # The provider and mental health service now hold a relationship to the person.
    forget_access_basis()
    return order


# Changes ------------------------------------------------------------------------------------


def change(actor, order_id: uuid.UUID, action: str, **inputs) -> CstrOrder:
    """Take one action of the CSTR lifecycle (``transitions.TRANSITIONS``)."""
    order = find_visible_order(actor, order_id)
    return apply(CSTR_LIFECYCLE, actor, order, action, **inputs)


def refusal_of(actor, order: CstrOrder, action: str) -> str | None:
    if action not in CSTR_LIFECYCLE.transitions:
        return None
    return refusal(CSTR_LIFECYCLE, actor, order, action)


class Action(NamedTuple):
    endpoint: str
    label: str
    group: str
    style: str = "secondary"


def actions_for(actor, order: CstrOrder) -> list[Action]:
    """What this person may do to the CSTR now: the lifecycle's actions, then the records kept
    under a live order (drug tests for a DRR, attendance, court reviews and their reports)."""
    actions = []
    for transition in CSTR_LIFECYCLE.allowed(actor, order):
        style = (
            "warning"
            if transition.warning
            else ("primary" if transition.group == ActionGroup.PROGRESS else "secondary")
        )
        actions.append(Action(transition.action, transition.label, transition.group, style))
    sides = sides_of(actor, order)
    treating = sides & set(TREATING) and role_may(actor.role, "cstr.treat")
    if order.status == Status.STARTED and treating:
        if order.drr:
            actions.append(Action("drug_test", "Record a drug test", ActionGroup.RECORDS))
        actions.append(Action("attendance", "Record attendance", ActionGroup.RECORDS))
    if order.status in LIVE_ORDER and PROBATION in sides and role_may(actor.role, "cstr.supervise"):
        if schedule.reviews_apply(order.drr):
            actions.append(Action("review", "Schedule a court review", ActionGroup.RECORDS))
        if any(review.report_sent_on is None for review in order.reviews):
            actions.append(Action("review_report", "Record a review report", ActionGroup.RECORDS))
    return actions


@dataclass(frozen=True)
class GroupShown:
    group: ActionGroup
    actions: tuple[Action, ...]

    @property
    def ends(self) -> bool:
        return self.group == ActionGroup.ENDING


def action_groups_for(actor, order: CstrOrder) -> list[GroupShown]:
    actions = actions_for(actor, order)
    return [
        GroupShown(group, tuple(a for a in actions if a.group == group))
        for group in ActionGroup
        if any(a.group == group for a in actions)
    ]


def requested_parties(actor, order_id: uuid.UUID) -> dict:
    """The requirements and services the assessment was asked of, in the order form's terms."""
    order = find_visible_order(actor, order_id)
    return {
        "requirements": [code.value for code in order.requirements],
        "provider": str(order.provider_id) if order.provider_id else "",
        "mental_health_service": (
            str(order.mental_health_service_id) if order.mental_health_service_id else ""
        ),
    }


def reviews_required(order: CstrOrder) -> bool:
    return schedule.reviews_required(order.drr, order.start_date, order.end_date)


def court_review_needed(order: CstrOrder) -> bool:
    """A running order the court must review (a DRR over 12 months) with no review scheduled:
    the CSTR worklist lists the same orders (``worklists.court_review_needed``)."""
    return order.status in LIVE_ORDER and reviews_required(order) and not order.reviews


def may_request(actor, person) -> bool:
    """Whether the person page offers probation to ask for a CSTR assessment."""
    return role_may(actor.role, "cstr.supervise")
