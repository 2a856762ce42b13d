"""Hypothesis over the auditor's forms: searching and exporting the log, reviewing break-glass
access, subject access (the checks are in tests/fuzz.py)."""

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from caseflow.auditor.models import BreakGlassReview
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.organisations.models import OrganisationKind
from caseflow.people.models import (
    BreakGlassGrant,
)
from tests.factories import (
    OrganisationFactory,
    person_in_custody_at,
)
from tests.fuzz import TODAY, as_text, first, fuzz_post, make_user, parts, refused_leaves_nothing

# The audit log ----------------------------------------------------------------------------------

LOG_SEARCH = {
    "email": "text",
    "nhs_number": "ident",
    "prison_number": "ident",
    "organisation": "id",
    "action": "choice",
    "outcome": "choice",
    "date_from": "date",
    "date_to": "date",
}


@pytest.mark.parametrize("url", ["/audit/", "/audit/export"])
@given(data=st.data())
def test_search_and_export_the_log(actor, data, url):
    me = actor("auditor")
    person = person_in_custody_at(OrganisationFactory(kind=OrganisationKind.PRISON))
    db.session.commit()
    spec = {**LOG_SEARCH, "page": "int"} if url == "/audit/" else LOG_SEARCH
    valid = {
        "email": me.user.email,
        "nhs_number": person.nhs_number,
        "action": "view",
        "date_from": parts(TODAY - timedelta(days=7)),
        "date_to": parts(TODAY),
        "page": "1",
    }
    outcome = fuzz_post(
        data, me.client, me.token, url, spec, valid, real_ids=[me.user.organisation_id]
    )
    refused_leaves_nothing(outcome)
    assert outcome.status == 200


@given(data=st.data())
def test_review_break_glass(actor, data):
    me = actor("auditor")
    holder = make_user("keyworker")
    person = person_in_custody_at(OrganisationFactory(kind=OrganisationKind.PRISON))
    grant = BreakGlassGrant(
        user_id=holder.id,
        organisation_id=holder.organisation_id,
        person_id=person.id,
        reason="Arrived without a referral",
        expires_at=utcnow() + timedelta(hours=1),
    )
    db.session.add(grant)
    db.session.commit()
    outcome = fuzz_post(
        data,
        me.client,
        me.token,
        f"/audit/break-glass/{grant.id}",
        {"verdict": "choice", "note": "text"},
        {"verdict": "appropriate", "note": "Checked with the team"},
    )
    reviews = list(
        db.session.scalars(select(BreakGlassReview).where(BreakGlassReview.grant_id == grant.id))
    )
    if outcome.succeeded:
        assert [(r.verdict, r.note) for r in reviews] == [
            (first(outcome.sent["verdict"]), as_text(outcome.sent.get("note")))
        ]
    else:
        assert reviews == []


@given(data=st.data())
def test_subject_access(actor, data):
    me = actor("auditor")
    person = person_in_custody_at(OrganisationFactory(kind=OrganisationKind.PRISON))
    db.session.commit()
    outcome = fuzz_post(
        data,
        me.client,
        me.token,
        "/audit/subject-access",
        {"nhs_number": "ident", "prison_number": "ident"},
        {"nhs_number": person.nhs_number},
    )
    refused_leaves_nothing(outcome)
    assert outcome.status == 200
