"""In production the application's database role does not own what auditors rely on (two roles).

docs/database-roles.sql is applied to a scratch database as it is in production; the role it
gives the application may add rows to every table below and read them, but never change, remove
or empty them, switch off their triggers or drop them. Every table the database keeps
append-only is one of them.
"""

import uuid
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
import psycopg
import pytest
from sqlalchemy.engine import make_url

from caseflow.audit import chain
from caseflow.audit import services as audit
from caseflow.audit.chain import (
    HOLD_THE_HEAD,
    HOLD_THE_HEAD_AND_DRAW_AN_ID,
    HOLD_THE_HEAD_AND_DRAW_IDS,
)
from caseflow.extensions import db
from tests.conftest import make_test_app
from tests.factories import PersonFactory, UserFactory

ROLES_SQL = Path(__file__).resolve().parents[2] / "docs" / "database-roles.sql"
# Roles belong to the whole server, not one database: a name of its own for each run, so runs
# (or pytest-xdist workers) at the same time never drop the role another is using.
APP_ROLE = f"caseflow_app_roles_test_{uuid.uuid4().hex[:8]}"

# What auditors rely on: the log itself, every emergency access granted, and each verdict on one.
AUDITOR_TABLES = ("audit_events", "break_glass_grants", "break_glass_reviews")
COLUMNS = {
    "audit_events": "action",
    "break_glass_grants": "expires_at",
    "break_glass_reviews": "verdict",
}
REFUSED = (
    "UPDATE {table} SET {column} = {column}",
    "DELETE FROM {table}",
    "TRUNCATE {table} CASCADE",
    "ALTER TABLE {table} DISABLE TRIGGER ALL",
    "DROP TABLE {table} CASCADE",
)


def _connect(url: str, user: str | None = None) -> psycopg.Connection:
    parts = make_url(url)
    return psycopg.connect(
        host=parts.host,
        port=parts.port or 5432,
        dbname=parts.database,
        user=user or parts.username,
        autocommit=True,
    )


def _roles_statements() -> list[str]:
    return [
        part.replace(":app", APP_ROLE)
        for part in ROLES_SQL.read_text().split(";")
        if part.strip() and not all(line.startswith("--") for line in part.strip().splitlines())
    ]


def _people_to_refer_to(app) -> dict:
    """Rows the grant and the review point at, made by the owner as the services would."""
    with app.app_context():
        keyworker = UserFactory(role="keyworker")
        auditor = UserFactory(role="auditor")
        person = PersonFactory()
        db.session.commit()
        ids = {
            "user": keyworker.id,
            "organisation": keyworker.organisation_id,
            "person": person.id,
            "reviewer": auditor.id,
            "grant": uuid.uuid4(),
        }
        db.session.remove()
        db.engine.dispose()
    return ids


def _append(connection: psycopg.Connection, table: str, ids: dict) -> None:
    if table == "audit_events":
        connection.execute(
            "INSERT INTO audit_events (occurred_at, action, outcome) "
            "VALUES (now(), 'view', 'success')"
        )
    elif table == "break_glass_grants":
        connection.execute(
            "INSERT INTO break_glass_grants (id, user_id, organisation_id, person_id, reason, "
            "expires_at, created_at, updated_at) "
            "VALUES (%s, %s, %s, %s, 'sealed reason', now() + interval '1 hour', now(), now())",
            (ids["grant"], ids["user"], ids["organisation"], ids["person"]),
        )
    else:
        connection.execute(
            "INSERT INTO break_glass_reviews (id, grant_id, reviewer_id, verdict, "
            "created_at, updated_at) VALUES (%s, %s, %s, 'appropriate', now(), now())",
            (uuid.uuid4(), ids["grant"], ids["reviewer"]),
        )


@pytest.fixture
def app_role(own_database):
    """A migrated database with the application's role set up by docs/database-roles.sql."""
    app = make_test_app(own_database)
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    ids = _people_to_refer_to(app)
    with _connect(own_database) as owner:
        owner.execute(f"DROP ROLE IF EXISTS {APP_ROLE}")
        owner.execute(f"CREATE ROLE {APP_ROLE} LOGIN")
        for statement in _roles_statements():
            owner.execute(statement)
    try:
        with _connect(own_database, APP_ROLE) as connection:
            yield connection, ids
    finally:
        with _connect(own_database) as owner:
            owner.execute(f"DROP OWNED BY {APP_ROLE}")
            owner.execute(f"DROP ROLE {APP_ROLE}")


@pytest.mark.postgres
def test_the_application_role_can_append_to_what_auditors_rely_on_and_nothing_more(app_role):
    connection, ids = app_role
    count = "SELECT count(*) FROM {table}"
    for table in AUDITOR_TABLES:  # in this order: a review names its grant
        _append(connection, table, ids)
        assert connection.execute(count.format(table=table)).fetchone()[0] == 1, table
    for table in AUDITOR_TABLES:
        for statement in REFUSED:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                connection.execute(statement.format(table=table, column=COLUMNS[table]))
        assert connection.execute(count.format(table=table)).fetchone()[0] == 1, table
    # Ordinary tables stay fully usable.
    connection.execute("DELETE FROM user_sessions")


@pytest.mark.postgres
def test_the_application_role_locks_the_chains_head_but_cannot_set_remove_or_add_one(app_role):
    connection, ids = app_role
    # The lock every audit write takes works as the application's role, and the log's trigger
    # still moves the head on to the row it appends.
    connection.execute(str(HOLD_THE_HEAD))
    # And so do the forms that draw the new rows' ids with it, one or several.
    drawn = connection.execute(str(HOLD_THE_HEAD_AND_DRAW_AN_ID)).fetchone()[2]
    several = connection.execute(
        str(HOLD_THE_HEAD_AND_DRAW_IDS).replace(":n", "%(n)s"), {"n": 2}
    ).fetchone()[2]
    assert sorted(several) == [drawn + 1, drawn + 2]
    _append(connection, "audit_events", ids)
    last_id = connection.execute("SELECT max(id) FROM audit_events").fetchone()[0]
    assert connection.execute("SELECT last_id FROM audit_chain_head").fetchone()[0] == last_id
    for statement in (
        "UPDATE audit_chain_head SET last_id = 9223372036854775807",
        "UPDATE audit_chain_head SET last_hash = 'v2.chosen'",
        "DELETE FROM audit_chain_head",
        "TRUNCATE audit_chain_head",
        "INSERT INTO audit_chain_head SELECT * FROM audit_chain_head",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute(statement)
    assert connection.execute("SELECT count(*) FROM audit_chain_head").fetchone()[0] == 1


@pytest.mark.postgres
def test_every_append_only_table_is_one_auditors_rely_on(app_role):
    connection, _ = app_role
    guarded = connection.execute(
        "SELECT DISTINCT c.relname FROM pg_trigger t "
        "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
        "WHERE p.proname = 'caseflow_refuse_change' AND NOT c.relispartition"
    ).fetchall()
    assert {name for (name,) in guarded} == set(AUDITOR_TABLES)


@pytest.mark.postgres
def test_the_application_role_cannot_reach_an_audit_partition_by_name_but_can_make_a_month(
    app_role,
):
    """The audit log's partitions (migration 0020) are read and appended through audit_events
    only; the role may still make a month ahead, as the scheduled job does."""
    connection, ids = app_role
    _append(connection, "audit_events", ids)
    (partition,) = connection.execute(
        "SELECT tableoid::regclass::text FROM audit_events"
    ).fetchone()
    assert partition.startswith("audit_partitions.")
    for statement in (
        "SELECT count(*) FROM {table}",
        "INSERT INTO {table} (occurred_at, action, outcome) VALUES (now(), 'view', 'success')",
        "UPDATE {table} SET action = action",
        "DELETE FROM {table}",
        "TRUNCATE {table}",
        "DROP TABLE {table}",
        "ALTER TABLE audit_events DETACH PARTITION {table}",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute(statement.format(table=partition))
    made = connection.execute("SELECT caseflow_audit_partition('2099-05-17')").fetchone()[0]
    assert made == "audit_events_2099_05"
    assert connection.execute("SELECT count(*) FROM audit_events").fetchone()[0] == 1


# Rows the application's role writes with an id of its own choosing (migration 0026): the head
# must not move to an id the sequence never handed out, nor take a row that is not after it.
def _insert_with_id(connection: psycopg.Connection, row_id: int) -> None:
    connection.execute(
        "INSERT INTO audit_events (id, occurred_at, action, outcome) "
        "VALUES (%s, now(), 'view', 'success')",
        (row_id,),
    )


def _log_and_head(connection: psycopg.Connection) -> tuple:
    ids = [row_id for (row_id,) in connection.execute("SELECT id FROM audit_events ORDER BY id")]
    return ids, connection.execute("SELECT last_id FROM audit_chain_head").fetchone()[0]


@contextmanager
def _caseflow_as_the_role(own_database: str):
    """Caseflow itself connected as the application's role: its writer draws each commit's ids
    from the sequence while it holds the head."""
    app = make_test_app(make_url(own_database).set(username=APP_ROLE).render_as_string(False))
    try:
        with app.app_context():
            yield
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _record_and_commit(rows: int) -> None:
    for number in range(rows):
        audit.record("view", entity_type="page", entity_id=f"{rows} {number}")
    db.session.commit()


@pytest.mark.postgres
def test_an_id_the_sequence_never_handed_out_is_refused_and_nothing_is_written(
    app_role, own_database
):
    connection, _ids = app_role
    # Before the sequence has handed out any id, even the first it would hand out is not yet
    # Caseflow's; once it has, an id beyond its last value is not either.
    with pytest.raises(psycopg.errors.CheckViolation, match="never drawn"):
        _insert_with_id(connection, 1)
    assert _log_and_head(connection) == ([], None)
    with _caseflow_as_the_role(own_database):
        _record_and_commit(1)
        (written,), _head = _log_and_head(connection)
        with pytest.raises(psycopg.errors.CheckViolation, match="never drawn"):
            _insert_with_id(connection, written + 1_000_000)
        assert _log_and_head(connection) == ([written], written)
        # The head did not move, and Caseflow's own writer is not refused: several rows at a
        # commit, after the one before, and the chain verifies whole.
        _record_and_commit(3)
        verification = chain.verify(db.session)
        assert verification.intact and verification.rows == 4
    after, head = _log_and_head(connection)
    assert after == list(range(written, written + 4)) and head == after[-1]


@pytest.mark.postgres
def test_a_row_at_or_behind_the_chains_head_is_refused(app_role):
    connection, ids = app_role
    for _ in range(2):
        _append(connection, "audit_events", ids)
    written, head = _log_and_head(connection)
    # Ids the sequence did hand out, written again (the key is the id with the time, so only
    # the trigger stands in the way): the chain's end, and a row behind it.
    for row_id in (head, written[0]):
        with pytest.raises(psycopg.errors.CheckViolation, match="does not come after"):
            _insert_with_id(connection, row_id)
    assert _log_and_head(connection) == (written, head)


@pytest.mark.postgres
def test_the_audit_sequence_hands_out_one_id_at_a_time(app_role, own_database):
    # Migration 0026 judges an id by the sequence's last value: with a cache, each connection
    # would hold a block of its own, and Caseflow's writers would draw ids behind the head.
    with _connect(own_database) as owner:
        (cache,) = owner.execute(
            "SELECT seqcache FROM pg_sequence WHERE seqrelid = 'audit_events_id_seq'::regclass"
        ).fetchone()
    assert cache == 1
