"""The checks of the CSTR lifecycle's rows: each refuses with a message beside the field it is
about (``InvalidChange``), or lets the action go on. A check is also asked, with no inputs, whether
the action could be taken at all (``lifecycle.refusal``), so each passes when its input is absent.
"""

from datetime import date

from sqlalchemy import select

from caseflow.dates import display, in_london, local_today
from caseflow.domain import InvalidChange
from caseflow.extensions import db
from caseflow.organisations.models import Organisation, OrganisationKind
from caseflow.pathways.cstr.models import CstrOrder, CstrReview


def _not_before(day: date | None, earliest: date, field: str, message: str) -> None:
    if day is not None and day < earliest:
        raise InvalidChange(message, field)


def assessment_date(_actor, order: CstrOrder, inputs) -> None:
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


def order_is_sound(_actor, _order, inputs) -> None:
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


def treatment_start(_actor, order: CstrOrder, inputs) -> None:
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


def new_end(_actor, order: CstrOrder, inputs) -> None:
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


def after_sentence(_actor, order: CstrOrder, inputs) -> None:
    _not_before(
        inputs.get("event_date"),
        order.sentence_date,
        "event_date",
        f"The date cannot be before sentence, {display(order.sentence_date)}",
    )
