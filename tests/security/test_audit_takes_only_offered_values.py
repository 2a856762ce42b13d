"""Audit rows take only values the page offered, as codes (SECURITY.md, Audit log).

The log keeps no personal values and is kept for ever: whatever is typed into a query string
(``/worklists/at-risk?flag=<6,000 characters>``) must never be copied into it. A filter the page
offered is recorded as its code; anything else is recorded as the page's default, or not at all.
"""

import json

import pytest
from sqlalchemy import select

from caseflow.audit.models import AuditEvent
from caseflow.extensions import db
from caseflow.organisations.models import LocalAuthority, OrganisationKind
from caseflow.referrals.worklists import FLAGS
from caseflow.security.access import PUBLIC, SIGNED_IN, role_may
from tests.factories import OrganisationFactory, UserFactory
from tests.helpers import audit_rows, signed_in_client
from tests.security.test_route_matrix import (
    CLASSIFIED,
    ROLES,
    World,
    make_user,
    target_for,
    url_for_target,
)
from tests.security.test_route_matrix import (
    expected as expected_answer,
)

HOME_AREA = "E08000025"
AWAY_AREA = "E06000026"
MARKER = "zq9offered"
LONG = MARKER + "A" * 6000


def row_text(row: AuditEvent) -> str:
    return " ".join(
        str(value)
        for value in (
            row.action,
            row.entity_type,
            row.entity_id,
            row.purpose,
            row.outcome,
            row.detail,
            row.role,
        )
        if value is not None
    )


def every_audit_row_text() -> str:
    db.session.expire_all()
    return "\n".join(row_text(row) for row in db.session.scalars(select(AuditEvent)))


@pytest.fixture
def manager(app):
    partnership = OrganisationFactory(kind=OrganisationKind.PARTNERSHIP)
    partnership.areas = [db.session.get(LocalAuthority, HOME_AREA)]
    user = UserFactory(role="manager", organisation=partnership)
    db.session.commit()
    return signed_in_client(app, user)


def list_detail(response) -> dict:
    rows = [row for row in audit_rows(response) if row.action == "list"]
    assert len(rows) == 1, [(row.action, row.detail) for row in audit_rows(response)]
    return rows[0].detail


@pytest.mark.parametrize(
    "query",
    [
        {"flag": LONG},
        {"flag": "day7" + LONG},
        {"local_authority": LONG},
        {"local_authority": AWAY_AREA},  # a real code, but not one of the manager's areas
        {"flag": LONG, "local_authority": LONG, "page": LONG},
        {"flag": ["day7", LONG]},
    ],
    ids=["long-flag", "flag-prefix", "long-area", "area-not-offered", "all-long", "repeated"],
)
def test_a_filter_the_page_did_not_offer_never_reaches_the_audit_log(manager, query):
    response = manager.get("/worklists/at-risk", query_string=query)
    assert response.status_code == 200
    detail = list_detail(response)
    assert detail.get("flag", "all") in FLAGS
    assert "local_authority" not in detail
    assert MARKER not in every_audit_row_text()
    assert AWAY_AREA not in json.dumps(detail)


@pytest.mark.parametrize("flag", sorted(FLAGS))
def test_a_filter_the_page_offered_is_recorded_as_its_code(manager, flag):
    response = manager.get(
        "/worklists/at-risk", query_string={"flag": flag, "local_authority": HOME_AREA}
    )
    assert response.status_code == 200
    detail = list_detail(response)
    assert (detail["flag"], detail["local_authority"]) == (flag, HOME_AREA)


# Every page, with every query-string name Caseflow reads and some it does not --------------

QUERY_NAMES = ("flag", "local_authority", "page", "organisation", "next", "q", "status", "id")


def one_route_each() -> list:
    """Each GET route once, as the first role permitted it, on that role's own record."""
    params = []
    for route in CLASSIFIED.routes:
        if "GET" not in route.methods or route.endpoint == "static":
            continue
        if route.permission in (PUBLIC, SIGNED_IN):
            role = "keyworker"
        else:
            role = next((r for r in ROLES if role_may(r, route.permission)), None)
        if role is None:
            continue
        case = "own" if route.records else "no-record"
        params.append(pytest.param(route, role, case, id=f"{route.label}-{role}"))
    return params


@pytest.mark.parametrize(("route", "role", "case"), one_route_each())
def test_no_query_string_value_reaches_an_audit_row_on_any_page(app, route, role, case):
    user = make_user(role)
    target = target_for(World(user), route, case)
    db.session.commit()
    client = signed_in_client(app, user)
    query = {name: f"{LONG}{name}" for name in QUERY_NAMES}

    response = client.get(url_for_target(app, route, target), query_string=query)

    want = expected_answer(route, role, case, target, "GET")
    assert want.allows(response.status_code), (route.label, response.status_code)
    for row in audit_rows(response):
        assert MARKER not in row_text(row), (route.label, row.action, row.detail)
    assert MARKER not in every_audit_row_text()
