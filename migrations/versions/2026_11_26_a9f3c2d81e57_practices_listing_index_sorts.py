"""practices listing index: also updated_at and title, so that sorting a list by them reads no row

Revision ID: a9f3c2d81e57
Revises: e41b7c90d2f3
Create Date: 2026-11-26 14:05:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a9f3c2d81e57'
down_revision = 'e41b7c90d2f3'
branch_labels = None
depends_on = None

BEFORE = ['status', 'visibility', 'country', 'language', 'evidence_level', 'institution_id', 'published_at',
          'created_at']


def upgrade():
    with op.batch_alter_table('practices', schema=None) as batch_op:
        batch_op.drop_index('ix_practices_listing')
        batch_op.create_index('ix_practices_listing', BEFORE + ['updated_at', 'title'], unique=False)


def downgrade():
    with op.batch_alter_table('practices', schema=None) as batch_op:
        batch_op.drop_index('ix_practices_listing')
        batch_op.create_index('ix_practices_listing', BEFORE, unique=False)
