"""Reporting reads go to a PostgreSQL streaming replica when DATABASE_REPLICA_URL is set
(ARCHITECTURE.md, issue 12): the continuity dashboard, its case lists (act now included), its
downloads and the partnership report.
Everything else, their audit rows included, stays on the primary.

The test starts its own primary and a real replica beside it (pg_basebackup -R, bench.servers),
never the shared server. It proves where the reads go by pausing the replica's replay: a release
committed on the primary afterwards is counted by the primary but not by the report, until
replay resumes.
"""

import re
from collections import Counter
from datetime import date

import flask_migrate
import pytest
from sqlalchemy import event, func, select

from bench import servers
from caseflow import reporting_db
from caseflow.audit.models import AuditEvent
from caseflow.extensions import db
from caseflow.security.access import Role
from tests.conftest import make_test_app
from tests.continuity.cohort import BIRMINGHAM, manager_of, referral, release
from tests.factories import UserFactory
from tests.helpers import signed_in_client

TABLES = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)


MEASURED = "continuity_release_facts"


class Statements:
    """The tables each engine's statements named, per request."""

    def __init__(self, app):
        self.seen: dict[str, Counter] = {"primary": Counter(), "replica": Counter()}
        with app.app_context():
            engines = {"primary": db.engine, "replica": reporting_db.replica_engine(app)}
        for name, engine in engines.items():

            def note(_conn, _cursor, statement, *_rest, name=name):
                self.seen[name].update(TABLES.findall(statement))

            event.listen(engine, "before_cursor_execute", note)

    def clear(self) -> None:
        for counter in self.seen.values():
            counter.clear()


def cohort_on_report(client) -> str:
    response = client.get("/continuity/report?month=2026-03")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    found = re.search(r"Cohort \(met, not met and pending\)</th>\s*<td[^>]*>\s*(\d+)", html)
    assert found, html[:500]
    return found.group(1)


@pytest.fixture(scope="module")
def primary_and_replica():
    with servers.private_postgres(replica=True, durable=False) as (primary, replica):
        app = make_test_app(primary.url())
        app.config["DATABASE_REPLICA_URL"] = replica.url()
        reporting_db.init_app(app)
        with app.app_context():
            flask_migrate.upgrade()
        yield app, primary, replica
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
            reporting_db.replica_engine(app).dispose()


@pytest.mark.postgres
def test_reporting_reads_the_replica_and_everything_else_the_primary(primary_and_replica):
    app, primary, replica = primary_and_replica
    statements = Statements(app)
    with app.app_context():
        manager = manager_of(BIRMINGHAM)
        keyworker = UserFactory(role=Role.KEYWORKER)
        # A cohort of 3 in March 2026: one met, two not (no referral; a referral withdrawn).
        referral(release(date(2026, 3, 2)), started=date(2026, 3, 5))
        referral(release(date(2026, 3, 10)), status="withdrawn")
        release(date(2026, 3, 20))
        db.session.commit()
        servers.wait_for_replay(primary, replica)
        replica.execute("SELECT pg_wal_replay_pause()")
        # Committed on the primary only, from here on: a fourth release, and the sessions.
        release(date(2026, 3, 22))
        db.session.commit()
        reader = signed_in_client(app, manager)
        other = signed_in_client(app, keyworker)
        audit_before = db.session.scalar(select(func.count()).select_from(AuditEvent))

    try:
        statements.clear()
        # The report counts what the paused replica holds; the session (made after the pause)
        # was found on the primary, and the view's audit row written there.
        assert cohort_on_report(reader) == "3"
        # The measure reads the releases' facts rows (kept with the records, replicated alike).
        assert statements.seen["replica"][MEASURED] > 0
        assert statements.seen["primary"][MEASURED] == 0
        assert statements.seen["primary"]["user_sessions"] > 0
        assert statements.seen["primary"]["audit_events"] > 0
        assert statements.seen["replica"]["audit_events"] == 0

        for url in (
            "/continuity/",
            "/continuity/breakdown.csv",
            "/continuity/cases.csv",
            "/continuity/cases?period=2026-03",
            "/continuity/act-now",
        ):
            statements.clear()
            assert reader.get(url).status_code == 200, url
            assert statements.seen["replica"][MEASURED] > 0, url
            assert statements.seen["primary"][MEASURED] == 0, url

        # Casework pages never read the replica.
        statements.clear()
        assert other.get("/", follow_redirects=True).status_code == 200
        assert sum(statements.seen["replica"].values()) == 0
        assert sum(statements.seen["primary"].values()) > 0
    finally:
        replica.execute("SELECT pg_wal_replay_resume()")

    servers.wait_for_replay(primary, replica)
    assert cohort_on_report(reader) == "4"
    with app.app_context():
        audit_after = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert audit_after > audit_before
