"""`flask keys rotate`: every value moves to the current key, in batches that survive a stop."""

import base64
import secrets
from datetime import date, timedelta

import pytest
from sqlalchemy import Text, Uuid, bindparam, select, text

from caseflow.audit.models import AuditEvent
from caseflow.auditor.models import BreakGlassReview
from caseflow.auth.models import User
from caseflow.extensions import db
from caseflow.models import Base, utcnow
from caseflow.people.models import BreakGlassGrant, CaseNote, CustodyChange, Person
from caseflow.referrals.models import ReferralEvent
from caseflow.security import crypto, rotation
from caseflow.security.access import Role
from tests.factories import PersonFactory, ReferralFactory, UserFactory

KEY_A = secrets.token_bytes(32)
KEY_B = secrets.token_bytes(32)

# Every encrypted column today; discovery must find at least these.
KNOWN_COLUMNS = {
    "people.given_name",
    "people.family_name",
    "people.date_of_birth",
    "people.nhs_number",
    "people.prison_number",
    "people.crn",
    "people.pnc_number",
    "people.address",
    "people.phone",
    "custody_changes.reason",
    "case_notes.text",
    "break_glass_grants.reason",
    "referrals.consent_override_reason",
    "referrals.opioid_dose",
    "referrals.risks",
    "referrals.contact_after_release",
    "referral_events.reason",
    "break_glass_reviews.note",
    "users.totp_secret",
}


def _sql(statement: str):
    """Raw SQL with :id bound and id read as a UUID, on PostgreSQL and SQLite alike."""
    query = text(statement)
    if ":id" in statement:
        query = query.bindparams(bindparam("id", type_=Uuid()))
    return query


def _use_keys(app, monkeypatch, keys: dict) -> None:
    monkeypatch.setitem(app.config, "FIELD_KEYS", keys)
    db.session.expire_all()


def _rotate(app, *args: str):
    return app.test_cli_runner().invoke(args=["keys", "rotate", *args])


def _populate(*, people: int = 5, with_break_glass: bool = False) -> None:
    """Records with a value in every kind of encrypted column, written under the key in force;
    the append-only ones (a break-glass grant and its review) only when asked for."""
    for n in range(people):
        PersonFactory(pnc_number=f"2012/00{n}X", address=f"{n} Test Road", phone=f"0770090{n:04d}")
    referral = ReferralFactory(
        consent="overridden",
        consent_override_reason="Lacks capacity; best interests meeting held",
        opioid_dose="60 mg methadone daily",
        risks="Overdose risk on release",
        contact_after_release="Hostel on Test Street",
    )
    db.session.flush()
    actor = db.session.get(User, referral.referred_by_id)
    actor.totp_secret = "JBSWY3DPEHPK3PXP"
    episode = referral.episode
    db.session.add_all(
        [
            ReferralEvent(
                referral_id=referral.id,
                person_id=referral.person_id,
                kind="sent",
                actor_id=actor.id,
                organisation_id=actor.organisation_id,
                reason="Sent before release",
            ),
            CustodyChange(
                episode_id=episode.id,
                kind="expected_release_date",
                changed_by_id=actor.id,
                reason="Parole board decision",
            ),
            *(
                CaseNote(
                    person_id=referral.person_id,
                    author_id=actor.id,
                    organisation_id=actor.organisation_id,
                    text=f"Case note {n}",
                )
                for n in range(3)
            ),
        ]
    )
    if with_break_glass:
        grant = BreakGlassGrant(
            user_id=actor.id,
            organisation_id=actor.organisation_id,
            person_id=referral.person_id,
            reason="Emergency admission",
            expires_at=utcnow() + timedelta(hours=1),
        )
        db.session.add(grant)
        reviewer = UserFactory(role=Role.AUDITOR)
        db.session.flush()
        db.session.add(
            BreakGlassReview(
                grant_id=grant.id,
                reviewer_id=reviewer.id,
                verdict="appropriate",
                note="Clinically justified",
            )
        )
    db.session.commit()


def _encrypted_classes():
    for mapper in Base.registry.mappers:
        names = [
            name
            for klass in mapper.class_.__mro__
            for name, value in vars(klass).items()
            if isinstance(value, crypto.Encrypted)
        ]
        if names:
            yield mapper.class_, names


def _plaintexts() -> dict:
    """Every encrypted value in the database, read through the models (raises if one fails)."""
    db.session.expire_all()
    values = {}
    for cls, names in _encrypted_classes():
        for obj in db.session.scalars(select(cls)):
            for name in names:
                values[(cls.__name__, obj.id, name)] = getattr(obj, name)
    return values


def _raw_values() -> dict:
    """Every stored ciphertext, by table.column and row id, straight from SQL."""
    values = {}
    for place in rotation.encrypted_columns():
        table, column = place.table.name, place.column.name
        query = f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL"  # noqa: S608
        rows = db.session.execute(text(query).columns(id=Uuid, **{column: Text}))
        for row_id, stored in rows:
            values[(place.label, str(row_id))] = stored
    return values


def _key_ids_in_use() -> dict[str, int]:
    counts: dict[str, int] = {}
    for stored in _raw_values().values():
        key_id = crypto.key_id_of(stored)
        counts[key_id] = counts.get(key_id, 0) + 1
    return counts


def test_every_encrypted_attribute_of_every_model_is_found(app):
    found = {place.label for place in rotation.encrypted_columns()}
    assert found >= KNOWN_COLUMNS
    for place in rotation.encrypted_columns():
        assert place.column.name in place.table.c
        assert place.bound_table == place.table.name


def test_dry_run_counts_values_on_old_keys_and_changes_nothing(app, monkeypatch):
    _use_keys(app, monkeypatch, {"ka": KEY_A})
    _populate(people=3)
    _use_keys(app, monkeypatch, {"kb": KEY_B, "ka": KEY_A})
    raw_before = _raw_values()
    people = db.session.scalar(text("SELECT count(*) FROM people"))
    audit_rows = db.session.scalar(text("SELECT count(*) FROM audit_events"))

    result = _rotate(app, "--batch-size", "2")

    assert result.exit_code == 0, result.output
    assert f"people.given_name: {people} on old keys (ka: {people})" in result.output
    assert "case_notes.text: 3 on old keys (ka: 3)" in result.output
    assert f"{len(raw_before)} values on old keys" in result.output
    assert "Dry run: nothing changed" in result.output
    assert "Old key ka is still in use" in result.output
    assert _raw_values() == raw_before
    assert db.session.scalar(text("SELECT count(*) FROM audit_events")) == audit_rows


def test_an_interrupted_rotation_resumes_and_leaves_nothing_on_the_old_key(app, monkeypatch):
    _use_keys(app, monkeypatch, {"ka": KEY_A})
    _populate()
    person_id = db.session.scalar(select(Person.id).limit(1))
    stamp = "SELECT version, updated_at FROM people WHERE id = :id"
    stamp_before = db.session.execute(_sql(stamp), {"id": person_id}).one()
    expected = _plaintexts()
    assert len(expected) >= 50
    assert _key_ids_in_use() == {"ka": len(_raw_values())}

    _use_keys(app, monkeypatch, {"kb": KEY_B, "ka": KEY_A})
    # The first batch of people is cut off half-way, after earlier batches have committed.
    real_batch, real_encrypt = rotation.rotate_batch, crypto.encrypt
    committed, interrupted = [], []

    def encrypt_then_fail(plaintext, **place):
        if interrupted:
            raise RuntimeError("interrupted")
        interrupted.append(place)
        return real_encrypt(plaintext, **place)

    def batch(place, **kwargs):
        if place.table.name == "people":
            monkeypatch.setattr(crypto, "encrypt", encrypt_then_fail)
        result = real_batch(place, **kwargs)
        committed.append(result.rotated)
        return result

    monkeypatch.setattr(rotation, "rotate_batch", batch)
    first = _rotate(app, "--apply", "--batch-size", "2")

    assert isinstance(first.exception, RuntimeError), first.output
    db.session.rollback()  # the process dies: whatever was not committed is lost
    assert "case_notes.text: 2 of 3 re-encrypted" in first.output
    assert "case_notes.text: 3 of 3 re-encrypted" in first.output
    in_use = _key_ids_in_use()
    assert in_use.get("kb", 0) == sum(committed) > 0
    assert in_use["ka"] > 0
    cut = interrupted[0]
    assert _raw_values()[(f"people.{cut['column']}", str(cut["row_id"]))].startswith("v1.ka.")
    assert _plaintexts() == expected

    monkeypatch.setattr(rotation, "rotate_batch", real_batch)
    monkeypatch.setattr(crypto, "encrypt", real_encrypt)
    second = _rotate(app, "--apply", "--batch-size", "2")

    assert second.exit_code == 0, second.output
    assert f"Re-encrypted {in_use['ka']} values with key kb." in second.output
    assert _key_ids_in_use() == {"kb": sum(value is not None for value in expected.values())}
    assert "No value uses ka: it may be retired." in second.output
    assert _plaintexts() == expected
    assert db.session.execute(_sql(stamp), {"id": person_id}).one() == stamp_before
    logged = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.purpose == "key_rotation")
    ).all()
    assert logged and not any("Test Road" in detail for detail in logged)

    again = _rotate(app, "--apply")
    assert again.exit_code == 0 and "0 values on old keys" in again.output

    _use_keys(app, monkeypatch, {"kb": KEY_B})
    assert _plaintexts() == expected


def test_a_rotated_value_is_still_bound_to_its_row(app, monkeypatch):
    _use_keys(app, monkeypatch, {"ka": KEY_A})
    first, second = PersonFactory(family_name="Quennell"), PersonFactory()
    db.session.commit()
    _use_keys(app, monkeypatch, {"kb": KEY_B, "ka": KEY_A})
    assert _rotate(app, "--apply").exit_code == 0

    moved = db.session.scalar(
        _sql("SELECT family_name FROM people WHERE id = :id"), {"id": first.id}
    )
    assert moved.startswith("v1.kb.")
    assert crypto.decrypt(moved, table="people", column="family_name", row_id=first.id) == (
        "Quennell"
    )
    db.session.execute(
        _sql("UPDATE people SET family_name = :value WHERE id = :id"),
        {"value": moved, "id": second.id},
    )
    db.session.expire_all()
    with pytest.raises(crypto.DecryptionError):
        _ = db.session.get(Person, second.id).family_name


def test_append_only_break_glass_grants_and_reviews_stay_on_their_key_and_are_reported(
    app, monkeypatch
):
    _use_keys(app, monkeypatch, {"ka": KEY_A})
    _populate(people=1, with_break_glass=True)
    expected = _plaintexts()
    _use_keys(app, monkeypatch, {"kb": KEY_B, "ka": KEY_A})

    result = _rotate(app, "--apply", "--batch-size", "2")

    assert result.exit_code == 0, result.output
    for label in ("break_glass_grants.reason", "break_glass_reviews.note"):
        assert f"{label}: left on its keys; the database refuses updates" in result.output
    assert (
        "Old key ka is still in use: break_glass_grants.reason (1), break_glass_reviews.note (1)"
    ) in result.output
    assert "may be retired" not in result.output
    left = {label for (label, _), stored in _raw_values().items() if stored.startswith("v1.ka.")}
    assert left == {"break_glass_grants.reason", "break_glass_reviews.note"}
    assert _plaintexts() == expected


def test_a_value_that_does_not_decrypt_is_skipped_reported_and_fails_the_run(app, monkeypatch):
    _use_keys(app, monkeypatch, {"ka": KEY_A})
    readable, altered = PersonFactory(), PersonFactory()
    db.session.commit()
    stored = db.session.scalar(
        _sql("SELECT given_name FROM people WHERE id = :id"), {"id": altered.id}
    )
    version, key_id, payload = stored.split(".", 2)
    raw = bytearray(base64.urlsafe_b64decode(payload))
    raw[-1] ^= 1
    db.session.execute(
        _sql("UPDATE people SET given_name = :value WHERE id = :id"),
        {
            "value": f"{version}.{key_id}.{base64.urlsafe_b64encode(bytes(raw)).decode()}",
            "id": altered.id,
        },
    )
    _use_keys(app, monkeypatch, {"kz": secrets.token_bytes(32)})
    lost = PersonFactory()
    db.session.commit()
    _use_keys(app, monkeypatch, {"kb": KEY_B, "ka": KEY_A})

    result = _rotate(app, "--apply", "--batch-size", "1")

    assert result.exit_code == 1
    assert "people.given_name: 2 values do not decrypt" in result.output
    assert str(altered.id) in result.output and str(lost.id) in result.output
    lines = result.output.splitlines()
    unconfigured = [line for line in lines if line.startswith("Old key kz (not configured) is")]
    assert len(unconfigured) == 1 and "people.given_name" in unconfigured[0]
    assert "Old key ka is still in use: people.given_name (1)" in result.output
    db.session.expire_all()
    assert db.session.get(Person, readable.id).given_name.startswith("Given")
    row = "SELECT given_name, family_name FROM people WHERE id = :id"
    given, family = db.session.execute(_sql(row), {"id": altered.id}).one()
    assert given.startswith("v1.ka.") and family.startswith("v1.kb.")


def test_a_value_changed_while_its_batch_runs_is_kept(app, monkeypatch):
    _use_keys(app, monkeypatch, {"ka": KEY_A})
    person = PersonFactory(phone="07700900001")
    db.session.commit()
    _use_keys(app, monkeypatch, {"kb": KEY_B, "ka": KEY_A})
    real_decrypt = crypto.decrypt

    def decrypt_while_someone_edits(stored, **place):
        if place["column"] == "phone":
            # Someone saves a new phone number between the batch's read and its write.
            edited = crypto.encrypt("07700900002", **place)
            db.session.execute(
                _sql("UPDATE people SET phone = :value WHERE id = :id"),
                {"value": edited, "id": place["row_id"]},
            )
        return real_decrypt(stored, **place)

    monkeypatch.setattr(crypto, "decrypt", decrypt_while_someone_edits)
    result = _rotate(app, "--apply")
    monkeypatch.setattr(crypto, "decrypt", real_decrypt)

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Person, person.id).phone == "07700900002"
    assert db.session.get(Person, person.id).date_of_birth == date(1985, 3, 27)
    assert _key_ids_in_use() == {"kb": len(_raw_values())}


def test_the_batch_size_must_be_positive(app):
    result = _rotate(app, "--batch-size", "0")
    assert result.exit_code == 2
