"""A field sent as a file part is answered with a 400 page, never a 500 (SECURITY.md, Reliability).

No Caseflow form takes a file. A multipart body whose text field is a file part used to reach the
form as a file object, which no text filter or validator expects (about 40 fields answered 500).
Every POST route in ``app.url_map`` is tried, as a role permitted it on its own record, with each
field its page shows (and each field of a valid post) sent in turn as a file: the answer is 400
and nothing in the database changes.
"""

import io

import pytest
from bs4 import BeautifulSoup

from caseflow.extensions import db
from caseflow.security.access import PUBLIC, SIGNED_IN, role_may
from tests.helpers import signed_in_client
from tests.security.state import changed_tables, database_state
from tests.security.test_route_matrix import (
    CLASSIFIED,
    ROLES,
    World,
    csrf_token_for,
    make_user,
    post_data,
    target_for,
    url_for_target,
)


def post_routes() -> list:
    params = []
    for route in CLASSIFIED.routes:
        if "POST" not in route.methods:
            continue
        if route.permission in (PUBLIC, SIGNED_IN):
            role = "keyworker"
        else:
            role = next(r for r in ROLES if role_may(r, route.permission))
        params.append(pytest.param(route, role, id=f"{route.label}-{role}"))
    return params


def fields_on_page(client, url: str, route) -> set[str]:
    """The names of the fields a browser would send from the route's own page, if it has one."""
    if "GET" not in route.methods:
        return set()
    response = client.get(url)
    if response.status_code != 200:
        return set()
    soup = BeautifulSoup(response.data, "html.parser")
    main = soup.find("main") or soup
    names = {tag.get("name") for tag in main.find_all(["input", "textarea", "select"])}
    return {name for name in names if name and name != "csrf_token"}


@pytest.mark.parametrize(("route", "role"), post_routes())
def test_a_field_sent_as_a_file_is_refused_with_a_400(app, route, role):
    user = make_user(role)
    world = World(user)
    target = target_for(world, route, "own" if route.records else "no-record")
    data = post_data(route, world, target)
    db.session.commit()
    client = signed_in_client(app, user)
    url = url_for_target(app, route, target)
    names = sorted(set(data) | fields_on_page(client, url, route) | {"unexpected"})
    token = csrf_token_for(client)

    for name in names:
        before = database_state()
        sent = {**data, "csrf_token": token, name: (io.BytesIO(b"Spoke on the phone"), "note.txt")}
        response = client.post(url, data=sent, content_type="multipart/form-data")
        assert response.status_code == 400, (
            f"{route.label}: {name} as a file: {response.status_code}"
        )
        text = BeautifulSoup(response.data, "html.parser").get_text(" ", strip=True)
        assert "Caseflow does not take files" in text, text[:300]
        assert changed_tables(before) == [], f"{route.label}: {name} as a file changed something"
