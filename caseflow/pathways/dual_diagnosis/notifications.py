"""What staff are told about dual diagnosis cases, and how the notifications list names one: with
the person only to someone who may still see the case (``services.visible_cases``)."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from caseflow import notifications
from caseflow.extensions import db
from caseflow.notifications import Subject

RECORD_TYPE = "dual_diagnosis_case"

MESSAGES = {
    "refer": "A dual diagnosis referral was sent to your service",
    "accept": "Your dual diagnosis referral was accepted",
    "decline": "Your dual diagnosis referral was declined",
    "withdraw": "A dual diagnosis referral to your service was withdrawn",
    "agree_plan": "A joint care plan was agreed",
    "review": "A joint care plan was reviewed",
    "close": "A dual diagnosis case was closed",
    "plan_edit": "The other service changed a joint care plan",
}


def _in_sight(viewer, case_ids: list[uuid.UUID]) -> dict[uuid.UUID, Subject]:
    # Imported here: the rule lives with the finding of cases, which the lifecycle needs first.
    from caseflow.pathways.dual_diagnosis.finding import case_link, visible_cases
    from caseflow.pathways.dual_diagnosis.models import DualDiagnosisCase

    cases = db.session.scalars(
        select(DualDiagnosisCase)
        .options(joinedload(DualDiagnosisCase.person))
        .where(DualDiagnosisCase.id.in_(case_ids), visible_cases(viewer))
    )
    return {
        case.id: Subject(
            f"{case.person.full_name}, dual diagnosis {case.reference}", case_link(viewer, case.id)
        )
        for case in cases
    }


def _out_of_sight(case_id: uuid.UUID) -> Subject:
    return Subject(f"dual diagnosis case {str(case_id)[:8].upper()} (no longer with your team)")


notifications.record_type(
    RECORD_TYPE, messages=MESSAGES, in_sight=_in_sight, out_of_sight=_out_of_sight
)

notify = notifications.notifier(RECORD_TYPE)
