"""Hypothesis over the administrators' forms: organisations, users and account actions
(the checks are in tests/fuzz.py)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseflow.auth.models import User
from caseflow.extensions import db
from caseflow.organisations.models import Organisation, OrganisationKind
from tests.factories import (
    OrganisationFactory,
    UserFactory,
    provider_serving,
)
from tests.fuzz import AWAY_AREA, HOME_AREA, SERIAL, as_collapsed, as_text, first, fuzz_post

# Administration ---------------------------------------------------------------------------------

ORGANISATION = {"name": "text", "kind": "choice", "areas": "multi"}


@given(data=st.data())
def test_add_an_organisation(actor, data):
    me = actor("admin")
    valid = {"name": f"Fuzz organisation {next(SERIAL)}", "kind": "community_treatment_provider"}
    valid["areas"] = [HOME_AREA, AWAY_AREA]
    outcome = fuzz_post(data, me.client, me.token, "/admin/organisations/new", ORGANISATION, valid)
    if outcome.succeeded:
        organisation = db.session.get(Organisation, outcome.record_id("/admin/organisations"))
        assert organisation.name == as_collapsed(outcome.sent["name"])
        assert organisation.kind == first(outcome.sent["kind"])
        assert organisation.area_codes == set(outcome.sent.get("areas") or [])


@given(data=st.data())
def test_edit_an_organisation(actor, data):
    me = actor("admin")
    organisation = provider_serving(HOME_AREA)
    db.session.commit()
    valid = {"name": f"Renamed {next(SERIAL)}", "areas": [AWAY_AREA]}
    spec = {"name": "text", "areas": "multi"}
    outcome = fuzz_post(
        data, me.client, me.token, f"/admin/organisations/{organisation.id}/edit", spec, valid
    )
    if outcome.succeeded:
        db.session.refresh(organisation)
        assert organisation.name == as_collapsed(outcome.sent["name"])
        assert organisation.area_codes == set(outcome.sent.get("areas") or [])


NEW_USER = {
    "display_name": "text",
    "email": "text",
    "role": "choice",
    "organisation": "id",
}


@given(data=st.data())
def test_add_a_user(actor, data):
    me = actor("admin")
    provider = provider_serving(HOME_AREA)
    prison = OrganisationFactory(kind=OrganisationKind.PRISON)
    db.session.commit()
    valid = {
        "display_name": "Grace Hopper",
        "email": f"fuzz-{next(SERIAL)}@test.caseflow.test",
        "role": "keyworker",
        "organisation": str(provider.id),
    }
    outcome = fuzz_post(
        data, me.client, me.token, "/admin/users/new", NEW_USER, valid, real_ids=[prison.id]
    )
    if outcome.succeeded:
        user = db.session.get(User, outcome.record_id("/admin/users"))
        sent = outcome.sent
        assert user.display_name == as_collapsed(sent["display_name"])
        assert user.email == (as_text(sent["email"]) or "").lower()
        assert user.role == first(sent["role"])
        assert str(user.organisation_id) == first(sent["organisation"])


@given(data=st.data())
def test_change_a_user(actor, data):
    me = actor("admin")
    provider = provider_serving(HOME_AREA)
    target = UserFactory(role="keyworker", organisation=provider)
    elsewhere = provider_serving(AWAY_AREA)
    prison = OrganisationFactory(kind=OrganisationKind.PRISON)
    db.session.commit()
    outcome = fuzz_post(
        data,
        me.client,
        me.token,
        f"/admin/users/{target.id}/edit",
        {"role": "choice", "organisation": "id"},
        {"role": "keyworker", "organisation": str(elsewhere.id)},
        real_ids=[prison.id, me.user.organisation_id],
    )
    db.session.refresh(target)
    if outcome.succeeded:
        assert target.role == first(outcome.sent["role"])
        assert str(target.organisation_id) == first(outcome.sent["organisation"])
    else:
        assert (target.role, target.organisation_id) == ("keyworker", provider.id)


@pytest.mark.parametrize("action", ["disable", "enable", "reset-second-factor"])
@given(data=st.data())
def test_account_actions(actor, data, action):
    me = actor("admin")
    target = UserFactory(role="keyworker", active=action != "enable")
    db.session.commit()
    outcome = fuzz_post(data, me.client, me.token, f"/admin/users/{target.id}/{action}", {}, {})
    db.session.refresh(target)
    assert target.role == "keyworker"  # nothing forged was assigned
    if not outcome.succeeded:
        assert target.active == (action != "enable")
