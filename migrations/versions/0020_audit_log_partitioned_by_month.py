"""audit log partitioned by month

Revision ID: 0020
Revises: 0019

"""

import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

# On PostgreSQL the audit log becomes a table partitioned by month of occurred_at (declarative
# partitioning), so a month's rows sit together: a search over recent months reads only their
# partitions, and old months can be archived a partition at a time by the database's owner.
# SQLite, the development default, keeps the plain table: nothing here runs there.
#
# What stays the same. Every row is kept, with its id, time and hash, so `flask audit verify`
# passes on both sides of this migration. Ids still come from audit_events_id_seq (its ownership
# moves to the new table, so pg_get_serial_sequence finds it for caseflow.audit.chain). The chain
# is still ordered by id: each partition has the primary key's index, led by id, and PostgreSQL
# reads them in id order together (a merge), so "the last row" is still one index step a month.
# Every other index on the table is made again on the new one from its own definition.
#
# What changes. A partitioned table's primary key must hold the partition key, so it is
# (id, occurred_at); ids stay unique because the sequence alone draws them. Nothing references
# audit_events by foreign key (the log outlives what it names), so nothing else moves.
#
# Where partitions live. In their own schema, audit_partitions, on which the application's role
# is granted nothing (docs/database-roles.sql): it reads and appends through audit_events only,
# and cannot touch a partition by name. Months are made from the oldest row's, or two years
# back, to two months ahead. A default partition takes any row outside the months made (rows
# back-dated further, or far ahead), so no write fails for want of one; months are made ahead by
# caseflow_audit_partition(month), which the scheduled job calls for this month and the next
# (`flask jobs run audit-partitions`, caseflow/jobs.py). It is SECURITY DEFINER, so the
# application's role can make a month without owning the table, and it can do nothing else.
#
# Append-only. The row trigger refusing UPDATE and DELETE is made on the partitioned table, and
# PostgreSQL gives every partition, present and future, a copy. A TRUNCATE trigger is per table,
# so each partition gets its own, made with the partition.
#
# Migrating a large log copies it once, inside this migration's transaction: minutes for tens of
# millions of rows, during which audit rows cannot be written (docs/scaling.md).

TABLE = "audit_events"
OLD = "audit_events_unpartitioned"

PARTITION_FUNCTION = """
CREATE OR REPLACE FUNCTION caseflow_audit_partition(month date) RETURNS text AS $$
DECLARE
    first_day date := date_trunc('month', month)::date;
    partition_name text := 'audit_events_' || to_char(first_day, 'YYYY_MM');
BEGIN
    -- Two runs of the job at once: the second waits, then finds the month made.
    PERFORM pg_advisory_xact_lock(hashtext('caseflow_audit_partition'));
    IF to_regclass(format('audit_partitions.%I', partition_name)) IS NOT NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format(
        'CREATE TABLE audit_partitions.%I PARTITION OF public.audit_events FOR VALUES FROM (%L) TO (%L)',
        partition_name,
        first_day::timestamp AT TIME ZONE 'UTC',
        (first_day + interval '1 month')::timestamp AT TIME ZONE 'UTC'
    );
    EXECUTE format(
        'CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_partitions.%I '
        'FOR EACH STATEMENT EXECUTE FUNCTION public.caseflow_refuse_change()',
        partition_name
    );
    RETURN partition_name;
END;
$$ LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
"""


# The refusal names the table that was asked to change: for a partition, the audit log itself
# (a partition's trigger is a copy of the log's, and runs with the partition's name).
REFUSE_CHANGE = """
CREATE OR REPLACE FUNCTION caseflow_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused',
        CASE WHEN TG_TABLE_SCHEMA = 'audit_partitions' THEN 'audit_events' ELSE TG_TABLE_NAME END,
        TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""
# As migration 0004 made it.
REFUSE_CHANGE_BEFORE = """
CREATE OR REPLACE FUNCTION caseflow_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""

INDEX_DEFINITION = re.compile(r"CREATE (UNIQUE )?INDEX (\S+) ON (?:ONLY )?public\.(\S+) (USING .+)")


def _other_indexes(bind, table: str) -> list[tuple[str, str]]:
    """Each index of the table other than its primary key's: (its name, how to make it again on
    audit_events, from "USING")."""
    rows = bind.execute(
        sa.text(
            "SELECT pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class t ON t.oid = x.indrelid "
            "WHERE t.relname = :table AND t.relnamespace = 'public'::regnamespace "
            "AND NOT x.indisprimary"
        ),
        {"table": table},
    ).scalars()
    indexes = []
    for definition in rows:
        unique, name, _table, rest = INDEX_DEFINITION.fullmatch(definition).groups()
        if unique:  # a unique index would have to hold occurred_at too
            raise RuntimeError(f"{name}: a unique index on the audit log cannot be partitioned")
        indexes.append((name, rest))
    return sorted(indexes)


def _rename_aside(bind, new_name: str) -> list[tuple[str, str]]:
    """Rename audit_events, its key and its indexes out of the way; the indexes to make again."""
    indexes = _other_indexes(bind, TABLE)
    op.execute(f"ALTER TABLE {TABLE} RENAME TO {new_name}")
    op.execute(f"ALTER TABLE {new_name} RENAME CONSTRAINT pk_{TABLE} TO pk_{new_name}")
    for name, _rest in indexes:
        op.execute(f"ALTER INDEX {name} RENAME TO {name}_old")
    return indexes


def _move_rows_and_indexes(source: str, indexes) -> None:
    """Copy every row from source into audit_events, drop source, make its indexes again."""
    op.execute(f"INSERT INTO {TABLE} SELECT * FROM {source} ORDER BY id")  # noqa: S608
    op.execute(f"ALTER SEQUENCE {TABLE}_id_seq OWNED BY {TABLE}.id")
    op.execute(f"DROP TABLE {source} CASCADE")
    for name, rest in indexes:
        op.execute(f"CREATE INDEX {name} ON {TABLE} {rest}")


def _append_only_triggers() -> None:
    op.execute(
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION caseflow_refuse_change()"
    )
    op.execute(
        f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
        "FOR EACH STATEMENT EXECUTE FUNCTION caseflow_refuse_change()"
    )


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    indexes = _rename_aside(bind, OLD)
    op.execute(f"DROP TRIGGER {TABLE}_append_only ON {OLD}")
    op.execute(f"DROP TRIGGER {TABLE}_no_truncate ON {OLD}")
    op.execute(
        f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING DEFAULTS, "
        f"CONSTRAINT pk_{TABLE} PRIMARY KEY (id, occurred_at)) PARTITION BY RANGE (occurred_at)"
    )
    op.execute("CREATE SCHEMA audit_partitions")
    op.execute(REFUSE_CHANGE)
    op.execute(PARTITION_FUNCTION)
    # Every month that holds rows and the two years before this one (the demo's and the
    # benchmark's back-dated rows, the continuity measure's 24-month trend), to two months
    # after this one. Empty months cost a table each and nothing to read.
    op.execute(
        "SELECT caseflow_audit_partition(month::date) FROM generate_series("
        "date_trunc('month', LEAST(now() - interval '24 months', (SELECT min(occurred_at) "
        "FROM audit_events_unpartitioned)) AT TIME ZONE 'UTC'),"
        " date_trunc('month', now() AT TIME ZONE 'UTC') + interval '2 months',"
        " interval '1 month') AS month"
    )
    op.execute(f"CREATE TABLE audit_partitions.{TABLE}_default PARTITION OF {TABLE} DEFAULT")
    op.execute(
        f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON audit_partitions.{TABLE}_default "
        "FOR EACH STATEMENT EXECUTE FUNCTION caseflow_refuse_change()"
    )
    _move_rows_and_indexes(OLD, indexes)
    _append_only_triggers()


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    aside = "audit_events_partitioned"
    indexes = _rename_aside(bind, aside)
    op.execute(
        f"CREATE TABLE {TABLE} (LIKE {aside} INCLUDING DEFAULTS, "
        f"CONSTRAINT pk_{TABLE} PRIMARY KEY (id))"
    )
    _move_rows_and_indexes(aside, indexes)
    op.execute("DROP SCHEMA audit_partitions CASCADE")
    op.execute("DROP FUNCTION caseflow_audit_partition(date)")
    op.execute(REFUSE_CHANGE_BEFORE)
    _append_only_triggers()
