"""users: whether notifications are also sent by email (the person's choice on their account page)

Revision ID: c4d2a8e6f1b7
Revises: b3e1f7a2c9d4
Create Date: 2026-12-05 09:20:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4d2a8e6f1b7'
down_revision = 'b3e1f7a2c9d4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_notifications', sa.Boolean(), server_default=sa.true(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_notifications')
