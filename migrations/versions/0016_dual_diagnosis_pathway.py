"""dual diagnosis pathway

Revision ID: 0016
Revises: 0015

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# Dual diagnosis cases (a co-occurring mental health need referred to a mental health service),
# their history, joint care plans with their actions, and follow-ups of missed appointments.
# New tables only: nothing existing changes, on SQLite or PostgreSQL.


def upgrade():
    op.create_table(
        "dual_diagnosis_cases",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("referring_organisation_id", sa.Uuid(), nullable=False),
        sa.Column("referred_by_id", sa.Uuid(), nullable=False),
        sa.Column("mental_health_service_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("care_coordinator_id", sa.Uuid(), nullable=True),
        sa.Column("need_category", sa.String(length=30), nullable=False),
        sa.Column("need_severity", sa.String(length=20), nullable=False),
        sa.Column("assessed_by", sa.Text(), nullable=True),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("referred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decline_reason_code", sa.String(length=40), nullable=True),
        sa.Column("closing_reason", sa.String(length=40), nullable=True),
        sa.Column("creation_token", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["care_coordinator_id"],
            ["users.id"],
            name=op.f("fk_dual_diagnosis_cases_care_coordinator_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["custody_episodes.id"],
            name=op.f("fk_dual_diagnosis_cases_episode_id_custody_episodes"),
        ),
        sa.ForeignKeyConstraint(
            ["mental_health_service_id"],
            ["organisations.id"],
            name=op.f("fk_dual_diagnosis_cases_mental_health_service_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_dual_diagnosis_cases_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["referred_by_id"],
            ["users.id"],
            name=op.f("fk_dual_diagnosis_cases_referred_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["referring_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_dual_diagnosis_cases_referring_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dual_diagnosis_cases")),
        sa.UniqueConstraint("creation_token", name=op.f("uq_dual_diagnosis_cases_creation_token")),
    )
    with op.batch_alter_table("dual_diagnosis_cases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dual_diagnosis_cases_episode_id"), ["episode_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_dual_diagnosis_cases_mental_health_service_id"),
            ["mental_health_service_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_dual_diagnosis_cases_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_dual_diagnosis_cases_referring_organisation_id"),
            ["referring_organisation_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_dual_diagnosis_cases_service_status",
            ["mental_health_service_id", "status"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_dual_diagnosis_cases_status"), ["status"], unique=False
        )
        batch_op.create_index(
            "uq_dual_diagnosis_cases_live_per_person",
            ["person_id"],
            unique=True,
            postgresql_where=sa.text("status IN ('referred', 'accepted', 'plan_agreed')"),
            sqlite_where=sa.text("status IN ('referred', 'accepted', 'plan_agreed')"),
        )

    op.create_table(
        "dual_diagnosis_care_plans",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("needs", sa.Text(), nullable=True),
        sa.Column("crisis_plan", sa.Text(), nullable=True),
        sa.Column("person_has_copy", sa.Boolean(), nullable=True),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("agreed_on", sa.Date(), nullable=True),
        sa.Column("last_reviewed_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["dual_diagnosis_cases.id"],
            name=op.f("fk_dual_diagnosis_care_plans_case_id_dual_diagnosis_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_dual_diagnosis_care_plans_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dual_diagnosis_care_plans")),
        sa.UniqueConstraint("case_id", name=op.f("uq_dual_diagnosis_care_plans_case_id")),
    )
    with op.batch_alter_table("dual_diagnosis_care_plans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dual_diagnosis_care_plans_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_dual_diagnosis_care_plans_review_date"), ["review_date"], unique=False
        )

    op.create_table(
        "dual_diagnosis_events",
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
        sa.Column("changed_fields", sa.String(length=400), nullable=True),
        sa.Column("event_date", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_dual_diagnosis_events_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["dual_diagnosis_cases.id"],
            name=op.f("fk_dual_diagnosis_events_case_id_dual_diagnosis_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_dual_diagnosis_events_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_dual_diagnosis_events_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dual_diagnosis_events")),
    )
    with op.batch_alter_table("dual_diagnosis_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dual_diagnosis_events_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_dual_diagnosis_events_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "dual_diagnosis_follow_ups",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("appointment_id", sa.Uuid(), nullable=False),
        sa.Column("followed_up_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_dual_diagnosis_follow_ups_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_dual_diagnosis_follow_ups_appointment_id_appointments"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["dual_diagnosis_cases.id"],
            name=op.f("fk_dual_diagnosis_follow_ups_case_id_dual_diagnosis_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_dual_diagnosis_follow_ups_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dual_diagnosis_follow_ups")),
    )
    with op.batch_alter_table("dual_diagnosis_follow_ups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dual_diagnosis_follow_ups_appointment_id"),
            ["appointment_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_dual_diagnosis_follow_ups_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            "uq_dual_diagnosis_follow_ups_case_appointment",
            ["case_id", "appointment_id"],
            unique=True,
        )

    op.create_table(
        "dual_diagnosis_plan_actions",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("added_by_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("creation_token", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["users.id"],
            name=op.f("fk_dual_diagnosis_plan_actions_added_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_dual_diagnosis_plan_actions_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["dual_diagnosis_care_plans.id"],
            name=op.f("fk_dual_diagnosis_plan_actions_plan_id_dual_diagnosis_care_plans"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dual_diagnosis_plan_actions")),
        sa.UniqueConstraint(
            "creation_token", name=op.f("uq_dual_diagnosis_plan_actions_creation_token")
        ),
    )
    with op.batch_alter_table("dual_diagnosis_plan_actions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dual_diagnosis_plan_actions_plan_id"), ["plan_id"], unique=False
        )


def downgrade():
    for table in (
        "dual_diagnosis_plan_actions",
        "dual_diagnosis_follow_ups",
        "dual_diagnosis_events",
        "dual_diagnosis_care_plans",
        "dual_diagnosis_cases",
    ):
        op.drop_table(table)
