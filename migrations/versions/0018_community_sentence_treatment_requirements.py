"""community sentence treatment requirements

Revision ID: 0018
Revises: 0017

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# A CSTR from the suitability assessment to its outcome (cstr_orders), its append-only history
# (cstr_events, reasons encrypted as text), drug tests, attendance and court reviews. New tables
# only, so SQLite and PostgreSQL take the same statements.


def upgrade():
    op.create_table(
        "cstr_orders",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("probation_id", sa.Uuid(), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=True),
        sa.Column("mental_health_service_id", sa.Uuid(), nullable=True),
        sa.Column("local_authority_code", sa.String(length=9), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("drr", sa.Boolean(), nullable=False),
        sa.Column("atr", sa.Boolean(), nullable=False),
        sa.Column("mhtr", sa.Boolean(), nullable=False),
        sa.Column("court_report_due", sa.Date(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=True),
        sa.Column("court_id", sa.Uuid(), nullable=True),
        sa.Column("sentence_date", sa.Date(), nullable=True),
        sa.Column("order_type", sa.String(length=30), nullable=True),
        sa.Column("consent", sa.Boolean(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("treatment_start_date", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("creation_token", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["court_id"], ["organisations.id"], name=op.f("fk_cstr_orders_court_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["local_authority_code"],
            ["local_authorities.ons_code"],
            name=op.f("fk_cstr_orders_local_authority_code_local_authorities"),
        ),
        sa.ForeignKeyConstraint(
            ["mental_health_service_id"],
            ["organisations.id"],
            name=op.f("fk_cstr_orders_mental_health_service_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_cstr_orders_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["probation_id"],
            ["organisations.id"],
            name=op.f("fk_cstr_orders_probation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["organisations.id"],
            name=op.f("fk_cstr_orders_provider_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_cstr_orders_requested_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cstr_orders")),
        sa.UniqueConstraint("creation_token", name=op.f("uq_cstr_orders_creation_token")),
    )
    op.create_index(
        op.f("ix_cstr_orders_court_report_due"), "cstr_orders", ["court_report_due"], unique=False
    )
    op.create_index(
        op.f("ix_cstr_orders_local_authority_code"),
        "cstr_orders",
        ["local_authority_code"],
        unique=False,
    )
    op.create_index(
        op.f("ix_cstr_orders_mental_health_service_id"),
        "cstr_orders",
        ["mental_health_service_id"],
        unique=False,
    )
    op.create_index(op.f("ix_cstr_orders_person_id"), "cstr_orders", ["person_id"], unique=False)
    op.create_index(
        op.f("ix_cstr_orders_probation_id"), "cstr_orders", ["probation_id"], unique=False
    )
    op.create_index(
        op.f("ix_cstr_orders_provider_id"), "cstr_orders", ["provider_id"], unique=False
    )
    op.create_index(
        op.f("ix_cstr_orders_sentence_date"), "cstr_orders", ["sentence_date"], unique=False
    )
    op.create_index(op.f("ix_cstr_orders_status"), "cstr_orders", ["status"], unique=False)
    op.create_table(
        "cstr_events",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=True),
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_cstr_events_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["cstr_orders.id"], name=op.f("fk_cstr_events_order_id_cstr_orders")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_cstr_events_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_cstr_events_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cstr_events")),
    )
    op.create_index(op.f("ix_cstr_events_order_id"), "cstr_events", ["order_id"], unique=False)
    op.create_index(op.f("ix_cstr_events_person_id"), "cstr_events", ["person_id"], unique=False)
    op.create_table(
        "cstr_drug_tests",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("tested_on", sa.Date(), nullable=False),
        sa.Column("result", sa.String(length=30), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["cstr_orders.id"], name=op.f("fk_cstr_drug_tests_order_id_cstr_orders")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_cstr_drug_tests_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cstr_drug_tests")),
    )
    op.create_index(
        op.f("ix_cstr_drug_tests_order_id"), "cstr_drug_tests", ["order_id"], unique=False
    )
    op.create_table(
        "cstr_attendances",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("appointment_date", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["cstr_orders.id"], name=op.f("fk_cstr_attendances_order_id_cstr_orders")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_cstr_attendances_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cstr_attendances")),
    )
    op.create_index(
        op.f("ix_cstr_attendances_order_id"), "cstr_attendances", ["order_id"], unique=False
    )
    op.create_table(
        "cstr_reviews",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("report_due", sa.Date(), nullable=False),
        sa.Column("report_sent_on", sa.Date(), nullable=True),
        sa.Column("scheduled_by_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["cstr_orders.id"], name=op.f("fk_cstr_reviews_order_id_cstr_orders")
        ),
        sa.ForeignKeyConstraint(
            ["scheduled_by_id"], ["users.id"], name=op.f("fk_cstr_reviews_scheduled_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cstr_reviews")),
    )
    op.create_index(op.f("ix_cstr_reviews_order_id"), "cstr_reviews", ["order_id"], unique=False)
    op.create_index(
        op.f("ix_cstr_reviews_report_due"), "cstr_reviews", ["report_due"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_cstr_reviews_order_id"), table_name="cstr_reviews")
    op.drop_index(op.f("ix_cstr_reviews_report_due"), table_name="cstr_reviews")
    op.drop_table("cstr_reviews")
    op.drop_index(op.f("ix_cstr_attendances_order_id"), table_name="cstr_attendances")
    op.drop_table("cstr_attendances")
    op.drop_index(op.f("ix_cstr_drug_tests_order_id"), table_name="cstr_drug_tests")
    op.drop_table("cstr_drug_tests")
    op.drop_index(op.f("ix_cstr_events_order_id"), table_name="cstr_events")
    op.drop_index(op.f("ix_cstr_events_person_id"), table_name="cstr_events")
    op.drop_table("cstr_events")
    op.drop_index(op.f("ix_cstr_orders_court_report_due"), table_name="cstr_orders")
    op.drop_index(op.f("ix_cstr_orders_local_authority_code"), table_name="cstr_orders")
    op.drop_index(op.f("ix_cstr_orders_mental_health_service_id"), table_name="cstr_orders")
    op.drop_index(op.f("ix_cstr_orders_person_id"), table_name="cstr_orders")
    op.drop_index(op.f("ix_cstr_orders_probation_id"), table_name="cstr_orders")
    op.drop_index(op.f("ix_cstr_orders_provider_id"), table_name="cstr_orders")
    op.drop_index(op.f("ix_cstr_orders_sentence_date"), table_name="cstr_orders")
    op.drop_index(op.f("ix_cstr_orders_status"), table_name="cstr_orders")
    op.drop_table("cstr_orders")
