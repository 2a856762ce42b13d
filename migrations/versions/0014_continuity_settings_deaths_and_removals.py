"""continuity settings, deaths and removals

The continuity measure's settings as data (window, target and the code mappings, each version
with the date it took effect), seeded with the defaults DOMAIN.md states; a person's date of
death and its source; a custody episode's removal from the country after release.

Revision ID: 0014
Revises: 0013

"""

import uuid
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# The defaults as they stood when this migration was written (caseflow.continuity.rules.DEFAULTS
# says the same; a test holds them equal). Written out here so the migration never changes.
DEFAULT_SETTINGS = {
    "effective_from": date(2015, 4, 1),
    "window_days": 21,
    "target_percent": 75,
    "release_types": {
        "licence": "cohort",
        "sentence_end": "cohort",
        "home_detention_curfew": "cohort",
        "court": "cohort",
        "remand_ended": "cohort",
        "other_secure_setting": "excluded",
        "deported": "excluded",
        "outside_england": "excluded",
    },
    "treatment_needs": {
        "in_treatment": "cohort",
        "assessed_need": "cohort",
        "no_need": "not_in_cohort",
    },
    "exclusions": {"removed": "excluded", "died": "excluded"},
}


def upgrade():
    settings = op.create_table(
        "continuity_settings",
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("target_percent", sa.Integer(), nullable=False),
        sa.Column("release_types", sa.JSON(), nullable=False),
        sa.Column("treatment_needs", sa.JSON(), nullable=False),
        sa.Column("exclusions", sa.JSON(), nullable=False),
        sa.Column("changed_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["users.id"],
            name=op.f("fk_continuity_settings_changed_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_continuity_settings")),
        sa.UniqueConstraint("effective_from", name=op.f("uq_continuity_settings_effective_from")),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        settings,
        [{**DEFAULT_SETTINGS, "id": uuid.uuid4(), "created_at": now, "updated_at": now}],
    )
    with op.batch_alter_table("people") as batch_op:
        batch_op.add_column(sa.Column("date_of_death", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("date_of_death_source", sa.String(length=20), nullable=True))
    with op.batch_alter_table("custody_episodes") as batch_op:
        batch_op.add_column(sa.Column("removed_from_country_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("custody_episodes") as batch_op:
        batch_op.drop_column("removed_from_country_on")
    with op.batch_alter_table("people") as batch_op:
        batch_op.drop_column("date_of_death_source")
        batch_op.drop_column("date_of_death")
    op.drop_table("continuity_settings")
