"""continuity release facts

Revision ID: 0021
Revises: 0020

One row per release holding what the continuity measure needs of its episode, person, referrals
and appointments (caseflow.continuity.facts), so the dashboard reads one narrow table by release
date instead of four. The rows for the releases already recorded are written here from the
records, by the same query the application keeps them with (one definition of a row).

With it, the counts of months no longer changing but by corrections (continuity_month_counts,
written by the continuity-months job) and the months a change has made out of date since
(continuity_stale_months: one row per change, so writers never wait on each other).

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

TABLE = "continuity_release_facts"


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("release_date", sa.Date(), nullable=False),
        sa.Column("age_at_release", sa.Integer(), nullable=True),
        sa.Column("treatment_need", sa.String(length=20), nullable=True),
        sa.Column("release_type", sa.String(length=30), nullable=True),
        sa.Column("removed_from_country_on", sa.Date(), nullable=True),
        sa.Column("destination_local_authority_code", sa.String(length=9), nullable=True),
        sa.Column("prison_id", sa.Uuid(), nullable=True),
        sa.Column("substance_group", sa.String(length=30), nullable=True),
        sa.Column("sex", sa.String(length=20), nullable=True),
        sa.Column("ethnic_group", sa.String(length=20), nullable=True),
        sa.Column("date_of_death", sa.Date(), nullable=True),
        sa.Column("treatment_start_date", sa.Date(), nullable=True),
        sa.Column("provider_id", sa.Uuid(), nullable=True),
        sa.Column("first_attended_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["custody_episodes.id"],
            name=op.f("fk_continuity_release_facts_episode_id_custody_episodes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("episode_id", name=op.f("pk_continuity_release_facts")),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_continuity_release_facts_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_continuity_release_facts_release_date"), ["release_date"], unique=False
        )
        batch_op.create_index(
            "ix_continuity_release_facts_area_released",
            ["destination_local_authority_code", "release_date"],
            unique=False,
        )

    op.create_table(
        "continuity_month_counts",
        sa.Column("settings_key", sa.String(length=16), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("part", sa.String(length=30), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("attended", sa.String(length=20), nullable=False),
        sa.Column("exclusion_reason", sa.String(length=40), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "settings_key",
            "month",
            "part",
            "key",
            "outcome",
            "attended",
            "exclusion_reason",
            name=op.f("pk_continuity_month_counts"),
        ),
    )
    op.create_table(
        "continuity_stale_months",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_continuity_stale_months")),
    )
    with op.batch_alter_table("continuity_stale_months", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_continuity_stale_months_month"), ["month"], unique=False
        )

    from caseflow.continuity import facts

    facts.rebuild(op.get_bind())


def downgrade():
    op.drop_table("continuity_stale_months")
    op.drop_table("continuity_month_counts")
    op.drop_table(TABLE)
