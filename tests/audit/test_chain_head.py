"""The chain's head (migration 0025): the row each new audit row is sealed after.

Sealing reads the previous hash from the head, which the database moves on with every row the
log takes, so the head must always be the log's last row; a log upgraded with rows in it must go
on from its last row; and with the head gone nothing can be sealed, so nothing is written.
"""

from datetime import UTC, datetime

import flask_migrate
import pytest
from sqlalchemy import select, text

from caseflow.audit import services as audit
from caseflow.audit.chain import ChainHeadMissing
from caseflow.audit.models import AuditChainHead, AuditEvent
from caseflow.extensions import db
from tests.audit.chain_helpers import expected_hash, stored_rows, tamper
from tests.conftest import make_test_app


def _verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def _head() -> tuple:
    head = db.session.execute(select(AuditChainHead.last_id, AuditChainHead.last_hash)).one()
    return tuple(head)


def test_the_head_is_the_log_s_last_row_after_every_write():
    for rows in (1, 3):
        for number in range(rows):
            audit.record("view", entity_type="page", entity_id=f"{rows} {number}")
        db.session.commit()
        last = stored_rows()[-1]
        assert _head() == (last["id"], last["chain_hash"])


def test_rows_written_after_the_newest_were_removed_do_not_follow_what_is_left(app):
    for number in range(3):
        audit.record("view", entity_type="page", entity_id=str(number))
    db.session.commit()
    kept = stored_rows()[-3]["id"]
    tamper("DELETE FROM audit_events WHERE id > :id", id=kept)
    audit.record("view", entity_type="page", entity_id="after")
    db.session.commit()
    after = stored_rows()[-1]

    result = _verify(app)

    # Even with no checkpoint to compare, the next row written shows that rows were removed.
    assert result.exit_code == 1, result.output
    assert f"BROKEN at row id {after['id']}" in result.output


def test_with_the_head_gone_no_audit_row_is_written():
    before = db.session.scalar(select(db.func.count()).select_from(AuditEvent))
    db.session.execute(text("DELETE FROM audit_chain_head"))
    audit.record("view", entity_type="page", entity_id="refused")
    with pytest.raises(ChainHeadMissing):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)) == before


def _write_rows_before_the_head(app, count: int) -> None:
    """Rows sealed as Caseflow seals them, written into the log as it was before migration 0025."""
    with app.app_context():
        previous = ""
        for number in range(1, count + 1):
            row = {
                "id": number,
                "occurred_at": datetime(2026, 11, 2, 9, 0, number, tzinfo=UTC),
                "action": "view",
                "entity_type": "page",
                "entity_id": str(number),
                "outcome": "success",
                "detail": None,
                **{name: None for name in ("request_id", "user_id", "role", "organisation_id")},
                **{name: None for name in ("person_id", "purpose")},
            }
            sealed = expected_hash(previous, row)
            db.session.execute(
                text(
                    "INSERT INTO audit_events (id, occurred_at, action, entity_type, entity_id, "
                    "outcome, chain_hash) VALUES (:id, :at, 'view', 'page', :entity, 'success', "
                    ":hash)"
                ),
                {
                    "id": number,
                    "at": row["occurred_at"],
                    "entity": row["entity_id"],
                    "hash": sealed,
                },
            )
            previous = sealed
        if db.engine.dialect.name == "postgresql":
            db.session.execute(
                text("SELECT setval(pg_get_serial_sequence('audit_events', 'id'), :n)"),
                {"n": count},
            )
        db.session.commit()


def test_a_log_upgraded_with_rows_in_it_goes_on_from_its_last_row(own_database):
    app = make_test_app(own_database)
    try:
        with app.app_context():
            flask_migrate.upgrade(revision="0024")
        _write_rows_before_the_head(app, 3)
        with app.app_context():
            flask_migrate.upgrade(revision="0025")
            assert _head() == (3, stored_rows()[-1]["chain_hash"])
            flask_migrate.upgrade()
            audit.record("view", entity_type="page", detail={"after": "upgrade"})
            db.session.commit()
            assert stored_rows()[-1]["entity_type"] == "page"
        result = _verify(app)
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[0] == "Audit chain intact: 4 rows"
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
