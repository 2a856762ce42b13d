"""Backup and the restore drill (caseflow.backups): pg_dump, pg_restore into a fresh database,
the audit chain verified against the backup's own checkpoint, every encrypted field opened."""

import secrets

import pytest
from sqlalchemy import text

from caseflow import backups
from caseflow.audit import checkpoints
from caseflow.audit import services as audit
from caseflow.dates import local_today
from caseflow.extensions import db
from tests.factories import PersonFactory

pytestmark = pytest.mark.postgres


def write_rows(count: int) -> None:
    for number in range(count):
        audit.record("view", entity_type="page", entity_id=f"drill {number}")
    db.session.commit()


def databases_named(like: str) -> list[str]:
    return db.session.scalars(
        text("SELECT datname FROM pg_database WHERE datname LIKE :like"), {"like": like}
    ).all()


def test_the_drill_restores_the_newest_backup_verifies_it_and_opens_every_field(
    committed_app, tmp_path, monkeypatch
):
    app = committed_app
    monkeypatch.setitem(app.config, "BACKUP_DIR", str(tmp_path / "backups"))
    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_FILE", str(tmp_path / "checkpoints.jsonl"))
    with app.app_context():
        PersonFactory(address="1 Drill Street", phone="07700 900 001")
        db.session.commit()
        write_rows(3)
        backups.create_backup(app)
        # Written after the backup: not in it, and the checkpoint saying so is not held against it.
        write_rows(2)
        assert checkpoints.publish_head(app).rows == 5
        database = db.engine.url.database

    result = app.test_cli_runner().invoke(args=["backup", "restore-drill"])
    assert result.exit_code == 0, result.output
    output = result.output
    assert "Audit chain intact: 3 rows." in output
    assert "The backup's checkpoint (3 rows up to row id 3): held." in output
    assert "Checkpoints compared: 1." in output
    assert "Encrypted fields opened: " in output and "DO NOT OPEN" not in output
    assert f"audit_partitions.audit_events_{local_today():%Y_%m}" in output
    assert "Restore drill PASSED." in output
    with app.app_context():
        assert databases_named(f"{database}_drill_%") == []  # the copy is dropped

        # Restored with other keys, nothing opens and the chain does not verify.
        dump = backups.latest_backup(tmp_path / "backups")
        [key_id] = app.config["FIELD_KEYS"]
        monkeypatch.setitem(app.config, "FIELD_KEYS", {key_id: secrets.token_bytes(32)})
        monkeypatch.setitem(app.config, "AUDIT_CHAIN_KEY", secrets.token_bytes(32))
        report = backups.restore_drill(app, dump)
    assert not report.passed
    assert report.undecryptable["people.given_name"] == 1
    assert report.undecryptable["people.address"] == 1
    assert report.verification.broken_id == 1
    assert report.rejected  # the backup's checkpoint is not signed under this key
    assert report.decrypted["people.given_name"] == 0
    assert report.rows["people"] == 1
    assert report.rows["audit_events"] == 3
