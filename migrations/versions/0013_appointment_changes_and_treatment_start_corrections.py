"""appointment changes and treatment-start corrections

Revision ID: 0013
Revises: 0012

"""

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# Reserved in the chain; its schema change lands with the work it belongs to.


def upgrade():
    pass


def downgrade():
    pass
