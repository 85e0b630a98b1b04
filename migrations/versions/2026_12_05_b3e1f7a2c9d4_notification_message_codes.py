"""notifications: the message's code and parameters, rendered in the reader's language when it is read

Revision ID: b3e1f7a2c9d4
Revises: a9f3c2d81e57
Create Date: 2026-12-05 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b3e1f7a2c9d4'
down_revision = 'a9f3c2d81e57'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('params')
        batch_op.drop_column('message_id')
