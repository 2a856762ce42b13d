"""Helpers for the audit chain tests: an independent reading of the chain, and tampering."""

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from caseflow.audit.models import AuditEvent
from caseflow.extensions import db

# Written out here rather than taken from caseflow.audit.chain, so the tests check the form the
# design describes, not whatever the code happens to do. Version 1 rows (written before ids were
# sealed) leave the id out; version 2 rows seal it too.
SEALED_V1 = (
    "action",
    "detail",
    "entity_id",
    "entity_type",
    "occurred_at",
    "organisation_id",
    "outcome",
    "person_id",
    "purpose",
    "request_id",
    "role",
    "user_id",
)
SEALED = tuple(sorted(("id", *SEALED_V1)))


def _text(value):
    if value is None:
        return None
    if isinstance(value, dict | list):
        # detail: the text it was stored as while the column was text (sorted keys, default
        # separators), so rows written before it became JSON still verify.
        return json.dumps(value, sort_keys=True)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return moment.isoformat(timespec="microseconds")
    return str(value)


def _canonical(row, names) -> str:
    return json.dumps(
        {name: _text(row[name]) for name in names}, sort_keys=True, separators=(",", ":")
    )


def expected_hash(previous: str, row) -> str:
    """A new row's hash: "v2." and the unpadded base64url HMAC of "v2." + previous + row."""
    key = current_app.config["AUDIT_CHAIN_KEY"]
    message = "v2." + previous + _canonical(row, SEALED)
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return "v2." + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def expected_v1_hash(previous: str, row) -> str:
    """The hash rows carried before ids were sealed: hex HMAC of previous + row without id."""
    key = current_app.config["AUDIT_CHAIN_KEY"]
    message = previous + _canonical(row, SEALED_V1)
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


# The statement that takes the chain's lock: an UPDATE of its head's one row (migration 0025).
CHAIN_LOCK = "UPDATE audit_chain_head"


def statements_of(call) -> list[str]:
    """The SQL statements call() sends, in order, leaving out the savepoints of the test's own
    rolled-back transaction."""
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    return statements


def chain_held_by_another_transaction() -> bool:
    """Whether the chain is held: a transaction of another connection cannot lock its head."""
    engine = create_engine(current_app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1 FROM audit_chain_head FOR UPDATE NOWAIT"))
            return False
    except OperationalError:
        return True
    finally:
        engine.dispose()


def stored_rows() -> list:
    return list(db.session.execute(select(AuditEvent.__table__).order_by(AuditEvent.id)).mappings())


def tamper(sql: str, **params) -> None:
    """Change the log behind the application's back, as someone with database access might.

    The append-only triggers refuse this, so they are set aside for this statement only: on
    PostgreSQL by replica mode (the postgres superuser may set it), on SQLite by dropping the
    triggers inside the test's transaction, which the end of the test rolls back.
    """
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        connection.execute(text(sql), params)
        connection.exec_driver_sql("SET LOCAL session_replication_role = origin")
    else:
        for trigger in ("audit_events_no_update", "audit_events_no_delete"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
        connection.execute(text(sql), params)
    db.session.expire_all()
