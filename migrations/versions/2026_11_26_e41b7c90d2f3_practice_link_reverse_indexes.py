"""practice link tables: reverse indexes, so that a list filtered by sector, type or tag does not scan them

Revision ID: e41b7c90d2f3
Revises: c7d2e9a41f60
Create Date: 2026-11-26 13:25:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e41b7c90d2f3'
down_revision = 'c7d2e9a41f60'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_practice_sectors_sector', 'practice_sectors', ['sector', 'practice_id'], unique=False)
    op.create_index('ix_practice_intervention_types_type', 'practice_intervention_types',
                    ['intervention_type', 'practice_id'], unique=False)
    op.create_index('ix_practice_tags_tag', 'practice_tags', ['tag_id', 'practice_id'], unique=False)


def downgrade():
    op.drop_index('ix_practice_tags_tag', table_name='practice_tags')
    op.drop_index('ix_practice_intervention_types_type', table_name='practice_intervention_types')
    op.drop_index('ix_practice_sectors_sector', table_name='practice_sectors')
