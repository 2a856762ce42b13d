"""account set-up links

Revision ID: 0006
Revises: 0005

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Older code expects every account to have a password hash. Going back, an account still
# waiting for its person to set a password gets a value no password ever matches.
UNUSABLE_HASH = "!set-up-link-not-used"  # not an argon2 hash: never verifies


def upgrade():
    op.create_table(
        "account_set_up_links",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_account_set_up_links_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_set_up_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_set_up_links_token_hash")),
    )
    with op.batch_alter_table("account_set_up_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_set_up_links_user_id"), ["user_id"], unique=False
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("password_hash", existing_type=sa.String(length=255), nullable=True)


def downgrade():
    op.execute(
        sa.text("UPDATE users SET password_hash = :value WHERE password_hash IS NULL").bindparams(
            value=UNUSABLE_HASH
        )
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("password_hash", existing_type=sa.String(length=255), nullable=False)

    with op.batch_alter_table("account_set_up_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_set_up_links_user_id"))

    op.drop_table("account_set_up_links")
