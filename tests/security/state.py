"""What is in the database, to compare before and after a request that should change nothing."""

from functools import cache

from sqlalchemy import select, text

from caseflow.extensions import db
from caseflow.models import Base

# Tables a refused or rejected request may still write to: the audit log (the denial or search
# itself) and its chain's head, which every audit row moves on, sessions (last seen) and sign-in
# throttles. Local authorities are reference data nothing changes.
UNWATCHED_TABLES = {
    "audit_events",
    "audit_chain_head",
    "user_sessions",
    "sign_in_throttles",
    "local_authorities",
}


def watched_tables() -> list:
    return [t for t in Base.metadata.sorted_tables if t.name not in UNWATCHED_TABLES]


@cache
def _postgres_digest_sql() -> str:
    # One statement: a digest of each table's rows in a fixed order. The names come from the
    # models' own metadata, never from input.
    return " UNION ALL ".join(
        f"SELECT '{t.name}', md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), ''))"  # noqa: S608
        f' FROM "{t.name}" r'
        for t in watched_tables()
    )


def database_state() -> dict:
    """Every row of every watched table (on PostgreSQL, a digest of them), by table."""
    db.session.expire_all()
    if db.session.get_bind().dialect.name == "postgresql":
        return dict(db.session.execute(text(_postgres_digest_sql())).all())
    return {
        table.name: sorted(repr(tuple(row)) for row in db.session.execute(select(table)))
        for table in watched_tables()
    }


def changed_tables(before: dict, after: dict | None = None) -> list[str]:
    after = database_state() if after is None else after
    return sorted(name for name in before if before[name] != after.get(name))
