"""history of draft edits

Revision ID: 0015
Revises: 0014

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# An edit of a draft referral is an entry in its history, naming the fields it changed (their
# codes, comma-separated; never their values). Existing entries changed no fields, so they have
# none. The referral_events table has no triggers, so SQLite's batch rebuild loses nothing.


def upgrade():
    with op.batch_alter_table("referral_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("changed_fields", sa.String(length=400), nullable=True))


def downgrade():
    with op.batch_alter_table("referral_events", schema=None) as batch_op:
        batch_op.drop_column("changed_fields")
