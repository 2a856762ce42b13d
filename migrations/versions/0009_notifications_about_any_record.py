"""notifications about any record

Revision ID: 0009
Revises: 0008

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# A notification names its record by type and id instead of a foreign key to referrals, and the
# person the record is about, so a pathway can notify about its own records and subject access
# finds every notification under the person. Every notification is kept: each was about a
# referral, whose person it now names.
TABLE = "notifications"


def upgrade():
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.add_column(sa.Column("record_type", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("record_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("person_id", sa.Uuid(), nullable=True))

    op.execute(
        "UPDATE notifications SET record_type = 'referral', record_id = referral_id, "
        "person_id = (SELECT referrals.person_id FROM referrals "
        "WHERE referrals.id = notifications.referral_id)"
    )

    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.alter_column("record_type", existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column("record_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.alter_column("person_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_index(batch_op.f("ix_notifications_referral_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_notifications_referral_id_referrals"), type_="foreignkey"
        )
        batch_op.drop_column("referral_id")
        batch_op.create_foreign_key(
            batch_op.f("fk_notifications_person_id_people"), "people", ["person_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_notifications_person_id"), ["person_id"], unique=False)
        batch_op.create_index("ix_notifications_record", ["record_type", "record_id"], unique=False)


def downgrade():
    # Before this revision a notification could only be about a referral: notifications about
    # any other record cannot be kept on the way down.
    op.execute("DELETE FROM notifications WHERE record_type <> 'referral'")
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.add_column(sa.Column("referral_id", sa.Uuid(), nullable=True))

    op.execute("UPDATE notifications SET referral_id = record_id")

    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.alter_column("referral_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_index("ix_notifications_record")
        batch_op.drop_index(batch_op.f("ix_notifications_person_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_notifications_person_id_people"), type_="foreignkey"
        )
        batch_op.drop_column("person_id")
        batch_op.drop_column("record_id")
        batch_op.drop_column("record_type")
        batch_op.create_foreign_key(
            batch_op.f("fk_notifications_referral_id_referrals"),
            "referrals",
            ["referral_id"],
            ["id"],
        )
        batch_op.create_index(
            batch_op.f("ix_notifications_referral_id"), ["referral_id"], unique=False
        )
