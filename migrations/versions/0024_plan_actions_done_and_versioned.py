"""plan actions done and versioned

Revision ID: 0024
Revises: 0022

An action of a dual diagnosis joint care plan is changed by either service and marked done on
a day: it holds the day it was done, and a version, so two services changing one action at once
are reconciled field by field as the plan is. Actions already made start at version 1, not done.

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("dual_diagnosis_plan_actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("done_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
    # The default numbers the actions already made; new ones are numbered by the application,
    # as every other versioned record is.
    with op.batch_alter_table("dual_diagnosis_plan_actions", schema=None) as batch_op:
        batch_op.alter_column("version", server_default=None)


def downgrade():
    with op.batch_alter_table("dual_diagnosis_plan_actions", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("done_on")
