"""The audit log and break-glass verdicts are append-only: the database itself refuses changes."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from caseflow.audit import services as audit
from caseflow.audit.models import AuditEvent, BreakGlassReview
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.people.models import BreakGlassGrant
from tests.factories import PersonFactory, UserFactory

STATEMENTS = {
    "UPDATE": "UPDATE {table} SET {column} = {column}",
    "DELETE": "DELETE FROM {table}",
    "TRUNCATE": "TRUNCATE {table}",
}
COLUMNS = {"audit_events": "action", "break_glass_reviews": "verdict"}


def a_row_in_each_table() -> None:
    keyworker = UserFactory(role="keyworker")
    auditor = UserFactory(role="auditor")
    grant = BreakGlassGrant(
        user_id=keyworker.id,
        organisation_id=keyworker.organisation_id,
        person_id=PersonFactory().id,
        reason="Seen in A&E out of hours",
        expires_at=utcnow() + timedelta(hours=1),
    )
    db.session.add(grant)
    db.session.flush()
    db.session.add(
        BreakGlassReview(grant_id=grant.id, reviewer_id=auditor.id, verdict="appropriate")
    )
    audit.record("view", entity_type="test")
    db.session.flush()


@pytest.mark.postgres
@pytest.mark.parametrize("operation", sorted(STATEMENTS))
@pytest.mark.parametrize("table", sorted(COLUMNS))
def test_the_database_refuses_to_change_or_remove_rows(app, table, operation):
    a_row_in_each_table()
    statement = STATEMENTS[operation].format(table=table, column=COLUMNS[table])
    refused = pytest.raises(DBAPIError, match=f"{table} is append-only: {operation} refused")
    with refused, db.session.begin_nested():
        db.session.execute(text(statement))
    model = {"audit_events": AuditEvent, "break_glass_reviews": BreakGlassReview}[table]
    assert db.session.scalar(select(func.count()).select_from(model)) >= 1
