"""The audit log's monthly partitions on PostgreSQL (migration 0020), made ahead of time.

Each month's rows go to the partition audit_partitions.audit_events_YYYY_MM; a row outside every
month made goes to the default partition, so no write ever fails for want of one. Months are
made ahead by ``caseflow_audit_partition(month)``, a function the migration made, which the
application's role may call without owning the table (it is SECURITY DEFINER and can do nothing
but make one month's partition, with its TRUNCATE trigger). The scheduled job (caseflow.jobs)
makes this month and the next, so a month's partition exists weeks before its first row.

SQLite keeps one plain table: there is nothing to make.
"""

from datetime import date

from sqlalchemy import text

from caseflow.dates import local_today
from caseflow.extensions import db

SCHEMA = "audit_partitions"


def _first_of_month(day: date, months_later: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months_later
    return date(index // 12, index % 12 + 1, 1)


def is_partitioned() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def make_ahead(*, today: date | None = None, months_ahead: int = 1) -> list[str]:
    """Make the partitions of this month and the next months_ahead; the names of those made
    (none that already existed). Committed by the caller."""
    if not is_partitioned():
        return []
    today = today or local_today()
    made = []
    for later in range(months_ahead + 1):
        name = db.session.scalar(
            text("SELECT caseflow_audit_partition(:month)"),
            {"month": _first_of_month(today, later)},
        )
        if name:
            made.append(name)
    return made


def partition_rows() -> dict[str, int]:
    """How many rows each partition holds, by partition name (for the restore drill)."""
    if not is_partitioned():
        return {}
    rows = db.session.execute(
        text(
            "SELECT c.relname, count(e.id) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid "
            "LEFT JOIN audit_events e ON e.tableoid = c.oid "
            "WHERE i.inhparent = 'public.audit_events'::regclass "
            "GROUP BY c.relname ORDER BY c.relname"
        )
    ).all()
    return dict(rows)
