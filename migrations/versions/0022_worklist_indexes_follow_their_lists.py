"""worklist indexes follow their lists

Revision ID: 0022
Revises: 0021

A prison's and a probation unit's worklists read one index per source of their releases
(security.scope.worked_episodes, migration 0019). Two more let each row a list finds cost an
index probe rather than a scan that grows with the country's data:

- a probation unit's releases soon of the people it recorded or referred, found person by person
  (ix_custody_episodes_person_releasing), where PostgreSQL read every release not yet made;
- whether a release has a referral sent (ix_referrals_sent_per_release, from the index alone),
  where it hashed every sent referral in the country to leave those releases out.

The single-column indexes on a release's prison and on its destination are dropped: migration
0019's indexes (prison_id, actual_release_date) and (destination_local_authority_code,
actual_release_date) start with the same column and hold every row, so they answer whatever
those did, and one index less is one less for every write and every plan to weigh.

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

UNRELEASED = sa.text("actual_release_date IS NULL")
SENT = sa.text("status IN ('sent', 'accepted', 'engaged')")


def upgrade():
    with op.batch_alter_table("custody_episodes", schema=None) as batch_op:
        batch_op.drop_index("ix_custody_episodes_prison_id")
        batch_op.drop_index("ix_custody_episodes_destination_local_authority_code")
        batch_op.create_index(
            "ix_custody_episodes_person_releasing",
            ["person_id", "expected_release_date"],
            unique=False,
            postgresql_where=UNRELEASED,
            sqlite_where=UNRELEASED,
        )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referrals_sent_per_release",
            ["episode_id"],
            unique=False,
            postgresql_where=SENT,
            sqlite_where=SENT,
        )


def downgrade():
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_sent_per_release")
    with op.batch_alter_table("custody_episodes", schema=None) as batch_op:
        batch_op.drop_index("ix_custody_episodes_person_releasing")
        batch_op.create_index(
            "ix_custody_episodes_destination_local_authority_code",
            ["destination_local_authority_code"],
            unique=False,
        )
        batch_op.create_index("ix_custody_episodes_prison_id", ["prison_id"], unique=False)
