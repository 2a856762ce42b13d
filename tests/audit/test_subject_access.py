"""Subject access: one export of everything held about a person and everyone who accessed it."""

import json
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from caseflow.audit import services as audit
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.notifications import Notification
from caseflow.people.models import BreakGlassGrant, CaseNote, CustodyChange, CustodyEpisode
from caseflow.referrals.models import ReferralEvent
from tests.factories import (
    AppointmentFactory,
    OrganisationFactory,
    UserFactory,
    person_in_custody_at,
)
from tests.helpers import audit_rows, csrf_token, error_messages, page, post_form

URL = "/audit/subject-access"


def request_export(client, **identifiers):
    token = csrf_token(client, URL)
    data = {"nhs_number": "", "prison_number": "", **identifiers, "csrf_token": token}
    return client.post(URL, data=data)


@pytest.fixture
def auditor(sign_in):
    return sign_in("auditor")


@pytest.fixture
def held():
    """A person with something of every kind on their record, and one access to it."""
    prison = OrganisationFactory(kind="prison", name="HMP Subjectbury")
    nurse = UserFactory(role="prison_healthcare", organisation=prison, display_name="Nurse Ratchet")
    person = person_in_custody_at(
        prison,
        given_name="Philippa",
        family_name="Subjectson",
        nhs_number="4010232137",
        prison_number="B1234CD",
        address="1 Example Street",
    )
    episode = db.session.scalar(select(CustodyEpisode).where(CustodyEpisode.person_id == person.id))
    db.session.add(
        CustodyChange(
            episode=episode,
            kind="expected_release_moved",
            old_value="2025-01-01",
            new_value="2025-02-01",
            changed_by_id=nurse.id,
            reason="Parole board deferred",
        )
    )
    appointment = AppointmentFactory(referral__episode=episode)
    referral = appointment.referral
    referral.risks = "Risk of overdose on release"
    db.session.add(
        ReferralEvent(
            referral_id=referral.id,
            person_id=person.id,
            kind="send",
            from_status="draft",
            to_status="sent",
            actor_id=nurse.id,
            organisation_id=prison.id,
            reason="Sent before release",
        )
    )
    db.session.add(
        Notification(
            user_id=nurse.id,
            record_type="referral",
            record_id=referral.id,
            person_id=person.id,
            kind="accept",
        )
    )
    db.session.add(
        CaseNote(
            person_id=person.id,
            author_id=nurse.id,
            organisation_id=prison.id,
            text="Discussed naloxone; agreed to carry a kit",
        )
    )
    keyworker = UserFactory(role="keyworker", display_name="Keyworker Kay")
    db.session.add(
        BreakGlassGrant(
            user_id=keyworker.id,
            organisation_id=keyworker.organisation_id,
            person_id=person.id,
            reason="Seen at the hostel, unresponsive",
            expires_at=utcnow() + timedelta(hours=1),
        )
    )
    audit.record(
        "view", actor=nurse, entity_type="person", entity_id=person.id, person_id=person.id
    )
    audit.record("view", actor=nurse, entity_type="person", entity_id="someone else")
    db.session.commit()
    return {"person": person, "nurse": nurse, "referral": referral, "appointment": appointment}


def test_the_export_holds_the_whole_record_decrypted_and_every_access(auditor, held):
    client, auditor_user = auditor
    person = held["person"]
    response = request_export(client, nhs_number="401 023 2137")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="subject-access-{person.id}-')
    assert "4010232137" not in disposition
    document = json.loads(response.data)

    record = document["person"]
    assert (record["id"], record["given_name"], record["family_name"]) == (
        str(person.id),
        "Philippa",
        "Subjectson",
    )
    assert (record["nhs_number"], record["prison_number"], record["date_of_birth"]) == (
        "4010232137",
        "B1234CD",
        "1985-03-27",
    )
    assert record["address"] == "1 Example Street"
    assert not any(name.endswith("_index") for name in record)

    (episode,) = document["custody_episodes"]
    assert episode["opioid_substitution"] == "methadone"
    assert [change["reason"] for change in episode["changes"]] == ["Parole board deferred"]

    (referral,) = document["referrals"]
    assert referral["id"] == str(held["referral"].id)
    assert referral["risks"] == "Risk of overdose on release"
    assert [event["reason"] for event in referral["events"]] == ["Sent before release"]
    assert [a["id"] for a in referral["appointments"]] == [str(held["appointment"].id)]
    assert [(n["kind"], n["record_type"], n["record_id"]) for n in document["notifications"]] == [
        ("accept", "referral", referral["id"])
    ]

    assert [note["text"] for note in document["case_notes"]] == [
        "Discussed naloxone; agreed to carry a kit"
    ]
    assert [grant["reason"] for grant in document["break_glass"]] == [
        "Seen at the hostel, unresponsive"
    ]

    log = document["access_log"]
    assert [(entry["action"], entry["who"], entry["purpose"]) for entry in log] == [
        ("view", "Nurse Ratchet", "caseload"),
        ("export", auditor_user.display_name, "subject access"),
    ]
    assert log[0]["role"] == "Prison healthcare" and log[0]["organisation"] == "HMP Subjectbury"
    assert log[0]["when_utc"] and log[0]["outcome"] == "success"

    assert document["staff"][str(held["nurse"].id)]["name"] == "Nurse Ratchet"
    assert "HMP Subjectbury" in document["organisations"].values()

    (row,) = audit_rows(response)
    assert (row.action, row.purpose, row.person_id, row.entity_id) == (
        "export",
        "subject access",
        person.id,
        str(person.id),
    )
    detail = row.detail
    assert detail["format"] == "json" and detail["referrals"] == 1 and detail["access_log"] == 2
    assert "Philippa" not in json.dumps(row.detail) and "4010232137" not in json.dumps(row.detail)
    assert log[-1]["id"] == row.id


def test_a_person_is_found_by_prison_number_too(auditor, held):
    client, _ = auditor
    response = request_export(client, prison_number="b1234cd")
    assert response.status_code == 200
    assert json.loads(response.data)["person"]["id"] == str(held["person"].id)


@pytest.mark.parametrize(
    ("identifiers", "message"),
    [
        ({}, "Enter an NHS number or a prison number"),
        ({"nhs_number": "12345"}, "Enter a valid NHS number"),
        ({"prison_number": "12345"}, "Enter a prison number in the correct format"),
        ({"nhs_number": "999 765 4323"}, "No one with this NHS number is held in Caseflow"),
        ({"prison_number": "Z9999ZZ"}, "No one with this prison number is held in Caseflow"),
        (
            {"nhs_number": "401 023 2137", "prison_number": "Z9999ZZ"},
            "No one with this prison number is held in Caseflow",
        ),
        ({"nhs_number": "\x00" * 5 + "\u202e" * 300}, "Enter a valid NHS number"),
    ],
)
def test_bad_or_unknown_identifiers_are_a_message_beside_the_field(
    auditor, held, identifiers, message
):
    client, _ = auditor
    response = request_export(client, **identifiers)
    assert response.status_code == 200 and response.mimetype == "text/html"
    soup = BeautifulSoup(response.data, "html.parser")
    assert any(text.startswith(message) for text in error_messages(soup)), error_messages(soup)
    assert message in soup.select_one(".govuk-error-summary").get_text()
    assert "Philippa" not in soup.get_text()


def test_a_search_that_finds_no_one_is_audited(auditor, held):
    client, _ = auditor
    response = request_export(client, nhs_number="999 765 4323")
    (row,) = audit_rows(response)
    assert (row.action, row.purpose, row.person_id) == ("search", "subject access", None)
    assert row.detail == {"by": ["nhs_number"], "results": 0}


def test_the_form_page_names_no_one_and_keeps_identifiers_out_of_the_url(auditor, held):
    client, _ = auditor
    soup = page(client, URL)
    form = soup.find("input", {"name": "nhs_number"}).find_parent("form")
    assert form["method"] == "post" and not form.get("action")
    assert soup.find("label", {"for": "nhs_number"}) and soup.find(
        "label", {"for": "prison_number"}
    )
    ignored = client.get(f"{URL}?nhs_number=4010232137")
    assert ignored.status_code == 200 and ignored.mimetype == "text/html"
    assert audit_rows(ignored) == []
    response = post_form(client, URL, {"nhs_number": "4010232137"})
    assert response.status_code == 200
    assert "nhs_number" not in response.request.url


def test_every_table_linked_to_a_person_is_exported_or_named_with_a_reason(app):
    """Walks the model registry, as key rotation finds encrypted columns: a new table that
    links to a person, directly or through a record that does, fails here until its domain
    registers it for subject access (caseflow/personal_data.py)."""
    from caseflow.models import Base
    from caseflow.personal_data import NOT_EXPORTED, holdings

    tables = {mapper.local_table.name: mapper for mapper in Base.registry.mappers}
    linked = {"people"}
    grew = True
    while grew:
        grew = False
        for name, mapper in tables.items():
            if name in linked:
                continue
            targets = {fk.column.table.name for fk in mapper.local_table.foreign_keys}
            names_person = any(column.name == "person_id" for column in mapper.local_table.columns)
            if targets & linked - {"users", "organisations"} or names_person:
                linked.add(name)
                grew = True
    exported = {holding.model.__tablename__ for holding in holdings()}
    assert sorted(linked - {"people"} - exported - set(NOT_EXPORTED)) == []
    assert exported & set(NOT_EXPORTED) == set()
