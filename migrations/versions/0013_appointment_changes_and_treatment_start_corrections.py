"""appointment changes and treatment-start corrections

Revision ID: 0013
Revises: 0012

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# A referral's history keeps the date a change replaced beside the new one (event_date): an
# appointment moved to another day, a treatment start corrected. Existing entries changed no
# date, so they have none. The referral_events table has no triggers, so SQLite's batch rebuild
# loses nothing.


def upgrade():
    with op.batch_alter_table("referral_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("from_date", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("referral_events", schema=None) as batch_op:
        batch_op.drop_column("from_date")
