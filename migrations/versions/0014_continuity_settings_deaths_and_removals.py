"""continuity settings, deaths and removals

Revision ID: 0014
Revises: 0013

"""

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# Reserved in the chain; its schema change lands with the work it belongs to.


def upgrade():
    pass


def downgrade():
    pass
