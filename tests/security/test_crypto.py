"""Personal fields are sealed to their row and column, and readable under every configured key."""

import base64
import secrets
import shutil
import subprocess

import pytest
from sqlalchemy import select, text

from caseflow.extensions import db
from caseflow.people.models import Person
from caseflow.security import crypto
from tests.factories import PersonFactory

PLAINTEXT = {
    "given_name": "Marigold",
    "family_name": "Quennell",
    "nhs_number": "9434765919",
    "prison_number": "A1234BC",
    "crn": "X123456",
    "pnc_number": "2012/0052494X",
    "address": "1 Synthetic Street, Birmingham",
    "phone": "07700900123",
}


def _raw_row(person_id) -> dict:
    columns = ", ".join(Person.ENCRYPTED_FIELDS)
    row = db.session.execute(
        text(f"SELECT {columns} FROM people WHERE id = :id"),  # noqa: S608 - fixed column names
        {"id": person_id},
    ).mappings()
    return dict(row.one())


def _make_person(**extra) -> Person:
    from datetime import date

    person = PersonFactory(date_of_birth=date(1990, 7, 14), **{**PLAINTEXT, **extra})
    db.session.commit()
    return person


def test_no_personal_column_holds_plaintext(app):
    person = _make_person()
    raw = _raw_row(person.id)
    assert set(raw) == set(Person.ENCRYPTED_FIELDS)
    for column, stored in raw.items():
        assert stored.startswith("v1."), column
        for value in [*PLAINTEXT.values(), "1990-07-14"]:
            assert value not in stored, (column, value)
    db.session.expire_all()
    reread = db.session.get(Person, person.id)
    assert reread.given_name == "Marigold"
    assert reread.date_of_birth.isoformat() == "1990-07-14"


def test_a_ciphertext_copied_to_another_row_does_not_decrypt(app):
    first = _make_person()
    second = PersonFactory()
    db.session.commit()
    stolen = _raw_row(first.id)["family_name"]
    db.session.execute(
        text("UPDATE people SET family_name = :value WHERE id = :id"),
        {"value": stolen, "id": second.id},
    )
    db.session.expire_all()
    with pytest.raises(crypto.DecryptionError):
        _ = db.session.get(Person, second.id).family_name


def test_a_ciphertext_moved_to_another_column_does_not_decrypt(app):
    person = _make_person()
    stored = _raw_row(person.id)["family_name"]
    db.session.execute(
        text("UPDATE people SET given_name = :value WHERE id = :id"),
        {"value": stored, "id": person.id},
    )
    db.session.expire_all()
    with pytest.raises(crypto.DecryptionError):
        _ = db.session.get(Person, person.id).given_name


def test_an_altered_ciphertext_does_not_decrypt(app):
    person = _make_person()
    stored = _raw_row(person.id)["given_name"]
    version, key_id, payload = stored.split(".", 2)
    raw = bytearray(base64.urlsafe_b64decode(payload))
    raw[-1] ^= 1
    tampered = f"{version}.{key_id}.{base64.urlsafe_b64encode(bytes(raw)).decode()}"
    db.session.execute(
        text("UPDATE people SET given_name = :value WHERE id = :id"),
        {"value": tampered, "id": person.id},
    )
    db.session.expire_all()
    with pytest.raises(crypto.DecryptionError):
        _ = db.session.get(Person, person.id).given_name


def test_with_two_keys_old_rows_read_and_new_writes_use_the_newer(app, monkeypatch):
    old_key_id = next(iter(app.config["FIELD_KEYS"]))
    person = _make_person()
    assert _raw_row(person.id)["given_name"].startswith(f"v1.{old_key_id}.")

    rotated = {"k2": secrets.token_bytes(32), **app.config["FIELD_KEYS"]}
    monkeypatch.setitem(app.config, "FIELD_KEYS", rotated)
    db.session.expire_all()
    old = db.session.get(Person, person.id)
    assert old.family_name == "Quennell"

    newer = PersonFactory(given_name="Rosalind")
    db.session.commit()
    assert _raw_row(newer.id)["given_name"].startswith("v1.k2.")
    old.phone = "07700900999"
    db.session.commit()
    raw_old = _raw_row(person.id)
    assert raw_old["phone"].startswith("v1.k2.")
    assert raw_old["family_name"].startswith(f"v1.{old_key_id}.")


def test_a_value_under_a_retired_key_is_refused_not_misread(app, monkeypatch):
    person = _make_person()
    monkeypatch.setitem(app.config, "FIELD_KEYS", {"k9": secrets.token_bytes(32)})
    db.session.expire_all()
    with pytest.raises(crypto.DecryptionError):
        _ = db.session.get(Person, person.id).given_name


def test_blind_index_is_keyed_and_normalised(app, monkeypatch):
    first = crypto.blind_index("nhs_number", "943 476 5919")
    assert first == crypto.blind_index("nhs_number", "9434765919")
    assert crypto.blind_index("prison_number", "a1234bc") == crypto.blind_index(
        "prison_number", "A1234BC"
    )
    assert crypto.blind_index("name_dob", "  O'Neill ", "1990-01-01") == crypto.blind_index(
        "name_dob", "o'neill", "1990-01-01"
    )
    monkeypatch.setitem(app.config, "BLIND_INDEX_KEY", secrets.token_bytes(32))
    assert crypto.blind_index("nhs_number", "9434765919") != first


def test_blind_indexes_follow_changes(app):
    person = _make_person()
    person.nhs_number = "9990000018"
    db.session.commit()
    found = db.session.scalar(
        select(Person).where(
            Person.nhs_number_index == crypto.blind_index("nhs_number", "9990000018")
        )
    )
    assert found is not None and found.id == person.id


@pytest.mark.postgres
def test_pg_dump_contains_no_demo_name_or_nhs_number(database_url, tmp_path):
    from tests.conftest import make_test_app
    from tests.databases import drop_scratch, scratch_database

    assert shutil.which("pg_dump"), "pg_dump is needed for this test"
    url = scratch_database(database_url, "dump")
    app = make_test_app(url)
    app.instance_path = str(tmp_path)
    try:
        import flask_migrate

        from caseflow import demo

        with app.app_context():
            flask_migrate.upgrade()
            demo.load(people=40)
            db.session.commit()
            people = db.session.scalars(select(Person)).all()
            secrets_held = set()
            for person in people:
                secrets_held.add(f"{person.given_name} {person.family_name}")
                if person.nhs_number:
                    secrets_held.add(person.nhs_number)
            db.engine.dispose()
        dump = subprocess.run(
            ["pg_dump", "--no-owner", url.replace("postgresql://", "postgres://")],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert "INSERT" in dump or "COPY" in dump
        assert len(people) >= 30
        leaked = sorted(value for value in secrets_held if value in dump)
        assert leaked == []
    finally:
        drop_scratch(url)
