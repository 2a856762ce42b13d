"""a person is added once per form

Revision ID: 0010
Revises: 0009

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# The add-a-person form carries a one-time token like the referral, appointment and case note
# forms: the person it added keeps it, unique, so the same form sent twice adds one person.
# Existing people have none. The people table has no triggers, so SQLite's batch rebuild loses
# nothing.


def upgrade():
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("creation_token", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_people_creation_token"), ["creation_token"]
        )


def downgrade():
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_people_creation_token"), type_="unique")
        batch_op.drop_column("creation_token")
