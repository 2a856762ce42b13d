"""audit rows only with ids the sequence drew, after the chain's head

Revision ID: 0026
Revises: 0025

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

# The application's role may INSERT into audit_events, and an INSERT may name its own id. A row
# with an id far beyond the sequence's would move the head (migration 0025) there: every later
# row would chain after it, and ids would no longer tell the order rows were committed in. So
# the trigger that moves the head, which already runs for every row inserted and as the schema's
# owner, now refuses a row first:
#
# - whose id the sequence has not handed out (above its last value, or any id while it has
#   handed out none): Caseflow's writer draws every id from the sequence while it holds the
#   head (caseflow.audit.chain), so no row it writes is refused; and
# - that does not come after the head: its id at or below the head's last row (an id used
#   again, or one slipped in behind the chain's end), or no head row to move on.
#
# The refusal aborts the INSERT statement, so nothing of it is written. The head's UPDATE is
# the check after the head: under READ COMMITTED it waits for a writer holding the head and is
# judged on the head that writer committed. The sequence is read as the owner, so the
# application's role needs nothing more on it. Loads that set triggers aside (the bench's COPY,
# a restore, which makes triggers after the data) are not judged; they set the head themselves.
#
# SQLite, the development default, keeps its trigger as migration 0025 made it: it has no
# sequence, its writer lock serialises writers and ids follow the head's there.

# The sequence is audit_events_id_seq, as migration 0020 left it.
CHECK_AND_MOVE_HEAD = """
CREATE OR REPLACE FUNCTION caseflow_audit_chain_head() RETURNS trigger AS $$
DECLARE
    drawn bigint;
BEGIN
    SELECT CASE WHEN is_called THEN last_value END INTO drawn FROM public.audit_events_id_seq;
    IF drawn IS NULL OR NEW.id > drawn THEN
        RAISE EXCEPTION 'audit_events: id % was never drawn from audit_events_id_seq', NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
    UPDATE public.audit_chain_head SET last_id = NEW.id, last_hash = NEW.chain_hash
    WHERE id = 1 AND (last_id IS NULL OR last_id < NEW.id);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'audit_events: id % does not come after the chain''s head', NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
"""

# As migration 0025 made it.
MOVE_HEAD = """
CREATE OR REPLACE FUNCTION caseflow_audit_chain_head() RETURNS trigger AS $$
BEGIN
    UPDATE public.audit_chain_head SET last_id = NEW.id, last_hash = NEW.chain_hash
    WHERE id = 1 AND (last_id IS NULL OR last_id < NEW.id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
"""


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(CHECK_AND_MOVE_HEAD)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(MOVE_HEAD)
