"""Every POST route refuses a request without a CSRF token, before anything else happens."""

import uuid

import pytest
from werkzeug.routing import AnyConverter, UUIDConverter

from caseflow import create_app


def post_routes() -> list[tuple[str, str]]:
    """(endpoint, a concrete URL) for every rule that accepts POST, in a throwaway app."""
    app = create_app("test", SQLALCHEMY_DATABASE_URI="sqlite://")
    adapter = app.url_map.bind("localhost")
    routes = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        values = {}
        for name, converter in rule._converters.items():
            if isinstance(converter, UUIDConverter):
                values[name] = uuid.uuid4()
            elif isinstance(converter, AnyConverter):
                values[name] = sorted(converter.items)[0]
            else:
                values[name] = "x"
        routes.append((rule.endpoint, adapter.build(rule.endpoint, values)))
    return routes


ROUTES = post_routes()


def test_there_are_post_routes_to_check():
    assert len(ROUTES) > 15


@pytest.mark.parametrize(("endpoint", "url"), ROUTES, ids=[endpoint for endpoint, _ in ROUTES])
def test_a_post_without_a_csrf_token_is_refused(sign_in, endpoint, url):
    client, _ = sign_in("keyworker")
    response = client.post(url, data={"anything": "at all"})
    assert response.status_code == 400, (endpoint, url, response.status_code)
    assert b"Your form has expired" in response.data
