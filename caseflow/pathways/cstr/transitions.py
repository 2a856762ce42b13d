"""The CSTR lifecycle as data: suitability requested -> assessed suitable or unsuitable -> order
made -> started -> completed, revoked or breached (or, before sentence, no order made). A warning
or a variation keeps a started order where it is. Every row is applied by
``caseflow.lifecycle.apply``: permission, side, status, checks, one conditional UPDATE, history,
audit and notifications.
"""

from datetime import date

from sqlalchemy import select

from caseflow.auth.models import User
from caseflow.dates import display, in_london, local_today
from caseflow.domain import InvalidChange
from caseflow.extensions import db
from caseflow.lifecycle import Change, Lifecycle, Transition
from caseflow.organisations.models import Organisation, OrganisationKind
from caseflow.pathways.cstr import forms
from caseflow.pathways.cstr.codes import BEFORE_SENTENCE, LIVE_ORDER, ActionGroup, Status
from caseflow.pathways.cstr.models import CstrEvent, CstrOrder, CstrReview
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


# Checks --------------------------------------------------------------------------------------


def _not_before(day: date | None, earliest: date, field: str, message: str) -> None:
    if day is not None and day < earliest:
        raise InvalidChange(message, field)


def _assessment_date(_actor, order: CstrOrder, inputs) -> None:
    requested = in_london(order.created_at).date()
    _not_before(
        inputs.get("assessed_on"),
        requested,
        "assessed_on",
        f"The assessment cannot be before it was requested, {display(requested)}",
    )


def _organisation_of_kind(organisation_id, kind: str, field: str, message: str) -> None:
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None or organisation.kind != kind:
        raise InvalidChange(message, field)


def check_parties(requirements, provider_id, mental_health_service_id) -> None:
    """A DRR or ATR needs a treatment provider; an MHTR a mental health service."""
    if "mhtr" in requirements:
        _organisation_of_kind(
            mental_health_service_id,
            OrganisationKind.MENTAL_HEALTH,
            "mental_health_service",
            "Select the mental health service for the mental health treatment requirement",
        )
    if {"drr", "atr"} & set(requirements):
        _organisation_of_kind(
            provider_id,
            OrganisationKind.TREATMENT_PROVIDER,
            "provider",
            "Select the treatment provider for the drug or alcohol treatment requirement",
        )


def _order_is_sound(_actor, _order, inputs) -> None:
    if not inputs.get("consent"):
        raise InvalidChange(
            "The person must consent to the treatment requirements: the court cannot make one "
            "without it",
            "consent",
        )
    check_parties(
        inputs.get("requirements") or (),
        inputs.get("provider_id"),
        inputs.get("mental_health_service_id"),
    )
    _organisation_of_kind(
        inputs.get("court_id"), OrganisationKind.COURT, "court", "Select the court"
    )
    sentence, start, end = (
        inputs.get(name) for name in ("sentence_date", "start_date", "end_date")
    )
    if None in (sentence, start, end):
        return  # the form asks for each; a page drawn before it is sent has none yet
    _not_before(start, sentence, "start_date", "The requirements cannot start before sentence")
    if end <= start:
        raise InvalidChange("The end date must be after the start date", "end_date")


def _treatment_start(_actor, order: CstrOrder, inputs) -> None:
    start = inputs.get("treatment_start_date")
    if start is None:
        return
    _not_before(
        start,
        order.sentence_date,
        "treatment_start_date",
        f"Treatment cannot start before sentence, {display(order.sentence_date)}",
    )
    if start > local_today():
        raise InvalidChange(
            "The treatment start must be today or in the past", "treatment_start_date"
        )


def _new_end(_actor, order: CstrOrder, inputs) -> None:
    end = inputs.get("end_date")
    if end is None:
        return
    if end <= order.start_date:
        raise InvalidChange(
            f"The end date must be after the start date, {display(order.start_date)}", "end_date"
        )
    later = db.session.scalar(
        select(CstrReview.review_date)
        .where(CstrReview.order_id == order.id, CstrReview.review_date > end)
        .order_by(CstrReview.review_date)
    )
    if later is not None:
        raise InvalidChange(
            f"A court review is scheduled on {display(later)}, after the new end date", "end_date"
        )


def _after_sentence(_actor, order: CstrOrder, inputs) -> None:
    _not_before(
        inputs.get("event_date"),
        order.sentence_date,
        "event_date",
        f"The date cannot be before sentence, {display(order.sentence_date)}",
    )


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
            checks=(_assessment_date,),
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
            checks=(_assessment_date,),
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
            checks=(_order_is_sound,),
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
            checks=(_treatment_start,),
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
            checks=(_after_sentence,),
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
            checks=(_new_end,),
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
            checks=(_after_sentence,),
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
            checks=(_after_sentence,),
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
            checks=(_after_sentence,),
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
