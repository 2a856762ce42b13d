"""worklist indexes

Revision ID: 0019
Revises: 0018

A prison's and a probation unit's worklists (releasing soon, clock running) start from their
own releases (security.scope.worked_episodes): those a prison holds, or released into a
probation unit's areas, by expected date while not yet released and by release date after.

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

UNRELEASED = sa.text("actual_release_date IS NULL")
INDEXES = (
    ("ix_custody_episodes_prison_releasing", ["prison_id", "expected_release_date"], True),
    ("ix_custody_episodes_prison_released", ["prison_id", "actual_release_date"], False),
    (
        "ix_custody_episodes_area_releasing",
        ["destination_local_authority_code", "expected_release_date"],
        True,
    ),
    (
        "ix_custody_episodes_area_released",
        ["destination_local_authority_code", "actual_release_date"],
        False,
    ),
)


def upgrade():
    with op.batch_alter_table("custody_episodes", schema=None) as batch_op:
        for name, columns, unreleased_only in INDEXES:
            where = UNRELEASED if unreleased_only else None
            batch_op.create_index(
                name, columns, unique=False, postgresql_where=where, sqlite_where=where
            )


def downgrade():
    with op.batch_alter_table("custody_episodes", schema=None) as batch_op:
        for name, _columns, _unreleased_only in reversed(INDEXES):
            batch_op.drop_index(name)
