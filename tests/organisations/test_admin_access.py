"""Only administrators reach the admin pages; every page is reachable from the navigation; no
input of any kind makes them fail."""

from collections import deque
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseflow.extensions import db
from caseflow.security.access import Role, declared_permission
from tests.factories import OrganisationFactory, UserFactory, provider_serving
from tests.helpers import audit_rows, page

NON_ADMIN_ROLES = sorted(set(Role) - {Role.ADMIN})
ADMIN_PERMISSIONS = {"organisation.view", "organisation.manage", "user.view", "user.manage"}


def admin_urls(app, organisation, user) -> list[tuple[str, set[str]]]:
    """Every admin route, filled in with real ids: (url, methods)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] != "organisations":
            continue
        actions = [None]
        if "action" in rule.arguments:
            actions = sorted(rule._converters["action"].items)
        for action in actions:
            values = {"organisation_id": organisation.id, "user_id": user.id, "action": action}
            path = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
            urls.append((path, set(rule.methods) - {"HEAD", "OPTIONS"}))
    return urls


def token_of(client) -> str:
    soup = page(client, "/", follow_redirects=True)
    return soup.find("input", {"name": "csrf_token"})["value"]


def test_every_admin_route_needs_an_admin_permission(app):
    endpoints = [r.endpoint for r in app.url_map.iter_rules() if r.rule.startswith("/admin")]
    assert len(endpoints) >= 9
    for endpoint in endpoints:
        assert declared_permission(app, endpoint) in ADMIN_PERMISSIONS, endpoint


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_other_roles_get_403_on_every_admin_route(app, sign_in, role):
    client, _ = sign_in(role)
    organisation = provider_serving("E08000025", name="Untouched")
    target = UserFactory(role="keyworker", organisation=organisation)
    db.session.commit()
    token = token_of(client)
    urls = admin_urls(app, organisation, target)
    assert len(urls) >= 10
    for url, methods in urls:
        if "GET" in methods:
            response = client.get(url)
            assert response.status_code == 403, (role, url)
        if "POST" in methods:
            data = {
                "csrf_token": token,
                "name": "Changed",
                "kind": "prison",
                "role": "admin",
                "organisation": str(organisation.id),
            }
            response = client.post(url, data=data)
            assert response.status_code == 403, (role, url)
            assert [(r.action, r.outcome) for r in audit_rows(response)] == [("deny", "denied")]
    db.session.refresh(organisation)
    db.session.refresh(target)
    assert organisation.name == "Untouched"
    assert (target.role, target.active, target.totp_enrolled_at is not None) == (
        "keyworker",
        True,
        True,
    )


def test_people_not_signed_in_are_sent_to_sign_in(app, client):
    organisation = OrganisationFactory()
    target = UserFactory(organisation=organisation)
    db.session.commit()
    for url, _methods in admin_urls(app, organisation, target):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/sign-in?next=")


def test_every_admin_page_is_reachable_from_the_navigation(app, sign_in):
    client, _ = sign_in("admin")
    provider_serving("E08000025")
    UserFactory(role="probation", active=False)  # offers "Re-enable"
    UserFactory(role="keyworker")  # offers "Disable" and "Reset second factor"
    db.session.commit()

    start = page(client, "/", follow_redirects=True)
    nav = {a.get_text(strip=True): a["href"] for a in start.select(".govuk-service-navigation a")}
    assert {"Organisations", "Users"} <= set(nav)

    reached, queue, seen = set(), deque([nav["Organisations"], nav["Users"]]), set()
    while queue:
        href = queue.popleft()
        path = urlsplit(href).path
        if path in seen:
            continue
        seen.add(path)
        response = client.get(href)
        assert response.status_code == 200, href
        assert audit_rows(response) == []  # looking changes nothing
        adapter = app.url_map.bind("localhost")
        endpoint, values = adapter.match(path)
        reached.add((endpoint, values.get("action")))
        soup = BeautifulSoup(response.data, "html.parser")
        for link in soup.select("main a[href^='/admin']"):
            queue.append(link["href"])

    get_endpoints = {
        (rule.endpoint, action)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/admin") and "GET" in rule.methods
        for action in (
            sorted(rule._converters["action"].items) if "action" in rule.arguments else [None]
        )
    }
    assert get_endpoints <= reached, get_endpoints - reached


text = st.text(max_size=300)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=text,
    kind=st.one_of(st.sampled_from(["prison", "partnership", "court"]), text),
    areas=st.lists(st.one_of(st.sampled_from(["E08000025", "E06000026"]), text), max_size=4),
)
def test_any_organisation_form_input_is_answered_without_an_error(sign_in, name, kind, areas):
    client, _ = sign_in("admin")
    token = token_of(client)
    response = client.post(
        "/admin/organisations/new",
        data={"csrf_token": token, "name": name, "kind": kind, "areas": areas},
    )
    assert response.status_code in (200, 302)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    display_name=text,
    email=st.one_of(st.emails(), text),
    role=st.one_of(st.sampled_from(sorted(Role)), text),
)
def test_any_new_user_input_is_answered_without_an_error(sign_in, display_name, email, role):
    client, admin = sign_in("admin")
    token = token_of(client)
    response = client.post(
        "/admin/users/new",
        data={
            "csrf_token": token,
            "display_name": display_name,
            "email": email,
            "role": role,
            "organisation": str(admin.organisation_id),
        },
    )
    assert response.status_code in (200, 302)
