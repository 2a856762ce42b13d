"""rough sleeping pathway: a case per release, its accommodation history and its history

Revision ID: 0017
Revises: 0016

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# The prescriber and the history's reasons are encrypted (text). One live case per release is a
# partial unique index, on SQLite and PostgreSQL alike.


def upgrade():
    op.create_table(
        "rough_sleeping_cases",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("opened_by_id", sa.Uuid(), nullable=False),
        sa.Column("opening_organisation_id", sa.Uuid(), nullable=False),
        sa.Column("outreach_team_id", sa.Uuid(), nullable=True),
        sa.Column("same_day_prescribing", sa.Boolean(), nullable=True),
        sa.Column("prescriber", sa.Text(), nullable=True),
        sa.Column("homelessness", sa.String(length=20), nullable=True),
        sa.Column("housing_authority_id", sa.Uuid(), nullable=True),
        sa.Column("referred_on", sa.Date(), nullable=True),
        sa.Column("consent_to_referral", sa.Boolean(), nullable=False),
        sa.Column("consent_to_share_contact", sa.Boolean(), nullable=False),
        sa.Column("authority_response", sa.String(length=30), nullable=True),
        sa.Column("response_on", sa.Date(), nullable=True),
        sa.Column("outcome_3_weeks", sa.String(length=20), nullable=True),
        sa.Column("outcome_3_months", sa.String(length=20), nullable=True),
        sa.Column("closing_reason", sa.String(length=30), nullable=True),
        sa.Column("creation_token", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["custody_episodes.id"],
            name=op.f("fk_rough_sleeping_cases_episode_id_custody_episodes"),
        ),
        sa.ForeignKeyConstraint(
            ["housing_authority_id"],
            ["organisations.id"],
            name=op.f("fk_rough_sleeping_cases_housing_authority_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["users.id"], name=op.f("fk_rough_sleeping_cases_opened_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["opening_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_rough_sleeping_cases_opening_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["outreach_team_id"],
            ["organisations.id"],
            name=op.f("fk_rough_sleeping_cases_outreach_team_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_rough_sleeping_cases_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rough_sleeping_cases")),
        sa.UniqueConstraint("creation_token", name=op.f("uq_rough_sleeping_cases_creation_token")),
    )
    with op.batch_alter_table("rough_sleeping_cases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rough_sleeping_cases_episode_id"), ["episode_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rough_sleeping_cases_opening_organisation_id"),
            ["opening_organisation_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_rough_sleeping_cases_outreach_team_id"),
            ["outreach_team_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_rough_sleeping_cases_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rough_sleeping_cases_status"), ["status"], unique=False
        )
        batch_op.create_index(
            "uq_rough_sleeping_cases_live_per_release",
            ["episode_id"],
            unique=True,
            postgresql_where=sa.text(
                "status IN ('open', 'team_assigned', 'referred', 'responded', 'three_weeks', 'three_months')"
            ),
            sqlite_where=sa.text(
                "status IN ('open', 'team_assigned', 'referred', 'responded', 'three_weeks', 'three_months')"
            ),
        )

    op.create_table(
        "rough_sleeping_accommodation",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column("first_night", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["rough_sleeping_cases.id"],
            name=op.f("fk_rough_sleeping_accommodation_case_id_rough_sleeping_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_rough_sleeping_accommodation_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_rough_sleeping_accommodation_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rough_sleeping_accommodation")),
    )
    with op.batch_alter_table("rough_sleeping_accommodation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rough_sleeping_accommodation_case_id"), ["case_id"], unique=False
        )

    op.create_table(
        "rough_sleeping_events",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=True),
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason_code", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("value", sa.String(length=40), nullable=True),
        sa.Column("event_date", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_rough_sleeping_events_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["rough_sleeping_cases.id"],
            name=op.f("fk_rough_sleeping_events_case_id_rough_sleeping_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_rough_sleeping_events_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_rough_sleeping_events_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rough_sleeping_events")),
    )
    with op.batch_alter_table("rough_sleeping_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rough_sleeping_events_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rough_sleeping_events_person_id"), ["person_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("rough_sleeping_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rough_sleeping_events_person_id"))
        batch_op.drop_index(batch_op.f("ix_rough_sleeping_events_case_id"))

    op.drop_table("rough_sleeping_events")
    with op.batch_alter_table("rough_sleeping_accommodation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rough_sleeping_accommodation_case_id"))

    op.drop_table("rough_sleeping_accommodation")
    with op.batch_alter_table("rough_sleeping_cases", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_rough_sleeping_cases_live_per_release",
            postgresql_where=sa.text(
                "status IN ('open', 'team_assigned', 'referred', 'responded', 'three_weeks', 'three_months')"
            ),
            sqlite_where=sa.text(
                "status IN ('open', 'team_assigned', 'referred', 'responded', 'three_weeks', 'three_months')"
            ),
        )
        batch_op.drop_index(batch_op.f("ix_rough_sleeping_cases_status"))
        batch_op.drop_index(batch_op.f("ix_rough_sleeping_cases_person_id"))
        batch_op.drop_index(batch_op.f("ix_rough_sleeping_cases_outreach_team_id"))
        batch_op.drop_index(batch_op.f("ix_rough_sleeping_cases_opening_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_rough_sleeping_cases_episode_id"))

    op.drop_table("rough_sleeping_cases")
