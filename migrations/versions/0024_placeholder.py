"""placeholder (to be renamed by the change that fills it)

Revision ID: 0024
Revises: 0023

"""

# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
