"""Every account signs in with a code from an authenticator app as well as a password."""

import json
import re
import time

import pyotp
from bs4 import BeautifulSoup
from sqlalchemy import func, literal_column, select, text

from caseflow.auth.models import RecoveryCode, User, UserSession
from caseflow.extensions import db
from caseflow.security import mfa
from tests.factories import TEST_PASSWORD, UserFactory
from tests.helpers import audit_rows, csrf_token, current_code, error_messages, page


def password_step(client, user):
    token = csrf_token(client, "/sign-in")
    return client.post(
        "/sign-in", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token}
    )


def code_step(client, code, url="/sign-in/code"):
    return client.post(url, data={"code": code, "csrf_token": csrf_token(client, url)})


def signed_in_sessions(user) -> int:
    return db.session.scalar(
        select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
    )


def test_a_password_alone_does_not_sign_in(client):
    user = UserFactory()
    db.session.commit()
    response = password_step(client, user)
    assert response.headers["Location"] == "/sign-in/code"
    assert signed_in_sessions(user) == 0
    assert client.get("/notifications").headers["Location"].startswith("/sign-in")


def test_the_code_page_accepts_paste_and_signs_in(client):
    user = UserFactory()
    db.session.commit()
    password_step(client, user)
    field = page(client, "/sign-in/code").find("input", {"name": "code"})
    assert field["autocomplete"] == "one-time-code" and field["inputmode"] == "numeric"
    response = code_step(client, " " + current_code(user)[:3] + " " + current_code(user)[3:])
    assert response.status_code == 302
    assert signed_in_sessions(user) == 1
    assert [(r.action, r.outcome) for r in audit_rows(response)] == [("sign_in", "success")]


def test_a_wrong_code_is_refused_and_audited(client):
    user = UserFactory()
    db.session.commit()
    password_step(client, user)
    wrong = f"{(int(current_code(user)) + 1) % 1_000_000:06d}"
    response = code_step(client, wrong)
    assert "Enter the code shown in your authenticator app now" in error_messages(
        BeautifulSoup(response.data, "html.parser")
    )
    assert [(r.action, r.outcome) for r in audit_rows(response)] == [("sign_in", "failed")]
    assert signed_in_sessions(user) == 0


def test_a_code_is_never_accepted_twice(app):
    user = UserFactory()
    db.session.commit()
    code = current_code(user)
    first, second = app.test_client(), app.test_client()
    password_step(first, user)
    assert code_step(first, code).status_code == 302
    password_step(second, user)
    response = code_step(second, code)
    assert response.status_code == 200
    assert signed_in_sessions(user) == 1


def test_an_old_code_is_refused(client):
    user = UserFactory()
    db.session.commit()
    password_step(client, user)
    old = mfa.code_for_step(user.totp_secret, int(time.time() // 30) - 3)
    assert code_step(client, old).status_code == 200


def test_first_sign_in_enrols_the_authenticator_and_shows_recovery_codes(client):
    user = UserFactory(totp_secret=None, totp_enrolled_at=None)
    db.session.commit()
    response = password_step(client, user)
    assert response.headers["Location"] == "/sign-in/set-up"
    soup = page(client, "/sign-in/set-up")
    assert soup.select_one(".caseflow-qr-code svg")
    secret = soup.select_one("#secret").get_text(strip=True)
    assert page(client, "/sign-in/set-up").select_one("#secret").get_text(strip=True) == secret
    response = code_step(client, pyotp.TOTP(secret).now(), url="/sign-in/set-up")
    assert response.status_code == 200
    codes = [c.get_text() for c in BeautifulSoup(response.data, "html.parser").select("code")]
    assert len(codes) == 10
    db.session.expire_all()
    assert user.totp_secret == secret
    stored = db.session.execute(
        select(literal_column("totp_secret")).select_from(User).where(User.id == user.id)
    ).scalar()
    assert stored.startswith("v1.") and secret not in stored
    hashes = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(hashes) == 10 and not set(codes) & set(hashes)
    assert signed_in_sessions(user) == 1


def test_a_recovery_code_works_once(app):
    user = UserFactory()
    db.session.commit()
    codes = mfa.new_recovery_codes()
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=mfa.hash_recovery_code(c)) for c in codes
    )
    db.session.commit()
    first = app.test_client()
    password_step(first, user)
    assert code_step(first, codes[0].upper()).status_code == 302
    second = app.test_client()
    password_step(second, user)
    assert code_step(second, codes[0]).status_code == 200


def test_the_half_way_state_expires(client, monkeypatch):
    from caseflow.auth import views

    user = UserFactory()
    db.session.commit()
    password_step(client, user)
    token = csrf_token(client, "/sign-in/code")
    monkeypatch.setattr(views, "PENDING_SECONDS", -1)
    response = client.post("/sign-in/code", data={"code": current_code(user), "csrf_token": token})
    assert response.headers["Location"] == "/sign-in"
    assert signed_in_sessions(user) == 0


def test_resetting_the_second_factor_makes_the_user_enrol_again(app, sign_in):
    from caseflow.auth.services import reset_second_factor

    client, user = sign_in("keyworker")
    reset_second_factor(user)
    db.session.commit()
    assert client.get("/notifications").headers["Location"].startswith("/sign-in")
    fresh = app.test_client()
    assert password_step(fresh, user).headers["Location"] == "/sign-in/set-up"


def raw_session_data() -> list[str]:
    return db.session.execute(text("SELECT data FROM user_sessions")).scalars().all()


def test_the_seed_being_enrolled_is_never_in_the_session_table_in_plain_text(client):
    user = UserFactory(totp_secret=None, totp_enrolled_at=None)
    db.session.commit()
    password_step(client, user)
    secret = page(client, "/sign-in/set-up").select_one("#secret").get_text(strip=True)
    page(client, "/sign-in/set-up")
    stored = raw_session_data()
    assert stored and not any(secret in data for data in stored)
    # No base32 seed of any length pyotp makes (32 characters) sits in the table either.
    assert not any(re.search(r"[A-Z2-7]{32}", data) for data in stored)

    response = code_step(client, pyotp.TOTP(secret).now(), url="/sign-in/set-up")
    assert response.status_code == 200
    db.session.expire_all()
    assert user.totp_secret == secret and signed_in_sessions(user) == 1
    assert not any("pending" in data for data in raw_session_data())


def test_a_sealed_seed_copied_to_another_persons_enrolment_does_not_open(app):
    first = UserFactory(totp_secret=None, totp_enrolled_at=None)
    second = UserFactory(totp_secret=None, totp_enrolled_at=None)
    db.session.commit()
    clients = {first.id: app.test_client(), second.id: app.test_client()}
    secrets_shown = {}
    for user in (first, second):
        password_step(clients[user.id], user)
        soup = page(clients[user.id], "/sign-in/set-up")
        secrets_shown[user.id] = soup.select_one("#secret").get_text(strip=True)
    rows = {
        json.loads(record.data)["pending_user"]["id"]: record
        for record in db.session.scalars(select(UserSession))
    }
    first_data, second_data = (json.loads(rows[str(u.id)].data) for u in (first, second))
    second_data["pending_secret"] = first_data["pending_secret"]
    rows[str(second.id)].data = json.dumps(second_data)
    db.session.commit()
    shown = page(clients[second.id], "/sign-in/set-up").select_one("#secret").get_text(strip=True)
    assert shown != secrets_shown[first.id]


def test_leaving_enrolment_half_way_clears_the_seed(client, monkeypatch):
    from caseflow.auth import views

    user = UserFactory(totp_secret=None, totp_enrolled_at=None)
    db.session.commit()
    password_step(client, user)
    page(client, "/sign-in/set-up")
    monkeypatch.setattr(views, "PENDING_SECONDS", -1)
    assert client.get("/sign-in/set-up").headers["Location"] == "/sign-in"
    assert not any("pending_secret" in data for data in raw_session_data())
