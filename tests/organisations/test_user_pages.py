"""Administrators add users, change their role or organisation, disable them and reset their
second factor through the pages. Each change writes one audit row naming fields, never values.

Adding a user sets no password: its owner chooses one through a set-up link emailed to them
(tests/auth/test_set_up_links.py)."""

import json
import uuid

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from caseflow.auth.models import RecoveryCode, User, UserSession
from caseflow.extensions import db
from tests.factories import OrganisationFactory, UserFactory
from tests.helpers import audit_rows, csrf_token, error_messages, page, post_form


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.data, "html.parser")


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def sessions_of(user) -> int:
    return db.session.scalar(
        select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
    )


def new_user_form(organisation, **overrides) -> dict:
    data = {
        "display_name": "Imogen Fairweather",
        "email": "Imogen.Fairweather@Recovery.Test",
        "role": "keyworker",
        "organisation": str(organisation.id),
    }
    data.update(overrides)
    return data


def fields_of(row) -> list[str]:
    return row.detail["fields"]


def test_admin_adds_a_user_who_sets_up_their_own_password_and_second_factor(sign_in, outbox):
    admin_client, admin = sign_in("admin")
    provider = OrganisationFactory(kind="community_treatment_provider")
    db.session.commit()
    form = page(admin_client, "/admin/users/new")
    assert form.select_one("input[name=password]") is None

    response = post_form(admin_client, "/admin/users/new", new_user_form(provider))
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "imogen.fairweather@recovery.test"))
    assert response.headers["Location"] == f"/admin/users/{user.id}"
    assert (user.display_name, user.role, user.organisation_id, user.active) == (
        "Imogen Fairweather",
        "keyworker",
        provider.id,
        True,
    )
    assert user.password_hash is None
    assert user.totp_secret is None and user.totp_enrolled_at is None

    rows = audit_rows(response)
    assert [(r.action, r.entity_type, r.entity_id, r.user_id) for r in rows] == [
        ("create", "user", str(user.id), admin.id),
        ("send_set_up_link", "user", str(user.id), admin.id),
    ]
    assert fields_of(rows[0]) == ["display_name", "email", "organisation", "role"]
    for secret in ("imogen", "Imogen", "keyworker"):
        assert secret not in json.dumps(rows[0].detail)
    assert [message["to"] for message in outbox.messages()] == [user.email]

    shown = page(admin_client, response.headers["Location"])
    assert "Account added for Imogen Fairweather" in shown.get_text()
    summary = shown.select_one(".govuk-summary-list").get_text()
    assert "Not set up" in summary
    assert "Not chosen yet. Set-up link emailed" in summary


def test_an_email_address_already_in_use_is_refused(sign_in):
    client, _ = sign_in("admin")
    existing = UserFactory(role="keyworker", email="taken@recovery.test")
    db.session.commit()
    response = post_form(
        client,
        "/admin/users/new",
        new_user_form(existing.organisation, email="  TAKEN@recovery.test "),
    )
    assert response.status_code == 200
    assert error_messages(soup_of(response)) == [
        "An account with that email address already exists"
    ]
    assert soup_of(response).select_one("#email-error")


def test_a_role_must_fit_its_organisation(sign_in):
    client, _ = sign_in("admin")
    prison = OrganisationFactory(kind="prison")
    db.session.commit()
    response = post_form(client, "/admin/users/new", new_user_form(prison))
    assert response.status_code == 200
    soup = soup_of(response)
    assert error_messages(soup) == [
        "Keyworker accounts must belong to a community treatment provider"
    ]
    assert soup.select_one("#organisation-error")


def test_forged_and_oversized_user_input_gets_messages_not_errors(sign_in):
    client, _ = sign_in("admin")
    before = user_count()
    response = post_form(
        client,
        "/admin/users/new",
        {
            "display_name": "n" * 5000,
            "email": "e" * 300 + "@example.com",
            "role": "superuser",
            "organisation": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 200
    assert error_messages(soup_of(response)) == [
        "Full name must be 120 characters or fewer",
        "Email address must be 254 characters or fewer",
        "Select a role",
        "Select an organisation",
    ]
    response = post_form(
        client,
        "/admin/users/new",
        {"display_name": "\x00", "email": "not an email", "organisation": "not-a-uuid"},
    )
    assert response.status_code == 200
    assert error_messages(soup_of(response)) == [
        "Enter the person's full name",
        "Enter an email address in the correct format, like name@example.com",
        "Select a role",
        "Select an organisation",
    ]
    assert user_count() == before


def test_a_role_change_takes_effect_on_the_users_next_request(sign_in):
    admin_client, _ = sign_in("admin")
    keyworker_client, keyworker = sign_in("keyworker")
    service = OrganisationFactory(kind="service")
    db.session.commit()
    assert keyworker_client.get("/worklists/incoming").status_code == 200

    url = f"/admin/users/{keyworker.id}/edit"
    form = page(admin_client, url)
    assert form.select_one("input[name=role][checked]")["value"] == "keyworker"
    assert form.select_one("#organisation option[selected]")["value"] == str(
        keyworker.organisation_id
    )
    response = post_form(admin_client, url, {"role": "auditor", "organisation": str(service.id)})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/users/{keyworker.id}"
    rows = audit_rows(response)
    assert [(r.action, r.entity_type, r.entity_id) for r in rows] == [
        ("update", "user", str(keyworker.id))
    ]
    assert fields_of(rows[0]) == ["organisation", "role"]
    assert "auditor" not in json.dumps(rows[0].detail)

    # The same session, no new sign-in: the new role applies at once.
    assert keyworker_client.get("/worklists/incoming").status_code == 403
    links = [a.get_text(strip=True) for a in page(keyworker_client, "/").select("nav a")]
    assert "Audit log" in links


def test_moving_a_user_to_another_organisation_names_only_that_field(sign_in):
    client, _ = sign_in("admin")
    keyworker = UserFactory(role="keyworker")
    other = OrganisationFactory(kind="community_treatment_provider")
    db.session.commit()
    response = post_form(
        client,
        f"/admin/users/{keyworker.id}/edit",
        {"role": "keyworker", "organisation": str(other.id)},
    )
    assert response.status_code == 302
    assert [fields_of(r) for r in audit_rows(response)] == [["organisation"]]
    db.session.refresh(keyworker)
    assert keyworker.organisation_id == other.id

    response = post_form(
        client,
        f"/admin/users/{keyworker.id}/edit",
        {"role": "keyworker", "organisation": str(other.id)},
    )
    assert response.status_code == 302
    assert audit_rows(response) == []


def test_an_admin_cannot_demote_themself(sign_in):
    client, admin = sign_in("admin")
    url = f"/admin/users/{admin.id}/edit"
    response = post_form(
        client, url, {"role": "auditor", "organisation": str(admin.organisation_id)}
    )
    assert response.status_code == 200
    soup = soup_of(response)
    assert error_messages(soup) == ["You cannot change your own role. Ask another administrator"]
    assert soup.select_one("#role-error")
    assert soup.select_one("input[name=role][checked]")["value"] == "auditor"
    assert audit_rows(response) == []
    db.session.refresh(admin)
    assert admin.role == "admin"
    assert client.get("/admin/users").status_code == 200


def test_disabling_a_user_ends_their_sessions_at_once(sign_in):
    admin_client, _ = sign_in("admin")
    keyworker_client, keyworker = sign_in("keyworker")
    assert keyworker_client.get("/worklists/incoming").status_code == 200

    url = f"/admin/users/{keyworker.id}/disable"
    confirm = page(admin_client, url)  # asking changes nothing
    assert confirm.select_one("main form[method=post] button")
    db.session.refresh(keyworker)
    assert keyworker.active and sessions_of(keyworker) == 1

    response = post_form(admin_client, url, {})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/users/{keyworker.id}"
    rows = audit_rows(response)
    assert [(r.action, r.entity_type, r.entity_id) for r in rows] == [
        ("update", "user", str(keyworker.id))
    ]
    assert fields_of(rows[0]) == ["active"]
    db.session.refresh(keyworker)
    assert not keyworker.active
    assert sessions_of(keyworker) == 0

    response = keyworker_client.get("/worklists/incoming")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")

    shown = page(admin_client, f"/admin/users/{keyworker.id}")
    assert "Disabled" in shown.select_one(".govuk-summary-list").get_text()
    assert shown.find("a", string=lambda s: s and "Re-enable account" in s)


def test_a_disabled_user_is_re_enabled(sign_in):
    client, _ = sign_in("admin")
    user = UserFactory(role="probation", active=False)
    db.session.commit()
    url = f"/admin/users/{user.id}/enable"
    response = post_form(client, url, {})
    assert response.status_code == 302
    assert [fields_of(r) for r in audit_rows(response)] == [["active"]]
    db.session.refresh(user)
    assert user.active

    response = post_form(client, url, {})  # a second click
    assert response.status_code == 200
    assert "already active" in soup_of(response).select_one(".govuk-error-summary").get_text()
    assert audit_rows(response) == []


def test_an_admin_cannot_disable_themself(sign_in):
    client, admin = sign_in("admin")
    url = f"/admin/users/{admin.id}/disable"
    confirm = page(client, url)
    assert "You cannot disable your own account" in confirm.get_text()
    assert confirm.select_one("main form[method=post] button") is None
    assert (
        page(client, f"/admin/users/{admin.id}").find(
            "a", string=lambda s: s and "Disable account" in s
        )
        is None
    )

    # A forged post is refused with a message on the page.
    token = csrf_token(client, "/admin/users")
    response = client.post(url, data={"csrf_token": token})
    assert response.status_code == 200
    summary = soup_of(response).select_one(".govuk-error-summary").get_text()
    assert "You cannot disable your own account" in summary
    assert soup_of(response).title.get_text().startswith("Error:")
    assert audit_rows(response) == []
    db.session.refresh(admin)
    assert admin.active
    assert client.get("/admin/users").status_code == 200


def test_resetting_a_second_factor_forgets_it_and_ends_sessions(sign_in):
    admin_client, _ = sign_in("admin")
    keyworker_client, keyworker = sign_in("keyworker")
    db.session.add(RecoveryCode(user_id=keyworker.id, code_hash="a" * 64))
    db.session.commit()
    assert keyworker.totp_enrolled_at is not None

    url = f"/admin/users/{keyworker.id}/reset-second-factor"
    assert page(admin_client, f"/admin/users/{keyworker.id}").select_one(f"a[href='{url}']")
    page(admin_client, url)
    response = post_form(admin_client, url, {})
    assert response.status_code == 302
    rows = audit_rows(response)
    assert [(r.action, r.entity_type, r.entity_id) for r in rows] == [
        ("update", "user", str(keyworker.id))
    ]
    assert fields_of(rows[0]) == ["second_factor"]
    db.session.refresh(keyworker)
    assert keyworker.totp_secret is None and keyworker.totp_enrolled_at is None
    assert keyworker.active
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == keyworker.id)
        )
        == 0
    )
    response = keyworker_client.get("/worklists/incoming")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")

    response = post_form(admin_client, url, {})  # nothing left to reset
    assert response.status_code == 200
    assert "has not set up a second factor yet" in response.get_data(as_text=True)
    assert audit_rows(response) == []


def test_an_admin_cannot_reset_their_own_second_factor(sign_in):
    client, admin = sign_in("admin")
    token = csrf_token(client, "/admin/users")
    response = client.post(
        f"/admin/users/{admin.id}/reset-second-factor", data={"csrf_token": token}
    )
    assert response.status_code == 200
    assert "You cannot reset your own second factor" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.totp_enrolled_at is not None


def test_unknown_users_are_404(sign_in):
    client, _ = sign_in("admin")
    missing = uuid.uuid4()
    token = csrf_token(client, "/admin/users")
    for path in ("", "/edit", "/disable", "/enable", "/reset-second-factor"):
        assert client.get(f"/admin/users/{missing}{path}").status_code == 404
    for path in ("/edit", "/disable", "/enable", "/reset-second-factor"):
        response = client.post(f"/admin/users/{missing}{path}", data={"csrf_token": token})
        assert response.status_code == 404
    assert client.get("/admin/users/not-a-uuid/disable").status_code == 404
    assert client.get(f"/admin/users/{missing}/delete").status_code == 404


def test_changes_without_a_csrf_token_are_refused(sign_in):
    client, _ = sign_in("admin")
    keyworker = UserFactory(role="keyworker")
    db.session.commit()
    response = client.post(f"/admin/users/{keyworker.id}/disable")
    assert response.status_code == 400
    db.session.refresh(keyworker)
    assert keyworker.active


def test_an_email_taken_at_the_same_moment_is_a_message_not_an_error(sign_in, monkeypatch):
    from caseflow.auth import services as auth

    client, _ = sign_in("admin")
    existing = UserFactory(role="keyworker", email="raced@recovery.test")
    db.session.commit()
    before = user_count()
    # As if the other request committed between the checks and the insert.
    monkeypatch.setattr(auth, "user_by_email", lambda email: None)
    response = post_form(
        client,
        "/admin/users/new",
        new_user_form(existing.organisation, email="raced@recovery.test"),
    )
    assert response.status_code == 200
    assert error_messages(soup_of(response)) == [
        "An account with that email address already exists"
    ]
    assert audit_rows(response) == []
    assert user_count() == before
