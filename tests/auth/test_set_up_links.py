"""An administrator never knows a working password: accounts are set up by their owner through a
one-time link emailed to them, valid 24 hours, which the administrator never sees.

A new account and a password reset both send one; its first use sets the password, then the
authenticator at the usual enrolment step. The token is random, kept only as a hash, works once,
expires after 24 hours and is superseded by a newer link for the same account.
"""

import hashlib
import json
import logging
from datetime import timedelta

import pyotp
from bs4 import BeautifulSoup
from notifications_python_client.errors import APIError
from sqlalchemy import func, select

from caseflow.audit.models import AuditEvent
from caseflow.auth.models import RecoveryCode, SetUpLink, User, UserSession
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.security import passwords
from tests.factories import TEST_PASSWORD, OrganisationFactory, UserFactory
from tests.helpers import (
    audit_rows,
    csrf_token,
    error_messages,
    page,
    post_form,
    sign_in_with_form,
)
from tests.outbox import path_of, token_of

NEW_EMAIL = "imogen.fairweather@recovery.test"
# What an administrator would have typed as an "initial password" before.
ADMIN_CHOSEN = "amber kestrel under the viaduct"
OWN_PASSWORD = "seven lanterns over a quiet canal"
WRONG_SIGN_IN = "Enter a correct email address and password"


def add_keyworker(admin_client, provider, **extra):
    data = {
        "display_name": "Imogen Fairweather",
        "email": NEW_EMAIL,
        "role": "keyworker",
        "organisation": str(provider.id),
        **extra,
    }
    return post_form(admin_client, "/admin/users/new", data)


def account(email: str = NEW_EMAIL) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def links_of(user) -> list[SetUpLink]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(SetUpLink).where(SetUpLink.user_id == user.id).order_by(SetUpLink.created_at)
        )
    )


def choose_password(client, link: str, password: str):
    url = path_of(link)
    return client.post(url, data={"password": password, "csrf_token": csrf_token(client, url)})


def enrol(client):
    """The existing enrolment step, as after any first password: read the key, enter a code."""
    soup = page(client, "/sign-in/set-up")
    secret = soup.select_one("#secret").get_text(strip=True)
    token = soup.find("input", {"name": "csrf_token"})["value"]
    return client.post(
        "/sign-in/set-up", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token}
    )


def page_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.data, "html.parser")


def actions(response) -> list[tuple[str, str]]:
    return [(row.action, row.outcome) for row in audit_rows(response)]


def detail(row) -> dict:
    return row.detail or {}


def sessions_of(user) -> int:
    return db.session.scalar(
        select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
    )


def provider_and_admin(sign_in):
    admin_client, admin = sign_in("admin")
    provider = OrganisationFactory(kind="community_treatment_provider")
    db.session.commit()
    return admin_client, admin, provider


# Creating an account --------------------------------------------------------------------------


def test_an_administrator_who_adds_a_user_knows_no_password_that_signs_in(sign_in, client, outbox):
    admin_client, _, provider = provider_and_admin(sign_in)
    form = page(admin_client, "/admin/users/new")
    assert form.select("input[type=password]") == []
    assert form.select_one("[name=password]") is None

    # A password sent anyway is not a field of the form: it is ignored, never set.
    response = add_keyworker(admin_client, provider, password=ADMIN_CHOSEN)
    assert response.status_code == 302
    user = account()
    assert user.password_hash is None
    for guess in (ADMIN_CHOSEN, TEST_PASSWORD):
        response = sign_in_with_form(client, NEW_EMAIL, guess)
        assert response.status_code == 200
        assert WRONG_SIGN_IN in response.get_data(as_text=True)
    assert sessions_of(user) == 0


def test_the_set_up_link_goes_to_the_person_and_nowhere_the_administrator_sees(
    sign_in, outbox, caplog
):
    caplog.set_level(logging.DEBUG)
    admin_client, admin, provider = provider_and_admin(sign_in)
    response = add_keyworker(admin_client, provider)
    assert response.status_code == 302
    user = account()

    [message] = outbox.messages()
    assert message["to"] == NEW_EMAIL
    assert message["subject"] == "Set up your Caseflow account"
    assert "Dear Imogen Fairweather" in message["body"]
    link = outbox.latest_link(NEW_EMAIL)
    token = token_of(link)
    assert link == f"http://localhost/set-up/{token}"
    assert len(token) >= 43  # 256 random bits

    # Only a hash is stored.
    [stored] = links_of(user)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert stored.used_at is None and stored.superseded_at is None

    # The audit rows: the account made, and a link sent. Ids and the role only.
    rows = audit_rows(response)
    assert [(r.action, r.entity_type, r.entity_id, r.user_id) for r in rows] == [
        ("create", "user", str(user.id), admin.id),
        ("send_set_up_link", "user", str(user.id), admin.id),
    ]
    assert detail(rows[1]) == {"link": str(stored.id), "reason": "new_account", "role": "keyworker"}

    seen = [
        response.get_data(as_text=True),
        admin_client.get(response.headers["Location"]).get_data(as_text=True),  # with the flash
        admin_client.get("/admin/users").get_data(as_text=True),
        *(f"{r.action} {r.entity_id} {r.detail}" for r in db.session.scalars(select(AuditEvent))),
        caplog.text,
    ]
    assert "emailed them a link" in seen[1]
    for text in seen:
        assert token not in text
        assert stored.token_hash not in text
        assert "/set-up/" not in text
    for row in rows:
        assert "imogen" not in json.dumps(row.detail).lower()


def test_the_link_works_once_and_leads_to_setting_up_the_authenticator(sign_in, app, outbox):
    admin_client, _, provider = provider_and_admin(sign_in)
    add_keyworker(admin_client, provider)
    link = outbox.latest_link(NEW_EMAIL)
    person = app.test_client()

    shown = page(person, path_of(link))
    assert shown.h1.get_text(strip=True) == "Create a password"
    assert NEW_EMAIL in shown.get_text()
    assert shown.select_one("input[name=password]")["autocomplete"] == "new-password"
    assert links_of(account())[0].used_at is None  # showing the form uses nothing up

    # The password rules apply, beside the field; the link still works afterwards.
    response = choose_password(person, link, "too short")
    assert response.status_code == 200
    assert error_messages(page_of(response)) == ["Password must be 15 characters or more"]
    assert account().password_hash is None

    response = choose_password(person, link, OWN_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in/set-up"
    assert actions(response) == [("use_set_up_link", "success")]
    assert passwords.verify_password(account().password_hash, OWN_PASSWORD)

    response = enrol(person)
    assert response.status_code == 200
    assert "Your recovery codes" in response.get_data(as_text=True)
    assert [r.action for r in audit_rows(response)] == ["first_sign_in", "sign_in"]
    assert person.get("/notifications").status_code == 200

    # A second use, by anyone, is refused with what to do, and audited.
    other = app.test_client()
    response = other.get(path_of(link))
    assert response.status_code == 410
    text = response.get_data(as_text=True)
    assert "This link has already been used" in text
    assert "ask them to send you a new link" in text
    assert actions(response) == [("use_set_up_link", "failed")]
    assert detail(audit_rows(response)[0])["reason"] == "used"
    token = csrf_token(other, "/sign-in")
    response = other.post(path_of(link), data={"password": ADMIN_CHOSEN, "csrf_token": token})
    assert response.status_code == 410
    assert passwords.verify_password(account().password_hash, OWN_PASSWORD)

    # From now on they sign in with their own password, like anyone else.
    assert sign_in_with_form(app.test_client(), NEW_EMAIL, OWN_PASSWORD).status_code == 302


def test_a_link_stops_working_24_hours_after_it_was_sent(sign_in, app, outbox, monkeypatch):
    from caseflow.auth import setup_links

    admin_client, _, provider = provider_and_admin(sign_in)
    sent = utcnow().replace(microsecond=0)
    monkeypatch.setattr(setup_links, "utcnow", lambda: sent)
    add_keyworker(admin_client, provider)
    link = outbox.latest_link(NEW_EMAIL)
    person = app.test_client()

    monkeypatch.setattr(setup_links, "utcnow", lambda: sent + timedelta(hours=24, seconds=-1))
    assert person.get(path_of(link)).status_code == 200
    token = csrf_token(person, path_of(link))

    monkeypatch.setattr(setup_links, "utcnow", lambda: sent + timedelta(hours=24))
    response = person.post(path_of(link), data={"password": OWN_PASSWORD, "csrf_token": token})
    assert response.status_code == 410
    text = response.get_data(as_text=True)
    assert "This link has expired" in text
    assert "Ask a Caseflow administrator to send you a new link" in text
    assert actions(response) == [("use_set_up_link", "failed")]
    assert detail(audit_rows(response)[0])["reason"] == "expired"
    assert account().password_hash is None


def test_a_newer_link_supersedes_the_older_one(sign_in, app, outbox):
    admin_client, _, provider = provider_and_admin(sign_in)
    add_keyworker(admin_client, provider)
    user = account()
    first = outbox.latest_link(NEW_EMAIL)

    # The administrator sends a new one (the account has no password yet).
    url = f"/admin/users/{user.id}/reset-password"
    shown = page(admin_client, f"/admin/users/{user.id}")
    assert shown.find("a", string=lambda s: s and "Send a new set-up link" in s)["href"] == url
    response = post_form(admin_client, url, {})
    assert response.status_code == 302
    assert [(r.action, detail(r).get("reason")) for r in audit_rows(response)] == [
        ("send_set_up_link", "new_account")
    ]
    second = outbox.latest_link(NEW_EMAIL)
    assert second != first
    assert [link.superseded_at is not None for link in links_of(user)] == [True, False]

    person = app.test_client()
    response = person.get(path_of(first))
    assert response.status_code == 410
    assert "A newer link has been sent" in response.get_data(as_text=True)
    assert detail(audit_rows(response)[0])["reason"] == "superseded"
    assert choose_password(person, second, OWN_PASSWORD).status_code == 302


def test_an_unknown_link_gets_a_plain_page_and_is_audited(client):
    response = client.get("/set-up/not-a-link-caseflow-ever-sent")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "This link does not work" in text
    assert "ask a Caseflow administrator to send you a new link" in text
    [row] = audit_rows(response)
    assert (row.action, row.outcome, row.entity_id, detail(row)) == (
        "use_set_up_link",
        "failed",
        None,
        {"reason": "unknown"},
    )
    assert client.get("/set-up/" + "x" * 5000).status_code == 404
    token = csrf_token(client, "/sign-in")
    response = client.post("/set-up/nothing", data={"password": OWN_PASSWORD, "csrf_token": token})
    assert response.status_code == 404


def test_a_link_for_a_disabled_account_does_not_work(sign_in, app, outbox):
    admin_client, _, provider = provider_and_admin(sign_in)
    add_keyworker(admin_client, provider)
    user = account()
    post_form(admin_client, f"/admin/users/{user.id}/disable", {})
    response = app.test_client().get(path_of(outbox.latest_link(NEW_EMAIL)))
    assert response.status_code == 410
    assert "This account is disabled" in response.get_data(as_text=True)


# Resetting a password ------------------------------------------------------------------------


def test_a_password_reset_ends_the_old_password_sessions_and_second_factor(sign_in, app, outbox):
    admin_client, _ = sign_in("admin")
    keyworker_client, keyworker = sign_in("keyworker")
    db.session.add(RecoveryCode(user_id=keyworker.id, code_hash="b" * 64))
    db.session.commit()
    assert keyworker_client.get("/worklists/incoming").status_code == 200

    url = f"/admin/users/{keyworker.id}/reset-password"
    shown = page(admin_client, f"/admin/users/{keyworker.id}")
    assert shown.find("a", string=lambda s: s and s.strip() == "Reset password")["href"] == url
    page(admin_client, url)  # asking changes nothing
    assert passwords.verify_password(account(keyworker.email).password_hash, TEST_PASSWORD)

    response = post_form(admin_client, url, {})
    assert response.status_code == 302
    rows = audit_rows(response)
    assert [(r.action, r.entity_id) for r in rows] == [
        ("update", str(keyworker.id)),
        ("send_set_up_link", str(keyworker.id)),
    ]
    assert detail(rows[0]) == {"fields": ["password", "second_factor"]}
    assert detail(rows[1])["reason"] == "password_reset"

    # From that moment: signed out, the old password refused, the second factor forgotten.
    response = keyworker_client.get("/worklists/incoming")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    user = account(keyworker.email)
    assert user.password_hash is None
    assert (user.totp_secret, user.totp_enrolled_at) == (None, None)
    assert sessions_of(user) == 0
    assert not db.session.scalar(
        select(func.count()).select_from(RecoveryCode).where(RecoveryCode.user_id == user.id)
    )
    response = sign_in_with_form(app.test_client(), keyworker.email, TEST_PASSWORD)
    assert WRONG_SIGN_IN in response.get_data(as_text=True)

    # The administrator is told a link was sent, and never shown it.
    link = outbox.latest_link(keyworker.email)
    done = admin_client.get(f"/admin/users/{keyworker.id}").get_data(as_text=True)
    assert "emailed them a link" in done
    assert token_of(link) not in done and "/set-up/" not in done
    assert outbox.messages(keyworker.email)[-1]["subject"] == "Choose a new Caseflow password"

    # The person chooses a new password, then sets up their authenticator again.
    person = app.test_client()
    response = choose_password(person, link, OWN_PASSWORD)
    assert response.headers["Location"] == "/sign-in/set-up"
    response = enrol(person)
    first = [r for r in audit_rows(response) if r.action == "first_sign_in"]
    assert [detail(r) for r in first] == [{"reason": "password_reset", "role": "keyworker"}]


def test_an_administrator_cannot_reset_their_own_password_or_a_disabled_account(sign_in, outbox):
    client, admin = sign_in("admin")
    disabled = UserFactory(role="probation", active=False)
    db.session.commit()
    response = post_form(client, f"/admin/users/{admin.id}/reset-password", {})
    assert response.status_code == 200
    assert "You cannot reset your own password" in response.get_data(as_text=True)
    response = post_form(client, f"/admin/users/{disabled.id}/reset-password", {})
    assert response.status_code == 200
    assert "Re-enable it first" in response.get_data(as_text=True)
    assert outbox.messages() == []
    assert passwords.verify_password(account(admin.email).password_hash, TEST_PASSWORD)


# Sending through GOV.UK Notify ------------------------------------------------------------------


class FakeNotify:
    """Stands in for notifications_python_client's NotificationsAPIClient: no network."""

    def __init__(self, fail: bool = False):
        self.fail = fail
        self.sent: list[dict] = []

    def send_email_notification(self, **message):
        if self.fail:
            raise APIError(message="Service unavailable")
        self.sent.append(message)
        return {"id": "notify-message-id"}


def use_notify(app, monkeypatch, client) -> None:
    monkeypatch.setitem(app.config, "EMAIL_DELIVERY", "notify")
    monkeypatch.setitem(app.config, "NOTIFY_SETUP_TEMPLATE_ID", "set-up-template-id")
    monkeypatch.setitem(app.extensions, "notify_client", client)


def test_production_sends_the_link_through_gov_uk_notify(sign_in, app, outbox, monkeypatch):
    fake = FakeNotify()
    use_notify(app, monkeypatch, fake)
    admin_client, _, provider = provider_and_admin(sign_in)
    assert add_keyworker(admin_client, provider).status_code == 302

    [sent] = fake.sent
    [stored] = links_of(account())
    assert sent["email_address"] == NEW_EMAIL
    assert sent["template_id"] == "set-up-template-id"
    assert sent["reference"] == str(stored.id)
    fields = sent["personalisation"]
    assert set(fields) == {"subject", "name", "reason", "link", "expires"}
    assert fields["name"] == "Imogen Fairweather"
    link = fields["link"]
    assert stored.token_hash == hashlib.sha256(token_of(link).encode()).hexdigest()
    assert outbox.messages() == []  # nothing written locally
    assert choose_password(app.test_client(), link, OWN_PASSWORD).status_code == 302


def test_an_email_that_cannot_be_sent_keeps_nothing_and_says_so(
    sign_in, app, outbox, monkeypatch, caplog
):
    use_notify(app, monkeypatch, FakeNotify(fail=True))
    admin_client, _, provider = provider_and_admin(sign_in)
    response = add_keyworker(admin_client, provider)
    assert response.status_code == 200
    assert "The email could not be sent, so nothing has changed" in response.get_data(as_text=True)
    assert account() is None
    assert db.session.scalar(select(func.count()).select_from(SetUpLink)) == 0
    assert audit_rows(response) == []
    assert NEW_EMAIL not in caplog.text


def test_the_notify_client_is_built_from_the_configured_key(app, monkeypatch):
    from notifications_python_client.notifications import NotificationsAPIClient

    from caseflow import notify

    service, secret = "26785a09-ab16-4eb0-8407-a37497a57506", "3d844edf-8d35-48ac-975b-e847b4f122b0"
    monkeypatch.setitem(app.config, "NOTIFY_API_KEY", f"caseflow_test-{service}-{secret}")
    monkeypatch.delitem(app.extensions, "notify_client", raising=False)
    with app.app_context():
        client = notify._notify_client()
    assert isinstance(client, NotificationsAPIClient)
    assert client.service_id == service
    app.extensions.pop("notify_client", None)


def test_the_sign_in_page_says_how_a_forgotten_password_is_replaced(client):
    text = " ".join(page(client, "/sign-in").get_text(" ", strip=True).split())
    assert (
        "If you have forgotten your password or cannot sign in, ask a Caseflow administrator to "
        "reset it. Caseflow then emails you a link to choose a new password." in text
    )
