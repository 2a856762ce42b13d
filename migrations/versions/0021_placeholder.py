"""placeholder (to be renamed by the change that fills it)

Revision ID: 0021
Revises: 0020

"""

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
