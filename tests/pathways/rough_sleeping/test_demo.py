"""The demo data has people on the rough sleeping pathway at every stage, worked by the
Birmingham Street Outreach Team, and the local housing authorities to refer to."""

from sqlalchemy import select

from caseflow import demo
from caseflow.extensions import db
from caseflow.organisations import services as organisations
from caseflow.pathways.rough_sleeping.codes import Status
from caseflow.pathways.rough_sleeping.models import RoughSleepingCase


def test_the_demo_has_a_case_at_every_stage(app):
    assert demo.load(people=80) is True
    authority = organisations.organisation_by_name("Birmingham City Council Housing Options")
    assert authority is not None and authority.kind == "local_housing_authority"
    cases = db.session.scalars(select(RoughSleepingCase)).all()
    assert {case.status for case in cases} == set(Status)
    team = organisations.organisation_by_name("Birmingham Street Outreach Team")
    assert all(c.outreach_team_id == team.id for c in cases if c.status != Status.OPEN)
