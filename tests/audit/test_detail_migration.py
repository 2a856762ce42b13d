"""The audit log's detail becomes JSON (migration 0008) and every row is kept: `flask audit
verify` passes on a log with data before the upgrade, after it, and after going back down."""

import json
from datetime import UTC, datetime

import flask_migrate
from sqlalchemy import text

from caseflow.audit import services as audit
from caseflow.extensions import db
from tests.audit.chain_helpers import expected_hash
from tests.conftest import make_test_app

# Details as Caseflow wrote them while the column was text: json.dumps with sorted keys.
DETAILS = [
    {"page": "person"},
    {"change": "release_recorded", "fields": ["actual_release_date", "release_type"]},
    {"by": ["nhs_number"], "results": 0, "note": "Zoë's café"},
]


def _verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def _write_text_rows(app) -> None:
    with app.app_context():
        previous = ""
        for number, detail in enumerate(DETAILS, start=1):
            row = {
                "id": number,
                "occurred_at": datetime(2026, 11, 1, 9, 0, number, tzinfo=UTC),
                "action": "view",
                "entity_type": "test",
                "entity_id": str(number),
                "outcome": "success",
                "detail": detail,
                **{name: None for name in ("request_id", "user_id", "role", "organisation_id")},
                **{name: None for name in ("person_id", "purpose")},
            }
            sealed = expected_hash(previous, row)
            db.session.execute(
                text(
                    "INSERT INTO audit_events (id, occurred_at, action, entity_type, entity_id, "
                    "outcome, detail, chain_hash) VALUES (:id, :at, 'view', 'test', :entity, "
                    "'success', :detail, :hash)"
                ),
                {
                    "id": number,
                    "at": row["occurred_at"],
                    "entity": row["entity_id"],
                    "detail": json.dumps(detail, sort_keys=True),
                    "hash": sealed,
                },
            )
            previous = sealed
        if db.engine.dialect.name == "postgresql":
            db.session.execute(
                text("SELECT setval(pg_get_serial_sequence('audit_events', 'id'), 3)")
            )
        db.session.commit()


def test_the_log_verifies_before_and_after_detail_becomes_json(own_database):
    app = make_test_app(own_database)
    try:
        with app.app_context():
            flask_migrate.upgrade(revision="0007")
        _write_text_rows(app)
        before = _verify(app)
        assert before.exit_code == 0, before.output
        assert before.output.splitlines()[0] == "Audit chain intact: 3 rows"

        with app.app_context():
            flask_migrate.upgrade(revision="0008")
            kept = db.session.execute(text("SELECT detail FROM audit_events ORDER BY id")).all()
            assert [
                json.loads(value) if isinstance(value, str) else value for (value,) in kept
            ] == DETAILS
        between = _verify(app)
        assert between.exit_code == 0, between.output
        assert between.output.splitlines()[0] == "Audit chain intact: 3 rows"

        # Rows are written by the code of today, on the schema of today.
        with app.app_context():
            flask_migrate.upgrade()
            audit.record("view", entity_type="page", detail={"page": "après", "rows": 2})
            db.session.commit()
        after = _verify(app)
        assert after.exit_code == 0, after.output
        assert after.output.splitlines()[0] == "Audit chain intact: 4 rows"

        with app.app_context():
            flask_migrate.downgrade(revision="0007")
        back = _verify(app)
        assert back.exit_code == 0, back.output
        assert back.output.splitlines()[0] == "Audit chain intact: 4 rows"
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
