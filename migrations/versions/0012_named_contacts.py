"""named contacts

Revision ID: 0012
Revises: 0011

"""

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# Reserved in the chain; its schema change lands with the work it belongs to.


def upgrade():
    pass


def downgrade():
    pass
