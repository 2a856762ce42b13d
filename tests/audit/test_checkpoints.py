"""The chain's head published outside the database: removing the newest rows, or all of them,
no longer leaves a log that `flask audit verify` calls intact."""

import json
import logging
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from caseflow.audit import checkpoint_lines, checkpoints
from caseflow.audit import services as audit
from caseflow.audit.models import AuditEvent
from caseflow.extensions import db
from caseflow.models import utcnow
from tests.audit.chain_helpers import tamper
from tests.factories import person_in_custody_at
from tests.helpers import audit_rows

EVERY_ROWS = 5  # TestConfig.AUDIT_CHECKPOINT_EVERY_ROWS


@pytest.fixture
def checkpoint_file(app, tmp_path, monkeypatch):
    """A checkpoint file of this test's own, and a process that has published nothing yet."""
    path = tmp_path / "audit-checkpoints.jsonl"
    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_FILE", str(path))
    monkeypatch.setitem(app.extensions, checkpoints.STATE_KEY, checkpoints.Publisher())
    assert app.config["AUDIT_CHECKPOINT_EVERY_ROWS"] == EVERY_ROWS
    return path


def write_rows(app, count: int) -> list[int]:
    """count audit rows, each written and committed in an application context of its own, the
    way each request writes its rows; checkpoints are published as each context ends."""
    ids = []
    for number in range(count):
        with app.app_context():
            event = audit.record("view", entity_type="page", entity_id=f"row {number}")
            db.session.commit()
            ids.append(event.id)
    return ids


def published(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def verify(app, *args):
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


def table_head() -> tuple[int, int]:
    rows = db.session.scalar(select(func.count()).select_from(AuditEvent))
    return rows, db.session.scalar(select(func.max(AuditEvent.id)))


def test_a_checkpoint_is_published_for_the_first_rows_then_every_n_rows(app, checkpoint_file):
    first = write_rows(app, 1)
    (checkpoint,) = published(checkpoint_file)
    rows, last_id = table_head()
    assert (checkpoint["rows"], checkpoint["last_id"]) == (rows, last_id) == (rows, first[0])
    assert checkpoint["last_hash"] == db.session.get(AuditEvent, first[0]).chain_hash

    write_rows(app, EVERY_ROWS - 1)
    assert len(published(checkpoint_file)) == 1, "fewer than N rows since the last checkpoint"
    more = write_rows(app, 1)
    assert len(published(checkpoint_file)) == 2
    rows, last_id = table_head()
    assert (published(checkpoint_file)[-1]["rows"], published(checkpoint_file)[-1]["last_id"]) == (
        rows,
        more[0],
    )
    assert verify(app).exit_code == 0


def test_a_checkpoint_is_published_every_m_minutes_while_the_log_grows(
    app, checkpoint_file, monkeypatch
):
    write_rows(app, 2)
    assert len(published(checkpoint_file)) == 1
    minutes = app.config["AUDIT_CHECKPOINT_EVERY_MINUTES"]
    later = utcnow() + timedelta(minutes=minutes, seconds=1)
    monkeypatch.setattr(checkpoints, "utcnow", lambda: later)
    write_rows(app, 1)
    assert len(published(checkpoint_file)) == 2
    assert published(checkpoint_file)[-1]["rows"] == table_head()[0]


def test_deleting_the_newest_rows_after_a_checkpoint_fails_verify_and_names_the_gap(
    app, checkpoint_file
):
    ids = write_rows(app, EVERY_ROWS + 1)  # checkpoints after the first row and the sixth
    assert published(checkpoint_file)[-1]["last_id"] == ids[-1]
    rows = published(checkpoint_file)[-1]["rows"]
    tamper("DELETE FROM audit_events WHERE id >= :id", id=ids[-3])

    result = verify(app)

    assert result.exit_code == 1, result.output
    assert "intact" not in result.output
    assert f"3 rows after row id {ids[-4]} are missing" in result.output
    assert f"says the log held {rows} rows up to row id {ids[-1]}" in result.output


def test_rows_written_after_the_newest_were_deleted_do_not_hide_the_gap(app, checkpoint_file):
    ids = write_rows(app, EVERY_ROWS + 1)
    tamper("DELETE FROM audit_events WHERE id >= :id", id=ids[-2])
    # The application goes on writing: the new rows take later ids and chain to the chain's
    # head, the last row removed, and checkpoints are published for them.
    write_rows(app, EVERY_ROWS + 3)
    assert published(checkpoint_file)[-1]["last_id"] > ids[-1]

    result = verify(app)

    assert result.exit_code == 1, result.output
    assert "intact" not in result.output
    assert f"2 rows after row id {ids[-3]} are missing" in result.output


def test_deleting_every_row_after_a_checkpoint_fails_verify(app, checkpoint_file):
    ids = write_rows(app, 3)
    (checkpoint,) = published(checkpoint_file)
    tamper("DELETE FROM audit_events")

    result = verify(app)

    assert result.exit_code == 1, result.output
    assert "Audit log EMPTY" in result.output
    assert f"says the log held {checkpoint['rows']} rows up to row id {ids[0]}" in result.output


def test_an_intact_log_matches_its_newest_checkpoint(app, checkpoint_file):
    ids = write_rows(app, EVERY_ROWS + 2)
    rows, _ = table_head()
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"Audit chain intact: {rows} rows"
    assert "newest of 2 checkpoints" in result.output
    assert f"up to row id {ids[EVERY_ROWS]}" in result.output


@pytest.mark.parametrize("forgery", ["altered", "other key"])
def test_a_forged_checkpoint_fails_verify(app, checkpoint_file, forgery):
    write_rows(app, EVERY_ROWS + 1)
    lines = checkpoint_file.read_text().splitlines()
    newest = json.loads(lines[-1])
    if forgery == "altered":
        # Claims fewer rows, so deleting the newest would pass if the claim were believed.
        forged = json.dumps({**newest, "rows": newest["rows"] - 1})
    else:
        claim = checkpoints.Checkpoint(
            rows=1, last_id=newest["last_id"], last_hash=newest["last_hash"], at=utcnow()
        )
        forged = checkpoint_lines.signed_line(uuid.uuid4().bytes * 2, claim)
    checkpoint_file.write_text("\n".join([*lines, forged]) + "\n")

    result = verify(app)

    assert result.exit_code == 1, result.output
    assert f"line {len(lines) + 1} of {checkpoint_file}" in result.output
    assert "forged or altered" in result.output
    assert "intact" not in result.output


def test_an_unreadable_checkpoint_line_fails_verify(app, checkpoint_file):
    write_rows(app, 1)
    with checkpoint_file.open("a") as handle:
        handle.write('{"rows": 3, "last_id"\n')
    result = verify(app)
    assert result.exit_code == 1, result.output
    assert f"line 2 of {checkpoint_file} is not a checkpoint Caseflow wrote" in result.output


def test_the_application_log_holds_checkpoints_verify_can_read(app, tmp_path, monkeypatch, caplog):
    # Production keeps the log in a store the database's owner cannot write; here, no file.
    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_FILE", None)
    monkeypatch.setitem(app.extensions, checkpoints.STATE_KEY, checkpoints.Publisher())
    with caplog.at_level(logging.INFO, logger=checkpoints.logger.name):
        ids = write_rows(app, EVERY_ROWS + 1)
    lines = [r.getMessage() for r in caplog.records if r.name == checkpoints.logger.name]
    assert len(lines) == 2 and all(line.startswith("audit checkpoint {") for line in lines)
    exported = tmp_path / "exported.log"
    # As a log store gives them back: plain text, or JSON records, among other lines.
    exported.write_text(
        f"2026-01-01T00:00:00Z app-1 INFO caseflow: {lines[0]}\n"
        + json.dumps({"time": "2026-01-01T00:00:01Z", "level": "INFO", "message": lines[1]})
        + "\n"
        + json.dumps({"time": "2026-01-01T00:00:02Z", "message": "GET / 200"})
        + "\n2026-01-01T00:00:03Z app-1 INFO werkzeug: GET / 200\n"
    )
    tamper("DELETE FROM audit_events WHERE id = :id", id=ids[-1])

    assert verify(app).exit_code == 0, "without the export, nothing shows the gap"
    result = verify(app, "--checkpoints", str(exported))

    assert result.exit_code == 1, result.output
    assert f"1 row after row id {ids[-2]} is missing" in result.output


def test_a_failed_publish_never_fails_the_request_and_is_tried_again(
    app, sign_in, tmp_path, monkeypatch, caplog
):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_FILE", str(blocked / "checkpoints.jsonl"))
    monkeypatch.setitem(app.extensions, checkpoints.STATE_KEY, checkpoints.Publisher())
    monkeypatch.setattr(checkpoints, "RETRY_SECONDS", 0)  # the next request is the next chance
    client, user = sign_in("prison_healthcare", email="wren.checkpoint@example.test")
    person = person_in_custody_at(user.organisation)
    db.session.commit()

    with caplog.at_level(logging.INFO, logger=checkpoints.logger.name):
        response = client.get(f"/people/{person.id}")

    assert response.status_code == 200
    assert len(audit_rows(response)) == 1, "the request's own rows are committed all the same"
    warning = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage().split(" (")[0] for r in warning] == [
        f"Audit checkpoint at row id {table_head()[1]} not written to the checkpoint file"
    ]
    assert "wren" not in caplog.text and str(person.id) not in caplog.text

    moved = tmp_path / "checkpoints.jsonl"
    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_FILE", str(moved))
    assert client.get(f"/people/{person.id}").status_code == 200
    assert published(moved)[-1]["last_id"] == table_head()[1]


def _redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_reachable(), reason="Redis is not running on 127.0.0.1:6379")
def test_checkpoints_go_to_redis_when_configured_and_verify_reads_them(app, monkeypatch):
    import redis

    key = f"caseflow:test:audit:checkpoints:{uuid.uuid4().hex}"
    url = "redis://127.0.0.1:6379/14"
    monkeypatch.setattr(checkpoints, "REDIS_KEY", key)
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_FILE", None)
    monkeypatch.setitem(app.extensions, checkpoints.STATE_KEY, checkpoints.Publisher())
    client = redis.Redis.from_url(url)
    try:
        ids = write_rows(app, EVERY_ROWS + 1)
        stored = [json.loads(m) for m in client.zrange(key, 0, -1)]
        assert [c["last_id"] for c in stored] == [ids[0], ids[-1]]
        tamper("DELETE FROM audit_events WHERE id >= :id", id=ids[-2])

        result = verify(app)

        assert result.exit_code == 1, result.output
        assert f"2 rows after row id {ids[-3]} are missing" in result.output
    finally:
        client.delete(key)


def test_a_restarted_process_counts_on_from_the_last_checkpoint(app, checkpoint_file):
    write_rows(app, 2)
    # A new process: nothing in memory, the file read back.
    app.extensions[checkpoints.STATE_KEY] = checkpoints.Publisher()
    write_rows(app, EVERY_ROWS - 1)
    assert len(published(checkpoint_file)) == 2
    rows, last_id = table_head()
    assert (published(checkpoint_file)[-1]["rows"], published(checkpoint_file)[-1]["last_id"]) == (
        rows,
        last_id,
    )
