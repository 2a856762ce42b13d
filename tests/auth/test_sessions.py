"""Session rows exist only while there is something to keep, and sign-out leaves nothing behind.

An anonymous visitor's session holds only a CSRF token, in a signed cookie with no row; a row
is made when sign-in starts, and sign-out deletes it and sends no token back.
"""

import hashlib
from http.cookies import SimpleCookie

from sqlalchemy import func, select

from caseflow.auth.models import UserSession
from caseflow.extensions import db
from tests.factories import TEST_PASSWORD, UserFactory
from tests.helpers import csrf_token, current_code, page, sign_in_with_form

COOKIE = "__Host-caseflow"


def session_rows() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(UserSession))


def session_cookies(response) -> list[SimpleCookie]:
    cookies = []
    for header in response.headers.getlist("Set-Cookie"):
        parsed = SimpleCookie()
        parsed.load(header)
        if COOKIE in parsed:
            cookies.append(parsed[COOKIE])
    return cookies


def test_anonymous_page_views_write_no_session_rows(app, client):
    # Forty visitors (or one that keeps no cookies), then one that keeps its cookie.
    for _ in range(40):
        assert app.test_client().get("/sign-in").status_code == 200
    for _ in range(3):
        client.get("/sign-in")
    assert session_rows() == 0


def test_signing_in_still_works_after_anonymous_views(client):
    user = UserFactory()
    db.session.commit()
    for _ in range(3):
        client.get("/sign-in")
    assert session_rows() == 0
    response = sign_in_with_form(client, user.email, TEST_PASSWORD, current_code(user))
    assert response.headers["Location"] == "/"
    assert session_rows() == 1
    home = page(client, "/", follow_redirects=True)
    assert user.display_name in home.select_one(".moj-header").get_text()


def test_the_anonymous_cookie_is_host_prefixed_secure_httponly_lax_and_signed(client):
    response = client.get("/sign-in")
    (cookie,) = session_cookies(response)
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["path"] == "/" and not cookie["domain"] and not cookie["expires"]
    # Without the cookie's signature the form's token is refused.
    token = csrf_token(client, "/sign-in")
    forged = cookie.value[:-4] + ("AAAA" if not cookie.value.endswith("AAAA") else "BBBB")
    client.set_cookie(COOKIE, forged)
    response = client.post(
        "/sign-in", data={"email": "a@test.caseflow.test", "password": "x", "csrf_token": token}
    )
    assert response.status_code == 400
    assert session_rows() == 0


def test_a_half_finished_sign_in_is_kept_on_the_server_under_a_new_id(client):
    user = UserFactory()
    db.session.commit()
    token = csrf_token(client, "/sign-in")
    anonymous = client.get_cookie(COOKIE).value
    response = client.post(
        "/sign-in", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert response.headers["Location"] == "/sign-in/code"
    server_token = client.get_cookie(COOKIE).value
    assert server_token != anonymous
    record = db.session.get(UserSession, hashlib.sha256(server_token.encode()).hexdigest())
    assert record is not None and "pending_user" in record.data
    assert "pending_user" not in anonymous


def test_sign_out_deletes_the_row_and_sends_no_token(sign_in):
    client, _user = sign_in("probation")
    signed_in_token = client.get_cookie(COOKIE).value
    home = page(client, "/", follow_redirects=True)
    token = home.find("input", {"name": "csrf_token"})["value"]
    response = client.post("/sign-out", data={"csrf_token": token})
    assert response.status_code == 200
    assert session_rows() == 0
    cookies = session_cookies(response)
    assert cookies, "the response must delete the session cookie"
    for cookie in cookies:
        assert cookie.value == "" and cookie["max-age"] == "0"
    assert client.get_cookie(COOKIE) is None
    assert signed_in_token not in str(response.headers)


def test_a_new_row_sweeps_away_idle_ones(client):
    from datetime import timedelta

    from caseflow.models import utcnow

    user = UserFactory()
    db.session.add(UserSession(id="x" * 64, last_seen_at=utcnow() - timedelta(hours=2)))
    db.session.commit()
    sign_in_with_form(client, user.email, TEST_PASSWORD)  # the password step makes a row
    assert db.session.get(UserSession, "x" * 64) is None
