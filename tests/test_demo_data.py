"""The demo data tells a believable story (issue 9): substance group and medicine agree, so
opioid substitution (methadone, buprenorphine) is only ever given for an opiate need."""

from sqlalchemy import select

from caseflow import demo
from caseflow.extensions import db
from caseflow.people.models import CustodyEpisode
from caseflow.referrals.models import Referral

OPIOID_SUBSTITUTES = {"methadone", "buprenorphine", "lai_buprenorphine"}


def test_only_opiate_users_are_on_opioid_substitution_in_the_demo_data(app):
    assert demo.load(people=60) is True
    episodes = db.session.scalars(select(CustodyEpisode)).all()
    assert episodes
    on_substitution = [e for e in episodes if e.opioid_substitution in OPIOID_SUBSTITUTES]
    assert on_substitution  # the demo still shows people on substitution treatment
    assert {e.substance_group for e in on_substitution} == {"opiate"}
    for referral in db.session.scalars(select(Referral)):
        if referral.opioid_medicine in OPIOID_SUBSTITUTES:
            assert referral.substance_group == "opiate"
