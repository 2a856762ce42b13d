"""audit chain head

Revision ID: 0025
Revises: 0024

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

# The chain's last row, kept in a one-row table, audit_chain_head, so sealing a new row reads the
# previous hash by primary key instead of taking the newest row of the partitioned log (planning
# that query over every month's partition cost more than running it). A trigger on audit_events
# moves the head on with every row inserted, whoever inserts it, so the head cannot fall behind
# the log; it never moves back (a row with a lower id than the head leaves it). The head starts
# at the log's last row as it stands. On PostgreSQL the trigger is made on the partitioned table,
# and PostgreSQL gives every partition, present and future, a copy. The trigger's function runs
# as the schema's owner: the application's role may only lock the head (docs/database-roles.sql
# grants it UPDATE of the id alone), so it cannot set the head to a row of its choosing and
# leave the log's next rows chained to it.

HEAD = "audit_chain_head"

MOVE_HEAD_PG = """
CREATE FUNCTION caseflow_audit_chain_head() RETURNS trigger AS $$
BEGIN
    UPDATE public.audit_chain_head SET last_id = NEW.id, last_hash = NEW.chain_hash
    WHERE id = 1 AND (last_id IS NULL OR last_id < NEW.id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
"""
TRIGGER_PG = (
    "CREATE TRIGGER audit_events_chain_head AFTER INSERT ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION caseflow_audit_chain_head()"
)
TRIGGER_SQLITE = """
CREATE TRIGGER audit_events_chain_head AFTER INSERT ON audit_events
BEGIN
    UPDATE audit_chain_head SET last_id = NEW.id, last_hash = NEW.chain_hash
    WHERE id = 1 AND (last_id IS NULL OR last_id < NEW.id);
END
"""


def upgrade():
    op.create_table(
        HEAD,
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("last_hash", sa.String(length=64), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_chain_head_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    op.execute(
        "INSERT INTO audit_chain_head (id, last_id, last_hash) SELECT 1, "
        "(SELECT id FROM audit_events ORDER BY id DESC LIMIT 1), "
        "(SELECT chain_hash FROM audit_events ORDER BY id DESC LIMIT 1)"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(MOVE_HEAD_PG)
        op.execute(TRIGGER_PG)
    else:
        op.execute(TRIGGER_SQLITE)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_chain_head ON audit_events")
        op.execute("DROP FUNCTION caseflow_audit_chain_head()")
    else:
        op.execute("DROP TRIGGER audit_events_chain_head")
    op.drop_table(HEAD)
