"""What is kept under a live order: DRR drug-test results, attendance at treatment, and the
court reviews with the probation review report due before each. Each is one record and one
history entry, audited; the review schedule's rules are ``schedule.py``'s.
"""

import uuid
from datetime import date

from caseflow.audit.services import record
from caseflow.dates import display, local_today
from caseflow.domain import InvalidChange, InvalidTransition, NotPermitted
from caseflow.extensions import db
from caseflow.pathways.cstr import schedule
from caseflow.pathways.cstr.codes import LIVE_ORDER, Attendance, DrugTestResult, Status
from caseflow.pathways.cstr.models import (
    CstrAttendance,
    CstrDrugTest,
    CstrEvent,
    CstrOrder,
    CstrReview,
)
from caseflow.pathways.cstr.services import find_visible_order
from caseflow.pathways.cstr.transitions import PROBATION, TREATING, sides_of
from caseflow.security.access import role_may


def _history(actor, order: CstrOrder, kind: str, event_date: date) -> None:
    db.session.add(
        CstrEvent(
            order_id=order.id,
            person_id=order.person_id,
            kind=kind,
            from_status=order.status,
            to_status=order.status,
            actor_id=actor.id,
            organisation_id=actor.organisation_id,
            event_date=event_date,
        )
    )


def _audit(actor, order: CstrOrder, entity_type: str, entity_id, fields: list[str]) -> None:
    record(
        "create",
        actor=actor,
        entity_type=entity_type,
        entity_id=entity_id,
        person_id=order.person_id,
        purpose="caseload",
        detail={"fields": fields, "cstr_id": str(order.id)},
    )


def _treating_order(actor, order_id: uuid.UUID) -> CstrOrder:
    order = find_visible_order(actor, order_id)
    if not role_may(actor.role, "cstr.treat") or not sides_of(actor, order) & set(TREATING):
        raise NotPermitted("Only the service treating the person records this")
    if order.status != Status.STARTED:
        raise InvalidTransition("Record the start of treatment first.")
    return order


def _not_before_start(order: CstrOrder, day: date, field: str) -> None:
    if day < order.treatment_start_date:
        raise InvalidChange(
            f"The date cannot be before treatment started, {display(order.treatment_start_date)}",
            field,
        )


def record_drug_test(actor, order_id: uuid.UUID, *, tested_on: date, result: str) -> CstrDrugTest:
    """A DRR's drug-test result, recorded by the treatment provider."""
    order = _treating_order(actor, order_id)
    if not order.drr:
        raise InvalidTransition("Drug tests are recorded under a drug rehabilitation requirement.")
    if not DrugTestResult.has(result):
        raise InvalidChange("Select the result", "result")
    _not_before_start(order, tested_on, "tested_on")
    test = CstrDrugTest(
        order_id=order.id, tested_on=tested_on, result=result, recorded_by_id=actor.id
    )
    order.drug_tests.append(test)
    _history(actor, order, "drug_test", tested_on)
    _audit(actor, order, "cstr_drug_test", test.id, ["result", "tested_on"])
    return test


def record_attendance(
    actor, order_id: uuid.UUID, *, appointment_date: date, outcome: str
) -> CstrAttendance:
    """Attendance at a treatment appointment, for compliance."""
    order = _treating_order(actor, order_id)
    if not Attendance.has(outcome):
        raise InvalidChange("Select the attendance", "outcome")
    _not_before_start(order, appointment_date, "appointment_date")
    attendance = CstrAttendance(
        order_id=order.id,
        appointment_date=appointment_date,
        outcome=outcome,
        recorded_by_id=actor.id,
    )
    order.attendances.append(attendance)
    _history(actor, order, "attendance", appointment_date)
    _audit(actor, order, "cstr_attendance", attendance.id, ["appointment_date", "outcome"])
    return attendance


def _supervised_order(actor, order_id: uuid.UUID) -> CstrOrder:
    order = find_visible_order(actor, order_id)
    if not role_may(actor.role, "cstr.supervise") or PROBATION not in sides_of(actor, order):
        raise NotPermitted("Only the supervising probation delivery unit records this")
    if order.status not in LIVE_ORDER:
        raise InvalidTransition("Court reviews are for an order the court has made and is live.")
    return order


def schedule_review(
    actor, order_id: uuid.UUID, *, review_date: date, report_due: date
) -> CstrReview:
    """A DRR court review, by the rules of ``schedule.py``, with its report due date."""
    order = _supervised_order(actor, order_id)
    schedule.check_review(
        drr=order.drr,
        start=order.start_date,
        end=order.end_date,
        review_date=review_date,
        report_due=report_due,
        other_reviews=[review.review_date for review in order.reviews],
    )
    review = CstrReview(
        order_id=order.id,
        review_date=review_date,
        report_due=report_due,
        scheduled_by_id=actor.id,
    )
    order.reviews.append(review)
    _history(actor, order, "review_scheduled", review_date)
    _audit(actor, order, "cstr_review", review.id, ["report_due", "review_date"])
    return review


def next_report_due(order: CstrOrder) -> CstrReview | None:
    """The earliest review whose report has not been sent."""
    waiting = [review for review in order.reviews if review.report_sent_on is None]
    return min(waiting, key=lambda review: review.review_date, default=None)


def record_review_report(actor, order_id: uuid.UUID, *, report_sent_on: date) -> CstrReview:
    """The probation review report sent to the court, for the next review awaiting one."""
    order = _supervised_order(actor, order_id)
    review = next_report_due(order)
    if review is None:
        raise InvalidTransition("No court review is waiting for a report.")
    if report_sent_on > review.review_date or report_sent_on > local_today():
        raise InvalidChange(
            f"The report must be sent by the review on {display(review.review_date)}, "
            "and today or in the past",
            "report_sent_on",
        )
    review.report_sent_on = report_sent_on
    _history(actor, order, "review_report", report_sent_on)
    record(
        "update",
        actor=actor,
        entity_type="cstr_review",
        entity_id=review.id,
        person_id=order.person_id,
        purpose="caseload",
        detail={"fields": ["report_sent_on"], "cstr_id": str(order.id)},
    )
    return review
