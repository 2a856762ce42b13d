"""The audit log: one row per access, nothing saved without its row, denials that survive."""

import pytest
from sqlalchemy import func, select

from caseflow.audit import services as audit
from caseflow.audit.models import AuditEvent
from caseflow.extensions import db
from caseflow.organisations.models import Organisation, OrganisationKind
from caseflow.people import services as people
from caseflow.people.models import Person
from tests.factories import TEST_PASSWORD, OrganisationFactory, UserFactory, person_in_custody_at
from tests.helpers import audit_rows, page, post_form

AUDIT_COLUMNS_WITHOUT_VALUES = {
    "id",
    "occurred_at",
    "request_id",
    "user_id",
    "role",
    "organisation_id",
    "action",
    "entity_type",
    "entity_id",
    "person_id",
    "purpose",
    "outcome",
    "detail",
    "chain_hash",
}


def test_audit_rows_carry_who_what_whose_why_and_no_values(sign_in):
    client, user = sign_in("prison_healthcare")
    person = person_in_custody_at(user.organisation, given_name="Perpetua")
    db.session.commit()
    response = client.get(f"/people/{person.id}")
    (row,) = audit_rows(response)
    assert {c.name for c in AuditEvent.__table__.columns} == AUDIT_COLUMNS_WITHOUT_VALUES
    assert (row.user_id, row.role, row.organisation_id) == (
        user.id,
        "prison_healthcare",
        user.organisation_id,
    )
    assert (row.action, row.entity_type, row.entity_id) == ("view", "person", str(person.id))
    assert (row.person_id, row.purpose, row.outcome) == (person.id, "caseload", "success")
    assert row.request_id == response.headers["X-Request-Id"]
    assert row.occurred_at.utcoffset() is None or row.occurred_at.utcoffset().total_seconds() == 0
    assert "Perpetua" not in str(row.detail)


def _recording_fails(_original):
    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    return broken


def _the_database_rejects_the_row(original):
    def without_outcome(*args, **kwargs):
        event = original(*args, **kwargs)
        event.outcome = None  # NOT NULL: the insert fails at commit
        return event

    return without_outcome


@pytest.mark.parametrize("failing", [_recording_fails, _the_database_rejects_the_row])
def test_a_failed_audit_write_saves_nothing(sign_in, monkeypatch, failing):
    client, _ = sign_in("probation")
    monkeypatch.setattr(audit, "_event", failing(audit._event))
    response = post_form(
        client,
        "/people/new",
        {
            "given_name": "Nobody",
            "family_name": "Saved",
            "date_of_birth": ["1", "1", "1980"],
            "sex": "male",
            "ethnic_group": "white",
        },
    )
    assert response.status_code == 500
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0


def test_a_denial_row_survives_the_rollback_of_its_request(sign_in, monkeypatch):
    other_prison = OrganisationFactory(kind=OrganisationKind.PRISON)
    person = person_in_custody_at(other_prison)
    db.session.commit()
    client, _user = sign_in("prison_healthcare")
    original = people.view_person

    def write_then_view(actor, person_id, **kwargs):
        db.session.add(Organisation(name="Written before the denial", kind="court"))
        db.session.flush()
        return original(actor, person_id, **kwargs)

    monkeypatch.setattr(people, "view_person", write_then_view)
    response = client.get(f"/people/{person.id}")
    assert response.status_code == 404
    assert (
        db.session.scalar(
            select(Organisation).where(Organisation.name == "Written before the denial")
        )
        is None
    )
    assert [(r.action, r.person_id) for r in audit_rows(response)] == [("deny", person.id)]


def test_sign_in_success_and_failure_are_audited(client):
    from tests.helpers import csrf_token

    user = UserFactory()
    db.session.commit()
    token = csrf_token(client, "/sign-in")
    failed = client.post(
        "/sign-in",
        data={"email": user.email, "password": "wrong password here!", "csrf_token": token},
    )
    unknown = client.post(
        "/sign-in",
        data={"email": "ghost@test.caseflow.test", "password": TEST_PASSWORD, "csrf_token": token},
    )
    password_only = client.post(
        "/sign-in", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert audit_rows(password_only) == []  # half-way is not signed in
    from tests.helpers import current_code

    success = client.post(
        "/sign-in/code",
        data={"code": current_code(user), "csrf_token": csrf_token(client, "/sign-in/code")},
    )
    assert [(r.action, r.outcome, r.user_id) for r in audit_rows(failed)] == [
        ("sign_in", "failed", user.id)
    ]
    assert [(r.action, r.outcome, r.user_id) for r in audit_rows(unknown)] == [
        ("sign_in", "failed", None)
    ]
    assert "ghost" not in str(audit_rows(unknown)[0].detail)
    assert [(r.action, r.outcome, r.user_id) for r in audit_rows(success)] == [
        ("sign_in", "success", user.id)
    ]


def test_a_missing_permission_is_a_denial_row(sign_in):
    client, _user = sign_in("keyworker")
    response = client.get("/people/new")
    assert response.status_code == 403
    assert [(r.action, r.outcome, r.entity_id) for r in audit_rows(response)] == [
        ("deny", "denied", "people.new_person")
    ]


def test_the_auditor_sees_recent_events_and_the_look_is_audited(sign_in):
    client, _user = sign_in("auditor")
    response = client.get("/audit/")
    assert response.status_code == 200
    assert [(r.action, r.purpose) for r in audit_rows(response)] == [("list", "audit")]
    soup = page(client, "/audit/")
    assert soup.h1.get_text(strip=True) == "Audit log"
