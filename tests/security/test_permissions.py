"""Every view declares its permission; anything undeclared is refused."""

from caseflow import create_app
from caseflow.security.access import PERMISSIONS, PUBLIC, SIGNED_IN, declared_permission


def undeclared_endpoints(app) -> list[str]:
    return sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if declared_permission(app, rule.endpoint) is None
    )


def test_every_endpoint_declares_a_known_permission(app):
    assert undeclared_endpoints(app) == []
    for rule in app.url_map.iter_rules():
        permission = declared_permission(app, rule.endpoint)
        assert permission in PERMISSIONS or permission in (PUBLIC, SIGNED_IN), rule.endpoint


def test_an_undecorated_view_is_caught_and_refused(app):
    other = create_app("test", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])

    @other.route("/forgotten")
    def forgotten():
        return "should never be served"

    assert undeclared_endpoints(other) == ["forgotten"]
    response = other.test_client().get("/forgotten")
    assert response.status_code == 403
    assert b"should never be served" not in response.data


def test_a_missing_permission_answers_403(sign_in):
    client, _ = sign_in("keyworker")
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert b"You do not have permission" in response.data


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=/admin/users")


def test_admin_sees_users(sign_in):
    client, user = sign_in("admin")
    response = client.get("/admin/users")
    assert response.status_code == 200
    assert user.email.encode() in response.data


def test_navigation_shows_only_what_the_role_may_use(sign_in):
    from tests.helpers import page

    client, _ = sign_in("keyworker")
    links = [
        a.get_text(strip=True)
        for a in page(client, "/", follow_redirects=True).select(".govuk-service-navigation a")
    ]
    assert "Users" not in links
    assert "Home" in links
