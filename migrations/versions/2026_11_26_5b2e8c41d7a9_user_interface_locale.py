"""user interface locale

Revision ID: 5b2e8c41d7a9
Revises: 3ade231a07d9
Create Date: 2026-11-26 07:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5b2e8c41d7a9'
down_revision = '3ade231a07d9'
branch_labels = None
depends_on = None


def upgrade():
    # Nullable: everyone keeps the language their browser asks for until they choose one.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locale')
