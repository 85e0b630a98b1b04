"""practices listing index: the columns lists, counts and facets read, so they never read the Markdown

Revision ID: c7d2e9a41f60
Revises: 46b95d134d09
Create Date: 2026-11-26 10:10:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c7d2e9a41f60'
down_revision = '46b95d134d09'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('practices', schema=None) as batch_op:
        batch_op.create_index('ix_practices_listing', ['status', 'visibility', 'country', 'language',
                                                       'evidence_level', 'institution_id', 'published_at',
                                                       'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('practices', schema=None) as batch_op:
        batch_op.drop_index('ix_practices_listing')
