"""The demo data has people at every stage of the dual diagnosis pathway, told through the
services (so each has its history), on people whose referral a demo provider holds."""

from sqlalchemy import func, select

from caseflow import demo
from caseflow.extensions import db
from caseflow.pathways.dual_diagnosis import plans
from caseflow.pathways.dual_diagnosis.models import DualDiagnosisCase, DualDiagnosisEvent


def test_the_demo_has_people_at_every_stage(app):
    assert demo.load(people=80) is True
    cases = db.session.scalars(select(DualDiagnosisCase)).all()
    statuses = {case.status for case in cases}
    assert statuses >= {"referred", "declined", "accepted", "plan_agreed", "closed"}
    assert any(plans.review_overdue(case) for case in cases)
    assert any(plans.missed_appointments(case) for case in cases)
    for case in cases:
        events = db.session.scalar(
            select(func.count()).where(DualDiagnosisEvent.case_id == case.id)
        )
        assert events >= 1
