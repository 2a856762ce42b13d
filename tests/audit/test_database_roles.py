"""In production the application's database role does not own the audit log (two roles)."""

from pathlib import Path

import flask_migrate
import psycopg
import pytest
from sqlalchemy.engine import make_url

from caseflow.extensions import db
from tests.conftest import make_test_app

ROLES_SQL = Path(__file__).resolve().parents[2] / "docs" / "database-roles.sql"
APP_ROLE = "caseflow_app_roles_test"


def _connect(url: str, user: str | None = None) -> psycopg.Connection:
    parts = make_url(url)
    return psycopg.connect(
        host=parts.host,
        port=parts.port or 5432,
        dbname=parts.database,
        user=user or parts.username,
        autocommit=True,
    )


@pytest.mark.postgres
def test_the_application_role_can_append_to_the_audit_log_and_nothing_more(own_database):
    app = make_test_app(own_database)
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    statements = [
        line.replace(":app", APP_ROLE)
        for line in ROLES_SQL.read_text().split(";")
        if line.strip() and not all(part.startswith("--") for part in line.strip().splitlines())
    ]
    with _connect(own_database) as owner:
        owner.execute(f"DROP ROLE IF EXISTS {APP_ROLE}")
        owner.execute(f"CREATE ROLE {APP_ROLE} LOGIN")
        for statement in statements:
            owner.execute(statement)
    try:
        with _connect(own_database, APP_ROLE) as app_connection:
            app_connection.execute(
                "INSERT INTO audit_events (occurred_at, action, outcome) "
                "VALUES (now(), 'view', 'success')"
            )
            assert app_connection.execute("SELECT count(*) FROM audit_events").fetchone()[0] == 1
            for statement in (
                "UPDATE audit_events SET action = 'changed'",
                "DELETE FROM audit_events",
                "TRUNCATE audit_events",
                "ALTER TABLE audit_events DISABLE TRIGGER ALL",
                "DROP TABLE audit_events",
                "UPDATE break_glass_reviews SET verdict = 'appropriate'",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    app_connection.execute(statement)
            # Ordinary tables stay fully usable.
            app_connection.execute("DELETE FROM user_sessions")
    finally:
        with _connect(own_database) as owner:
            owner.execute(f"DROP OWNED BY {APP_ROLE}")
            owner.execute(f"DROP ROLE {APP_ROLE}")
