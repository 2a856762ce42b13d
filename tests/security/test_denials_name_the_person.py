"""A refusal for want of permission names the person whose record was asked for, so their
subject access export lists every attempt, by any role (NHS Care Record Guarantee: everyone who
has accessed, or tried to access, records about you)."""

import re

import pytest
from bs4 import BeautifulSoup

from caseflow import create_app
from caseflow.security.access import PERMISSIONS, Role, declared_permission
from tests.factories import AppointmentFactory
from tests.helpers import audit_rows

SUBJECT_VALUES = ("person_id", "referral_id", "appointment_id", "episode_id")


def _routes_naming_a_person():
    app = create_app("test", SQLALCHEMY_DATABASE_URI="sqlite://")
    found = []
    for rule in app.url_map.iter_rules():
        if not set(rule.arguments) & set(SUBJECT_VALUES):
            continue
        permission = declared_permission(app, rule.endpoint)
        refused = sorted(set(Role) - PERMISSIONS.get(permission, frozenset()))
        if refused:
            method = "get" if "GET" in rule.methods else "post"
            found.append(pytest.param(rule.rule, method, refused[0], id=rule.endpoint))
    return found


ROUTES = _routes_naming_a_person()


def csrf_from_any_page(client) -> str:
    """Every signed-in page carries the sign-out form, and with it a CSRF token."""
    soup = BeautifulSoup(client.get("/", follow_redirects=True).data, "html.parser")
    return soup.find("input", {"name": "csrf_token"})["value"]


def test_routes_naming_a_person_are_found():
    # Person pages, custody changes, referral pages and actions, appointments.
    assert len(ROUTES) >= 10


@pytest.mark.parametrize(("rule", "method", "role"), ROUTES)
def test_a_denial_for_want_of_permission_names_the_person(sign_in, rule, method, role):
    appointment = AppointmentFactory()
    referral = appointment.referral
    values = {
        "person_id": referral.person_id,
        "referral_id": referral.id,
        "appointment_id": appointment.id,
        "episode_id": referral.episode_id,
        "change": "release",
        "contact": "prison-offender-manager",
    }
    url = re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", lambda m: str(values[m[1]]), rule)
    client, user = sign_in(role)
    data = {"csrf_token": csrf_from_any_page(client)} if method == "post" else None
    response = getattr(client, method)(url, data=data)
    assert response.status_code == 403
    assert [(r.action, r.user_id, r.person_id) for r in audit_rows(response)] == [
        ("deny", user.id, referral.person_id)
    ]
