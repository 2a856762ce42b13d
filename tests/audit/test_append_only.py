"""The audit log, break-glass grants and their verdicts are append-only: the database itself
refuses changes, whichever code or role asks."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from caseflow.audit import services as audit
from caseflow.audit.models import AuditEvent
from caseflow.auditor.models import BreakGlassReview
from caseflow.dates import as_utc
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.people.models import BreakGlassGrant
from tests.factories import PersonFactory, UserFactory

STATEMENTS = {
    "UPDATE": "UPDATE {table} SET {column} = {column}",
    "DELETE": "DELETE FROM {table}",
    # CASCADE: a grant's verdicts must not be a way to empty the grants with them.
    "TRUNCATE": "TRUNCATE {table} CASCADE",
}
COLUMNS = {
    "audit_events": "action",
    "break_glass_grants": "expires_at",
    "break_glass_reviews": "verdict",
}
MODELS = {
    "audit_events": AuditEvent,
    "break_glass_grants": BreakGlassGrant,
    "break_glass_reviews": BreakGlassReview,
}


def a_grant() -> BreakGlassGrant:
    keyworker = UserFactory(role="keyworker")
    grant = BreakGlassGrant(
        user_id=keyworker.id,
        organisation_id=keyworker.organisation_id,
        person_id=PersonFactory().id,
        reason="Seen in A&E out of hours",
        expires_at=utcnow() + timedelta(hours=1),
    )
    db.session.add(grant)
    db.session.flush()
    return grant


def a_row_in_each_table() -> BreakGlassGrant:
    """An audit row, a reviewed grant and its review, and an unreviewed grant (returned)."""
    auditor = UserFactory(role="auditor")
    reviewed = a_grant()
    db.session.add(
        BreakGlassReview(grant_id=reviewed.id, reviewer_id=auditor.id, verdict="appropriate")
    )
    audit.record("view", entity_type="page")
    unreviewed = a_grant()
    db.session.flush()
    return unreviewed


@pytest.mark.postgres
@pytest.mark.parametrize("operation", sorted(STATEMENTS))
@pytest.mark.parametrize("table", sorted(COLUMNS))
def test_the_database_refuses_to_change_or_remove_rows(app, table, operation):
    a_row_in_each_table()
    statement = STATEMENTS[operation].format(table=table, column=COLUMNS[table])
    # A cascading TRUNCATE may be refused by the first of the tables it reaches.
    refuser = "break_glass_(grants|reviews)" if table.startswith("break_glass") else table
    refused = pytest.raises(DBAPIError, match=f"{refuser} is append-only: {operation} refused")
    with refused, db.session.begin_nested():
        db.session.execute(text(statement))
    assert db.session.scalar(select(func.count()).select_from(MODELS[table])) >= 1


@pytest.mark.parametrize("change", ["extend", "delete"])
def test_a_grant_cannot_be_extended_or_removed_on_any_database(app, change):
    grant = a_row_in_each_table()
    expires_at = as_utc(grant.expires_at)
    refused = pytest.raises(DBAPIError, match="break_glass_grants is append-only")
    with refused, db.session.begin_nested():
        if change == "extend":
            grant.expires_at = expires_at + timedelta(days=30)
        else:
            db.session.delete(grant)
        db.session.flush()
    db.session.expire_all()
    stored = db.session.get(BreakGlassGrant, grant.id)
    assert stored is not None
    assert as_utc(stored.expires_at) == expires_at
