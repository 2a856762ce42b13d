"""audit detail is JSON

Revision ID: 0008
Revises: 0007

"""

import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# The audit rows' detail becomes JSON (JSONB on PostgreSQL), so the continuity measure can read
# the facts its events carry in SQL. Every row is kept. The chain seals detail as
# json.dumps(value, sort_keys=True), which is exactly the text rows were written with before, so
# `flask audit verify` passes on both sides of this migration.
#
# Rows are append-only (migration 0004). On PostgreSQL, ALTER COLUMN ... TYPE rewrites the table
# without firing row triggers. SQLite cannot change a column's type: batch mode rebuilds the
# table, which drops its triggers, so they are made again here.
TABLE = "audit_events"


def _sqlite_triggers() -> None:
    for operation in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_{operation.lower()} BEFORE {operation} ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only'); END"
        )


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {TABLE} ALTER COLUMN detail TYPE JSONB USING detail::jsonb")
        return
    with op.batch_alter_table(TABLE, recreate="always") as batch_op:
        batch_op.alter_column("detail", existing_type=sa.Text(), type_=sa.JSON())
    _sqlite_triggers()


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # jsonb::text spaces and orders keys its own way; write back the text the chain sealed.
        op.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TABLE}_append_only")
        op.execute(f"ALTER TABLE {TABLE} ALTER COLUMN detail TYPE TEXT USING detail::text")
        rows = bind.execute(sa.text("SELECT id, detail FROM audit_events WHERE detail IS NOT NULL"))
        for row_id, detail in rows.all():
            bind.execute(
                sa.text("UPDATE audit_events SET detail = :detail WHERE id = :id"),
                {"id": row_id, "detail": json.dumps(json.loads(detail), sort_keys=True)},
            )
        op.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TABLE}_append_only")
        return
    with op.batch_alter_table(TABLE, recreate="always") as batch_op:
        batch_op.alter_column("detail", existing_type=sa.JSON(), type_=sa.Text())
    _sqlite_triggers()
