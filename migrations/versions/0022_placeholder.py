"""placeholder (to be renamed by the change that fills it)

Revision ID: 0022
Revises: 0021

"""

# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
