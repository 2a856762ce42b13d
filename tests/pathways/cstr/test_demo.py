"""The demo data has people on the CSTR pathway at every stage, before and after sentence, at
Birmingham Magistrates' Court, with drug tests and court reviews to show."""

from sqlalchemy import select

from caseflow import demo
from caseflow.extensions import db
from caseflow.organisations import services as organisations
from caseflow.pathways.cstr.codes import Status
from caseflow.pathways.cstr.models import CstrDrugTest, CstrOrder, CstrReview


def test_the_demo_has_a_cstr_at_every_stage(app):
    assert demo.load(people=10) is True
    court = organisations.organisation_by_name("Birmingham Magistrates' Court")
    assert court is not None and court.kind == "court"
    orders = db.session.scalars(select(CstrOrder)).all()
    assert {order.status for order in orders} == set(Status)
    assert {order.court_id for order in orders if order.sentence_date} == {court.id}
    assert db.session.scalar(select(CstrDrugTest.id).limit(1)) is not None
    assert db.session.scalar(select(CstrReview.id).limit(1)) is not None
