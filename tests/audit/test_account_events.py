"""Beside break-glass, auditors see who made or reset each clinical account and when it was first
used (SECURITY.md: access outside the normal route is flagged for auditors). The audit rows behind
the list hold ids and roles, never an address or a name."""

import json

import pyotp
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from caseflow.audit.models import AuditEvent
from caseflow.auth.models import User
from caseflow.extensions import db
from tests.factories import OrganisationFactory
from tests.helpers import audit_rows, csrf_token, page, post_form
from tests.outbox import path_of

PASSWORD = "seven lanterns over a quiet canal"


def add_user(admin_client, email, name, role, organisation):
    response = post_form(
        admin_client,
        "/admin/users/new",
        {"display_name": name, "email": email, "role": role, "organisation": str(organisation.id)},
    )
    assert response.status_code == 302, response.data[:500]
    return db.session.scalar(select(User).where(User.email == email))


def use_link_and_sign_in(app, link):
    person = app.test_client()
    url = path_of(link)
    response = person.post(url, data={"password": PASSWORD, "csrf_token": csrf_token(person, url)})
    assert response.headers["Location"] == "/sign-in/set-up"
    soup = page(person, "/sign-in/set-up")
    secret = soup.select_one("#secret").get_text(strip=True)
    token = soup.find("input", {"name": "csrf_token"})["value"]
    response = person.post(
        "/sign-in/set-up", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token}
    )
    assert response.status_code == 200


def account_table(soup: BeautifulSoup) -> list[list[str]]:
    table = soup.select_one("table[aria-labelledby=accounts-heading]")
    return [
        [" ".join(cell.get_text(" ", strip=True).split()) for cell in row.select("td")]
        for row in table.select("tbody tr")
    ]


def test_auditors_see_who_made_each_clinical_account_and_when_it_was_first_used(
    sign_in, app, outbox
):
    admin_client, admin = sign_in("admin")
    provider = OrganisationFactory(kind="community_treatment_provider")
    db.session.commit()
    keyworker = add_user(
        admin_client, "kit.keyworker@recovery.test", "Kit Keyworker", "keyworker", provider
    )
    # An auditor's account is not clinical: it is not listed.
    add_user(admin_client, "new.auditor@service.test", "New Auditor", "auditor", admin.organisation)
    use_link_and_sign_in(app, outbox.latest_link(keyworker.email))
    response = post_form(admin_client, f"/admin/users/{keyworker.id}/reset-password", {})
    assert response.status_code == 302

    auditor_client, auditor = sign_in("auditor")
    response = auditor_client.get("/audit/break-glass")
    assert response.status_code == 200
    soup = BeautifulSoup(response.data, "html.parser")
    assert soup.select_one("#accounts-heading").get_text(strip=True) == (
        "Clinical accounts made, reset and first used"
    )
    rows = account_table(soup)
    # Newest first; times are shown but not compared.
    assert [row[1:] for row in rows] == [
        ["Password reset: set-up link sent", f"{keyworker.email} Keyworker", admin.email],
        ["First sign-in", f"{keyworker.email} Keyworker", "The account holder"],
        ["Account made: set-up link sent", f"{keyworker.email} Keyworker", admin.email],
    ]
    assert "new.auditor@service.test" not in response.get_data(as_text=True)

    # The page is one audit row, counting what each list showed.
    [listed] = audit_rows(response)
    assert (listed.action, listed.user_id, listed.purpose) == ("list", auditor.id, "audit")
    assert listed.detail == {
        "rows": 0,
        "page": 1,
        "account_events": 3,
        "accounts_page": 1,
    }

    # The rows behind it name the account by id and role only.
    flagged = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_id == str(keyworker.id))
    ).all()
    assert {row.action for row in flagged} >= {"send_set_up_link", "first_sign_in"}
    for row in flagged:
        text = json.dumps(row.detail).lower()
        assert "kit" not in text and "recovery.test" not in text


def test_the_list_says_when_there_is_nothing_to_show(sign_in):
    client, _ = sign_in("auditor")
    soup = page(client, "/audit/break-glass")
    assert soup.select_one("table[aria-labelledby=accounts-heading]") is None
    assert "No clinical account has been made or reset yet." in soup.get_text()


def test_an_account_given_a_clinical_role_starts_again_and_auditors_see_it(sign_in, app, outbox):
    """An administrator who makes a non-clinical account for an address they control, sets it
    up, then gives it a clinical role, must not keep a working password for it (issue: an admin
    must never know a working password of a clinical account)."""
    from caseflow.auth.models import UserSession

    admin_client, admin = sign_in("admin")
    shadow = add_user(
        admin_client, "admin.own@service.test", "Shadow", "auditor", admin.organisation
    )
    use_link_and_sign_in(app, outbox.latest_link(shadow.email))
    prison = OrganisationFactory(kind="prison")
    db.session.commit()
    links_before = len(outbox.links(shadow.email))

    response = post_form(
        admin_client,
        f"/admin/users/{shadow.id}/edit",
        {"role": "prison_healthcare", "organisation": str(prison.id)},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert shadow.role == "prison_healthcare"
    assert shadow.password_hash is None and shadow.totp_secret is None
    assert (
        db.session.scalar(
            select(func.count()).select_from(UserSession).where(UserSession.user_id == shadow.id)
        )
        == 0
    )
    assert len(outbox.links(shadow.email)) == links_before + 1

    auditor, _ = sign_in("auditor")
    rows = account_table(BeautifulSoup(auditor.get("/audit/break-glass").data, "html.parser"))
    assert any("Given a clinical role" in " ".join(row) for row in rows), rows
