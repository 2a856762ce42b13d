"""Hypothesis over the sign-in forms: email and password, the code, setting up the
authenticator, and where sign-in sends you next (the checks are in tests/fuzz.py)."""

from urllib.parse import urlsplit

from hypothesis import given
from hypothesis import strategies as st

from caseflow.extensions import db
from tests.factories import (
    TEST_PASSWORD,
)
from tests.fuzz import TEXT, csrf_from, fuzz_post, make_user, pending_client, refused_leaves_nothing
from tests.helpers import current_code

# Sign-in ----------------------------------------------------------------------------------------

SIGN_IN = {"email": "text", "password": "password"}


CODE = {"code": "text"}


@given(data=st.data())
def test_sign_in(app, data):
    user = make_user("probation")
    db.session.commit()
    client = app.test_client()
    token = csrf_from(client.get("/sign-in"))
    outcome = fuzz_post(
        data, client, token, "/sign-in", SIGN_IN, {"email": user.email, "password": TEST_PASSWORD}
    )
    refused_leaves_nothing(outcome)
    assert outcome.status in (200, 302)


@given(data=st.data())
def test_code(app, data):
    user = make_user("probation")
    client = pending_client(app, user)
    token = csrf_from(client.get("/sign-in/code"))
    outcome = fuzz_post(data, client, token, "/sign-in/code", CODE, {"code": "000000"})
    refused_leaves_nothing(outcome)


@given(data=st.data())
def test_set_up_code(app, data):
    user = make_user("probation", totp_secret=None, totp_enrolled_at=None)
    client = pending_client(app, user)
    token = csrf_from(client.get("/sign-in/set-up"))
    outcome = fuzz_post(data, client, token, "/sign-in/set-up", CODE, {"code": "000000"})
    refused_leaves_nothing(outcome)


NEXT = st.one_of(
    st.sampled_from(
        [
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example/",
            "http:evil.example",
            "javascript:alert(1)",
            "/\t/evil.example",
            "/%2F%2Fevil.example",
            "/%5Cevil.example",
            " //evil.example",
            "/people/find?x=//evil.example",
            "/\x00//evil.example",
            "/\u202e//evil.example",
        ]
    ),
    TEXT,
)


@given(next_url=NEXT)
def test_sign_in_next_stays_on_this_site(app, next_url):
    user = make_user("probation")
    db.session.commit()
    client = app.test_client()
    token = csrf_from(client.get("/sign-in"))
    response = client.post(
        "/sign-in",
        query_string={"next": next_url},
        data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302, response.status_code
    code_token = csrf_from(client.get("/sign-in/code"))
    response = client.post(
        "/sign-in/code", data={"code": current_code(user), "csrf_token": code_token}
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    parts_of = urlsplit(location)
    assert location.startswith("/") and not location.startswith("//"), location
    assert not parts_of.scheme and not parts_of.netloc and "\\" not in location, location
