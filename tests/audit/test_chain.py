"""The tamper-evident chain: each row sealed to the one before, and `flask audit verify`."""

import uuid
from datetime import UTC, datetime, timedelta, timezone

import flask_migrate
import pytest
from sqlalchemy import event, func, select, text

from caseflow.audit import chain
from caseflow.audit import services as audit
from caseflow.audit.models import AuditEvent
from caseflow.extensions import db
from caseflow.people.models import Person
from tests.audit.chain_helpers import (
    CHAIN_LOCK,
    expected_hash,
    expected_v1_hash,
    stored_rows,
    tamper,
)
from tests.conftest import make_test_app
from tests.helpers import csrf_token


def write_rows(count: int, **fields) -> list[AuditEvent]:
    """count audit rows through the one way rows are written, committed one at a time."""
    events = []
    for number in range(count):
        events.append(
            audit.record(
                "view", entity_type="page", entity_id=f"row {number}", purpose="audit", **fields
            )
        )
        db.session.commit()
    return events


def verify(app, *args):
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


def previous_of(rows, index: int) -> str:
    return rows[index - 1]["chain_hash"] if index else ""


def test_each_row_is_sealed_to_the_row_before_it(app):
    write_rows(3)
    rows = stored_rows()
    assert len(rows) >= 3
    for index, row in enumerate(rows):
        assert row["chain_hash"] == expected_hash(previous_of(rows, index), row), row["id"]


def test_rows_flushed_together_chain_to_each_other_in_the_order_they_were_added(app):
    first = audit.record("view", entity_type="page", entity_id="first")
    second = audit.record("view", entity_type="page", entity_id="second")
    third = audit.record("view", entity_type="page", entity_id="third")
    db.session.flush()
    assert first.id < second.id < third.id
    rows = stored_rows()
    by_id = {row["id"]: index for index, row in enumerate(rows)}
    for obj in (first, second, third):
        index = by_id[obj.id]
        assert rows[index]["chain_hash"] == expected_hash(previous_of(rows, index), rows[index])
    assert len({first.chain_hash, second.chain_hash, third.chain_hash}) == 3


def test_the_sealed_time_is_the_stored_time_whatever_zone_it_was_given_in(app):
    new_york = timezone(timedelta(hours=-5))
    written = audit.record("view", entity_type="page")
    written.occurred_at = datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=new_york)
    db.session.commit()
    db.session.expire_all()
    (row,) = [row for row in stored_rows() if row["id"] == written.id]
    stored = row["occurred_at"]
    stored = stored.replace(tzinfo=UTC) if stored.tzinfo is None else stored
    assert stored == datetime(2025, 1, 2, 8, 4, 5, 678901, tzinfo=UTC)
    assert chain.verify(db.session).intact


def test_changing_any_sealed_column_changes_the_hash(app):
    row = {name: None for name in chain.SEALED_NAMES}
    row.update(action="view", outcome="success", occurred_at=datetime(2025, 1, 1, tzinfo=UTC))
    key = app.config["AUDIT_CHAIN_KEY"]
    original = chain.seal(key, "", row)
    assert original == expected_hash("", row)
    for name in chain.SEALED_NAMES:
        changed = dict(row)
        if name == "occurred_at":
            changed[name] = datetime(2025, 1, 1, 0, 0, 0, 1, tzinfo=UTC)
        elif name.endswith("_id") and name != "entity_id":
            changed[name] = uuid.uuid4()
        else:
            changed[name] = "x"
        assert chain.seal(key, "", changed) != original, name
    assert chain.seal(key, "0" * 64, row) != original
    assert chain.seal(b"another key" * 3, "", row) != original


@pytest.mark.postgres
def test_the_chain_is_locked_as_its_tail_is_read_and_the_id_drawn_before_the_insert(app):
    statements: list[str] = []
    connection = db.engine  # the test's connection, which every session here uses

    def remember(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", remember)
    try:
        audit.record("view", entity_type="page")
        db.session.flush()
    finally:
        event.remove(connection, "before_cursor_execute", remember)
    lock = next(i for i, s in enumerate(statements) if s.startswith(CHAIN_LOCK))
    insert = next(i for i, s in enumerate(statements) if s.startswith("INSERT INTO audit_events"))
    # One statement locks the head's row and returns its hash and the new ids; its RETURNING is
    # computed once the row is locked, so both are read inside the lock, before the row is
    # sealed and inserted.
    assert "RETURNING" in statements[lock] and "nextval" in statements[lock]
    assert lock < insert


def test_verify_reports_an_intact_chain(app):
    write_rows(4)
    total = db.session.scalar(select(func.count()).select_from(AuditEvent))
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"Audit chain intact: {total} rows"


def test_verify_names_a_row_altered_in_the_database(app):
    events = write_rows(5)
    altered = events[2].id
    tamper("UPDATE audit_events SET action = 'list' WHERE id = :id", id=altered)
    result = verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at row id {altered}:" in result.output
    assert "intact" not in result.output


def test_verify_names_a_row_whose_hash_was_replaced(app):
    events = write_rows(3)
    forged = expected_hash("", stored_rows()[-2])
    tamper(
        "UPDATE audit_events SET chain_hash = :hash WHERE id = :id", hash=forged, id=events[1].id
    )
    result = verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at row id {events[1].id}:" in result.output


def test_changing_a_rows_id_breaks_the_chain_at_that_row(app):
    events = write_rows(3)
    newest = events[-1].id
    moved = newest + 1000  # still the last row, so nothing else about the chain changes
    tamper("UPDATE audit_events SET id = :moved WHERE id = :id", moved=moved, id=newest)
    result = verify(app)
    assert result.exit_code == 1, result.output
    assert f"BROKEN at row id {moved}:" in result.output
    assert f"does not follow row id {events[1].id}" in result.output


def test_changing_a_rows_time_breaks_the_chain_at_that_row(app):
    events = write_rows(3)
    later = stored_rows()[-2]["occurred_at"] + timedelta(microseconds=1)
    tamper("UPDATE audit_events SET occurred_at = :at WHERE id = :id", at=later, id=events[1].id)
    result = verify(app)
    assert result.exit_code == 1, result.output
    assert f"BROKEN at row id {events[1].id}:" in result.output


def test_a_row_sealed_the_old_way_after_the_new_way_is_a_break(app):
    events = write_rows(2)
    previous = stored_rows()[-1]["chain_hash"]
    row = {
        "occurred_at": datetime(2025, 1, 1, tzinfo=UTC),
        "action": "view",
        "outcome": "success",
        **{name: None for name in ("request_id", "user_id", "role", "organisation_id")},
        **{name: None for name in ("entity_type", "entity_id", "person_id", "purpose", "detail")},
    }
    # A correct hash in the form used before ids were sealed: Caseflow no longer writes them.
    tamper(
        "INSERT INTO audit_events (occurred_at, action, outcome, chain_hash) "
        "VALUES (:when, 'view', 'success', :hash)",
        when="2025-01-01 00:00:00.000000+00:00",
        hash=expected_v1_hash(previous, row),
    )
    newest = db.session.scalar(select(func.max(AuditEvent.id)))
    assert newest > events[-1].id
    # The hash is right for that form: the break is the form, not a wrong hash.
    assert stored_rows()[-1]["chain_hash"] == expected_v1_hash(previous, stored_rows()[-1])
    result = verify(app)
    assert result.exit_code == 1, result.output
    assert f"BROKEN at row id {newest}:" in result.output


def _old_row(number: int) -> dict:
    return {
        "occurred_at": datetime(2026, 1, 1, 0, 0, number, tzinfo=UTC),
        "action": "view",
        "entity_type": "test",
        "entity_id": f"old {number}",
        "outcome": "success",
        **{name: None for name in ("request_id", "user_id", "role", "organisation_id")},
        **{name: None for name in ("person_id", "purpose", "detail")},
    }


def test_a_log_written_before_ids_were_sealed_verifies_across_the_upgrade(own_database):
    app = make_test_app(own_database)
    with app.app_context():
        flask_migrate.upgrade(revision="0006")
        # Rows as Caseflow wrote them at that revision: the id drawn at INSERT, after the seal.
        previous = ""
        for number in range(3):
            row = _old_row(number)
            sealed = expected_v1_hash(previous, row)
            db.session.execute(
                text(
                    "INSERT INTO audit_events (occurred_at, action, entity_type, entity_id, "
                    "outcome, chain_hash) VALUES (:at, 'view', 'test', :entity, 'success', :hash)"
                ),
                {
                    "at": f"2026-01-01 00:00:0{number}.000000+00:00",
                    "entity": row["entity_id"],
                    "hash": sealed,
                },
            )
            previous = sealed
        db.session.commit()
    try:
        before = verify(app)
        assert before.exit_code == 0, before.output
        assert before.output.splitlines()[0] == "Audit chain intact: 3 rows"

        with app.app_context():
            flask_migrate.upgrade()
            for number in range(2):
                audit.record("view", entity_type="page", entity_id=f"new {number}")
                db.session.commit()
        after = verify(app)
        assert after.exit_code == 0, after.output
        assert after.output.splitlines()[0] == "Audit chain intact: 5 rows"

        with app.app_context():
            hashes = [row["chain_hash"] for row in stored_rows()]
        assert [len(h) == 64 and not h.startswith("v2.") for h in hashes[:3]] == [True] * 3
        assert all(h.startswith("v2.") for h in hashes[3:])
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_verify_notices_a_middle_row_deleted(app):
    events = write_rows(5)
    tamper("DELETE FROM audit_events WHERE id = :id", id=events[2].id)
    result = verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at row id {events[3].id}:" in result.output
    assert f"does not follow row id {events[1].id}" in result.output


def test_verify_notices_a_row_slipped_in_without_the_key(app):
    events = write_rows(3)
    tamper(
        "INSERT INTO audit_events (occurred_at, action, outcome, chain_hash) "
        "VALUES (:when, 'view', 'success', :hash)",
        when="2025-01-01 00:00:00.000000",
        hash="0" * 64,
    )
    result = verify(app)
    assert result.exit_code == 1
    newest = db.session.scalar(select(func.max(AuditEvent.id)))
    assert newest > events[-1].id
    assert f"BROKEN at row id {newest}:" in result.output


def test_verify_reads_in_batches_and_still_finds_a_break_past_the_first(app):
    events = write_rows(7)
    total = db.session.scalar(select(func.count()).select_from(AuditEvent))
    batch_sizes = []
    original = chain.stored_rows

    def counting(session, batch_size):
        batch_sizes.append(batch_size)
        return original(session, batch_size)

    chain.stored_rows = counting
    try:
        assert verify(app, "--batch-size", "2").output.splitlines()[0] == (
            f"Audit chain intact: {total} rows"
        )
    finally:
        chain.stored_rows = original
    assert batch_sizes == [2]
    tamper("UPDATE audit_events SET purpose = 'other' WHERE id = :id", id=events[5].id)
    result = verify(app, "--batch-size", "2")
    assert result.exit_code == 1
    assert f"BROKEN at row id {events[5].id}:" in result.output


def test_verify_keeps_memory_flat_by_never_asking_for_more_than_a_batch(app, monkeypatch):
    write_rows(5)
    queries = []
    original = db.session.execute

    def spy(statement, *args, **kwargs):
        queries.append(str(statement.compile(compile_kwargs={"literal_binds": True})))
        return original(statement, *args, **kwargs)

    monkeypatch.setattr(db.session, "execute", spy)
    assert chain.verify(db.session, batch_size=2).intact
    reads = [query for query in queries if "FROM audit_events" in query]
    assert len(reads) >= 3
    assert all(query.rstrip().endswith("LIMIT 2") for query in reads), reads


def test_no_audit_row_is_written_without_the_chain_key(app, sign_in, monkeypatch):
    client, _ = sign_in("probation")
    token = csrf_token(client, "/people/new")
    monkeypatch.setitem(app.config, "AUDIT_CHAIN_KEY", None)
    response = client.post(
        "/people/new",
        data={
            "given_name": "Never",
            "family_name": "Sealed",
            "date_of_birth": ["1", "1", "1980"],
            "sex": "male",
            "ethnic_group": "white",
            "csrf_token": token,
        },
    )
    assert response.status_code == 500
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0
