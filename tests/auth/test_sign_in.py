import hashlib

from sqlalchemy import func, select

from caseflow.auth import services
from caseflow.auth.models import UserSession
from caseflow.extensions import db
from tests.factories import TEST_PASSWORD, UserFactory
from tests.helpers import csrf_token, current_code, error_messages, page, sign_in_with_form

COOKIE = "__Host-caseflow"


def sign_in_form(client, email, password, next_url=None):
    """Password, then (for a known, enrolled account) the current authenticator code."""
    user = services.user_by_email(email)
    code = current_code(user) if user is not None and user.totp_secret else None
    if user is not None:
        user.totp_last_step = None  # each test signs in afresh
        db.session.commit()
    return sign_in_with_form(client, email, password, code, next_url)


def is_signed_out(client) -> bool:
    response = client.get("/notifications")
    return response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def sessions_of(user) -> int:
    return db.session.scalar(
        select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
    )


def test_signing_in_starts_a_server_side_session(client):
    user = UserFactory()
    db.session.commit()
    response = sign_in_form(client, user.email.upper(), TEST_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert sessions_of(user) == 1
    home = page(client, "/", follow_redirects=True)
    assert user.display_name in home.select_one(".moj-header").get_text()
    assert user.organisation.name in home.select_one(".moj-header").get_text()


def test_session_cookie_is_host_prefixed_secure_httponly_lax_and_not_persistent(client):
    user = UserFactory()
    db.session.commit()
    response = sign_in_form(client, user.email, TEST_PASSWORD)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(COOKIE))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Path=/" in cookie and "Domain" not in cookie
    assert "Expires" not in cookie and "Max-Age" not in cookie
    assert not any("remember" in c for c in response.headers.getlist("Set-Cookie"))


def test_session_id_changes_at_sign_in(client):
    user = UserFactory()
    db.session.commit()
    csrf_token(client, "/sign-in")
    before = client.get_cookie(COOKIE).value
    sign_in_form(client, user.email, TEST_PASSWORD)
    after = client.get_cookie(COOKIE).value
    assert after != before
    old_id = hashlib.sha256(before.encode()).hexdigest()
    assert db.session.get(UserSession, old_id) is None


def test_wrong_password_and_unknown_email_get_the_same_message(client):
    user = UserFactory()
    db.session.commit()
    wrong_password = sign_in_form(client, user.email, "not the right password at all")
    unknown_email = sign_in_form(client, "nobody@test.caseflow.test", TEST_PASSWORD)
    from bs4 import BeautifulSoup

    first = error_messages(BeautifulSoup(wrong_password.data, "html.parser"))
    second = error_messages(BeautifulSoup(unknown_email.data, "html.parser"))
    assert first == second == ["Enter a correct email address and password"]
    assert sessions_of(user) == 0


def test_empty_form_gets_messages_beside_each_field(client):
    response = sign_in_form(client, "", "")
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(response.data, "html.parser")
    assert error_messages(soup) == ["Enter your email address", "Enter your password"]
    assert soup.title.get_text().startswith("Error:")


def test_over_long_password_is_refused_before_hashing(client, monkeypatch):
    from caseflow.security import passwords

    def never(*args):
        raise AssertionError("hashed an over-long password")

    user = UserFactory()
    db.session.commit()
    monkeypatch.setattr(passwords, "_hasher", never)
    response = sign_in_form(client, user.email, "x" * 129)
    assert b"Password must be 128 characters or fewer" in response.data


def test_next_only_goes_to_paths_on_this_site(client):
    user = UserFactory()
    db.session.commit()
    response = sign_in_form(client, user.email, TEST_PASSWORD, next_url="/admin/users")
    assert response.headers["Location"] == "/admin/users"
    for hostile in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"):
        fresh = client.application.test_client()
        response = sign_in_form(fresh, user.email, TEST_PASSWORD, next_url=hostile)
        assert response.headers["Location"] == "/", hostile


def test_sign_out_is_a_post_that_deletes_the_session(sign_in):
    client, user = sign_in("probation")
    assert client.get("/sign-out").status_code == 405
    token = page(client, "/", follow_redirects=True).find("input", {"name": "csrf_token"})["value"]
    response = client.post("/sign-out", data={"csrf_token": token})
    assert response.status_code == 200
    assert "cookies" in response.headers["Clear-Site-Data"]
    assert sessions_of(user) == 0
    assert is_signed_out(client)


def test_sign_out_without_csrf_token_is_refused(sign_in):
    client, user = sign_in("probation")
    assert client.post("/sign-out").status_code == 400
    assert sessions_of(user) == 1


def test_disabling_a_user_ends_their_sessions(sign_in):
    client, user = sign_in("keyworker")
    assert client.get("/notifications").status_code == 200
    services.disable_user(user)
    db.session.commit()
    assert sessions_of(user) == 0
    assert is_signed_out(client)


def test_disabled_user_cannot_sign_in(client):
    user = UserFactory(active=False)
    db.session.commit()
    response = sign_in_form(client, user.email, TEST_PASSWORD)
    assert response.status_code == 200
    assert sessions_of(user) == 0


def test_changing_a_password_ends_every_session(sign_in, app):
    client, user = sign_in("keyworker")
    second, _ = sign_in(user=user)
    assert sessions_of(user) == 2
    services.set_password(user, "a much longer new passphrase")
    db.session.commit()
    assert sessions_of(user) == 0
    assert is_signed_out(client)
    assert is_signed_out(second)


def test_idle_session_expires(sign_in, app):
    from datetime import timedelta

    from caseflow.models import utcnow

    client, user = sign_in("keyworker")
    record = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    record.last_seen_at = utcnow() - timedelta(minutes=31)
    db.session.commit()
    assert is_signed_out(client)
    assert sessions_of(user) == 0


def test_session_expires_after_twelve_hours_however_active(sign_in):
    from datetime import timedelta

    from caseflow.models import utcnow

    client, user = sign_in("keyworker")
    record = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    record.created_at = utcnow() - timedelta(hours=12, minutes=1)
    db.session.commit()
    assert is_signed_out(client)


def test_password_rules():
    from caseflow.security.passwords import password_problem

    assert password_problem("short") == "Password must be 15 characters or more"
    assert password_problem("y" * 129) == "Password must be 128 characters or fewer"
    assert password_problem("mypassword12345678") == "Choose a password that is harder to guess"
    assert password_problem("aaaaaaaaaaaaaaaaaaa") == "Choose a password that is harder to guess"
    assert password_problem("quiet lantern over the harbour") is None
    for common in ("Correct Horse Battery Staple", "monkeymonkeymonkey", "Summer2025summer"):
        assert password_problem(common) == "Choose a password that is harder to guess", common
    assert password_problem("my caseflow login 2026") == "Choose a password that is harder to guess"


def test_production_hash_parameters_are_argon2id(app):
    from argon2 import PasswordHasher

    from config import Config

    hashed = PasswordHasher(**Config.PASSWORD_HASH).hash("quiet lantern over the harbour")
    assert hashed.startswith("$argon2id$")
    assert "m=65536,t=3,p=2" in hashed


def test_sign_in_rehashes_when_parameters_change(client, app, monkeypatch):
    user = UserFactory()
    db.session.commit()
    old_hash = user.password_hash
    monkeypatch.setitem(
        app.config, "PASSWORD_HASH", {"time_cost": 2, "memory_cost": 1024, "parallelism": 1}
    )
    sign_in_form(client, user.email, TEST_PASSWORD)
    db.session.expire_all()
    assert db.session.get(type(user), user.id).password_hash != old_hash
