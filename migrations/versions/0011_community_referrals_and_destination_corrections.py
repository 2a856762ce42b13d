"""community referrals and destination corrections

Revision ID: 0011
Revises: 0010

"""

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Reserved in the chain; its schema change lands with the work it belongs to.


def upgrade():
    pass


def downgrade():
    pass
