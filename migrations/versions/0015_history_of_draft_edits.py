"""history of draft edits

Revision ID: 0015
Revises: 0014

"""

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# Reserved in the chain; its schema change lands with the work it belongs to.


def upgrade():
    pass


def downgrade():
    pass
