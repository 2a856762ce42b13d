"""named contacts: a person's prison offender manager, community offender manager and keyworker

Revision ID: 0012
Revises: 0011

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# One row per person and kind of contact; the name, team, phone and email are encrypted (text).


def upgrade():
    op.create_table(
        "named_contacts",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("team", sa.Text(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("changed_by_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["users.id"], name=op.f("fk_named_contacts_changed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_named_contacts_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_named_contacts_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_named_contacts")),
        sa.UniqueConstraint("person_id", "kind", name=op.f("uq_named_contacts_person_id")),
    )
    with op.batch_alter_table("named_contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_named_contacts_person_id"), ["person_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("named_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_named_contacts_person_id"))
    op.drop_table("named_contacts")
