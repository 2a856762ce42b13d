"""The CSTR lifecycle as data: suitability requested -> assessed suitable or unsuitable -> order
made -> started -> completed, revoked or breached (or, before sentence, no order made). A warning
or a variation keeps a started order where it is. Every row is applied by
``caseflow.lifecycle.apply``: permission, side, status, checks, one conditional UPDATE, history,
audit and notifications.
"""

from sqlalchemy import select

from caseflow.auth.models import User
from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.lifecycle import Change, Lifecycle, Transition
from caseflow.pathways.cstr import forms
from caseflow.pathways.cstr.checks import (
    after_sentence,
    assessment_date,
    new_end,
    order_is_sound,
    treatment_start,
)
from caseflow.pathways.cstr.codes import BEFORE_SENTENCE, LIVE_ORDER, ActionGroup, Status
from caseflow.pathways.cstr.models import CstrEvent, CstrOrder
from caseflow.pathways.cstr.notifications import notify
from caseflow.security.access import Role

PROBATION = "probation"
PROVIDER = "provider"
MENTAL_HEALTH = "mental_health"
TREATING = (PROVIDER, MENTAL_HEALTH)

REFUSALS = {
    Status.REQUESTED: "The suitability assessment has not been answered yet.",
    Status.SUITABLE: "The person has been assessed suitable; the order is not made yet.",
    Status.UNSUITABLE: "The person was assessed unsuitable.",
    Status.NOT_MADE: "The court made no order.",
    Status.ORDER_MADE: "The order is made and treatment has not started yet.",
    Status.STARTED: "Treatment has already started.",
    Status.COMPLETED: "This requirement has been completed.",
    Status.REVOKED: "This order has been revoked.",
    Status.BREACHED: "This order has been breached.",
}


# Effects -------------------------------------------------------------------------------------


def _assessed(_actor, _order, inputs) -> Change:
    return Change(
        columns={"assessed_on": inputs["assessed_on"]},
        history={"event_date": inputs["assessed_on"]},
    )


def _order_made(_actor, _order, inputs) -> Change:
    requirements = set(inputs["requirements"])
    return Change(
        columns={
            "court_id": inputs["court_id"],
            "sentence_date": inputs["sentence_date"],
            "order_type": inputs["order_type"],
            "consent": True,
            "start_date": inputs["start_date"],
            "end_date": inputs["end_date"],
            "drr": "drr" in requirements,
            "atr": "atr" in requirements,
            "mhtr": "mhtr" in requirements,
            "provider_id": inputs.get("provider_id") if {"drr", "atr"} & requirements else None,
            "mental_health_service_id": (
                inputs.get("mental_health_service_id") if "mhtr" in requirements else None
            ),
        },
        history={"event_date": inputs["sentence_date"]},
    )


def _ended_before_sentence(_actor, _order, _inputs) -> Change:
    return Change(columns={"ended_on": local_today()})


def _started(_actor, _order, inputs) -> Change:
    start = inputs["treatment_start_date"]
    return Change(columns={"treatment_start_date": start}, history={"event_date": start})


def _dated(_actor, _order, inputs) -> Change:
    return Change(history={"event_date": inputs["event_date"]})


def _varied(_actor, order: CstrOrder, inputs) -> Change:
    return Change(
        columns={"end_date": inputs["end_date"]}, history={"event_date": inputs["end_date"]}
    )


def _ended(_actor, _order, inputs) -> Change:
    return Change(
        columns={"ended_on": inputs["event_date"]}, history={"event_date": inputs["event_date"]}
    )


def _row(action, from_statuses, to_status, permission, sides, label, title, done, form, **extra):
    return Transition(
        action, from_statuses, to_status, permission, sides, label, title, done, form, **extra
    )


TRANSITIONS = {
    t.action: t
    for t in (
        _row(
            "assess_suitable",
            (Status.REQUESTED,),
            Status.SUITABLE,
            "cstr.treat",
            TREATING,
            "Assessed suitable",
            "Record that the person is suitable",
            "Assessment recorded",
            forms.AssessedForm,
            group=ActionGroup.PROGRESS,
            checks=(assessment_date,),
            effect=_assessed,
            notifies=PROBATION,
        ),
        _row(
            "assess_unsuitable",
            (Status.REQUESTED,),
            Status.UNSUITABLE,
            "cstr.treat",
            TREATING,
            "Assessed unsuitable",
            "Record that the person is not suitable",
            "Assessment recorded",
            forms.UnsuitableForm,
            group=ActionGroup.PROGRESS,
            checks=(assessment_date,),
            effect=_assessed,
            notifies=PROBATION,
        ),
        _row(
            "make_order",
            (Status.SUITABLE,),
            Status.ORDER_MADE,
            "cstr.supervise",
            (PROBATION,),
            "Record the order",
            "Record the order the court made",
            "Order recorded",
            forms.OrderForm,
            group=ActionGroup.PROGRESS,
            checks=(order_is_sound,),
            effect=_order_made,
            notifies=PROVIDER,
        ),
        _row(
            "not_made",
            BEFORE_SENTENCE,
            Status.NOT_MADE,
            "cstr.supervise",
            (PROBATION,),
            "No order made",
            "Record that the court made no order",
            "Recorded: no order made",
            forms.NotMadeForm,
            group=ActionGroup.ENDING,
            warning=True,
            effect=_ended_before_sentence,
            notifies=PROVIDER,
        ),
        _row(
            "start",
            (Status.ORDER_MADE,),
            Status.STARTED,
            "cstr.treat",
            TREATING,
            "Record treatment start",
            "Record the start of treatment",
            "Treatment start recorded",
            forms.TreatmentStartForm,
            group=ActionGroup.PROGRESS,
            checks=(treatment_start,),
            effect=_started,
            notifies=PROBATION,
        ),
        _row(
            "warn",
            (Status.STARTED,),
            Status.STARTED,
            "cstr.supervise",
            (PROBATION,),
            "Record a warning",
            "Record a warning",
            "Warning recorded",
            forms.WarningForm,
            group=ActionGroup.CHANGES,
            checks=(after_sentence,),
            effect=_dated,
            notifies=PROVIDER,
        ),
        _row(
            "vary",
            (Status.STARTED,),
            Status.STARTED,
            "cstr.supervise",
            (PROBATION,),
            "Record a variation",
            "Record a variation of the order",
            "Variation recorded",
            forms.VariationForm,
            group=ActionGroup.CHANGES,
            checks=(new_end,),
            effect=_varied,
            notifies=PROVIDER,
        ),
        _row(
            "complete",
            (Status.STARTED,),
            Status.COMPLETED,
            "cstr.supervise",
            (PROBATION,),
            "Record completion",
            "Record that the requirement was completed",
            "Completion recorded",
            forms.CompletionForm,
            group=ActionGroup.ENDING,
            checks=(after_sentence,),
            effect=_ended,
            notifies=PROVIDER,
        ),
        _row(
            "revoke",
            LIVE_ORDER,
            Status.REVOKED,
            "cstr.supervise",
            (PROBATION,),
            "Record revocation",
            "Record that the order was revoked",
            "Revocation recorded",
            forms.EndingForm,
            group=ActionGroup.ENDING,
            warning=True,
            checks=(after_sentence,),
            effect=_ended,
            notifies=PROVIDER,
        ),
        _row(
            "breach",
            LIVE_ORDER,
            Status.BREACHED,
            "cstr.supervise",
            (PROBATION,),
            "Record breach",
            "Record that the order was breached",
            "Breach recorded",
            forms.EndingForm,
            group=ActionGroup.ENDING,
            warning=True,
            checks=(after_sentence,),
            effect=_ended,
            notifies=PROVIDER,
        ),
    )
}


# What the mechanism needs to know about a CSTR. ---------------------------------------------


def sides_of(actor, order: CstrOrder) -> set[str]:
    sides = set()
    if order.probation_id == actor.organisation_id:
        sides.add(PROBATION)
    if order.provider_id is not None and order.provider_id == actor.organisation_id:
        sides.add(PROVIDER)
    if (
        order.mental_health_service_id is not None
        and order.mental_health_service_id == actor.organisation_id
    ):
        sides.add(MENTAL_HEALTH)
    return sides


def write_history(actor, order: CstrOrder, transition: Transition, from_status, details) -> None:
    db.session.add(
        CstrEvent(
            order_id=order.id,
            person_id=order.person_id,
            kind=transition.action,
            from_status=from_status,
            to_status=transition.to_status,
            actor_id=actor.id,
            organisation_id=actor.organisation_id,
            event_date=details.get("event_date"),
            reason=details.get("reason"),
        )
    )


def recipients(order: CstrOrder, side: str):
    if side == PROBATION:
        return [order.requested_by_id]
    treating = [
        (order.provider_id, Role.KEYWORKER),
        (order.mental_health_service_id, Role.MENTAL_HEALTH),
    ]
    ids = []
    for organisation_id, role in treating:
        if organisation_id is not None:
            ids += db.session.scalars(
                select(User.id).where(
                    User.organisation_id == organisation_id,
                    User.role == role,
                    User.active.is_(True),
                )
            ).all()
    return ids


CSTR_LIFECYCLE = Lifecycle(
    model=CstrOrder,
    entity_type="cstr",
    purpose="caseload",
    transitions=TRANSITIONS,
    refusals=REFUSALS,
    sides_of=sides_of,
    write_history=write_history,
    recipients=recipients,
    notify=notify,
)
