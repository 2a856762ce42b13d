"""community referrals and one live referral per release and pathway

Revision ID: 0011
Revises: 0010

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# A community referral (probation, for a person not leaving custody) has no custody episode, so
# referrals.episode_id may be empty. One live referral (draft, sent, accepted or engaged) per
# release and pathway, and per person and pathway for community referrals, is held by two partial
# unique indexes. A destination correction is a custody change like the others: no schema change.
# The referrals table has no triggers, so SQLite's batch rebuild loses nothing.

LIVE = "status IN ('draft', 'sent', 'accepted', 'engaged')"
PER_RELEASE = f"{LIVE} AND episode_id IS NOT NULL"
PER_PERSON = f"{LIVE} AND episode_id IS NULL"


CLASHES = sa.text(
    "SELECT count(*) FROM (SELECT episode_id FROM referrals"
    " WHERE status IN ('draft', 'sent', 'accepted', 'engaged') AND episode_id IS NOT NULL"
    " GROUP BY episode_id, pathway HAVING count(*) > 1) AS c"
)


def _refuse_if_two_live_referrals() -> None:
    """Existing data made before the rule may break it: say so rather than pick one to end."""
    clashes = op.get_bind().execute(CLASHES).scalar()
    if clashes:
        raise RuntimeError(
            f"{clashes} releases have more than one live referral on one pathway. Withdraw "
            "(or close) all but one of each, then run the upgrade again."
        )


def upgrade():
    _refuse_if_two_live_referrals()
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.alter_column("episode_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.create_index(
            "uq_referrals_live_per_release",
            ["episode_id", "pathway"],
            unique=True,
            postgresql_where=sa.text(PER_RELEASE),
            sqlite_where=sa.text(PER_RELEASE),
        )
        batch_op.create_index(
            "uq_referrals_live_community",
            ["person_id", "pathway"],
            unique=True,
            postgresql_where=sa.text(PER_PERSON),
            sqlite_where=sa.text(PER_PERSON),
        )


def downgrade():
    # Community referrals have nowhere to go without an episode: they are removed with their
    # history, appointments and notices before the column is required again.
    op.execute(
        "DELETE FROM referral_events"
        " WHERE referral_id IN (SELECT id FROM referrals WHERE episode_id IS NULL)"
    )
    op.execute(
        "DELETE FROM appointments"
        " WHERE referral_id IN (SELECT id FROM referrals WHERE episode_id IS NULL)"
    )
    op.execute(
        "DELETE FROM notifications WHERE record_type = 'referral'"
        " AND record_id IN (SELECT id FROM referrals WHERE episode_id IS NULL)"
    )
    op.execute("DELETE FROM referrals WHERE episode_id IS NULL")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("uq_referrals_live_community")
        batch_op.drop_index("uq_referrals_live_per_release")
        batch_op.alter_column("episode_id", existing_type=sa.Uuid(), nullable=False)
