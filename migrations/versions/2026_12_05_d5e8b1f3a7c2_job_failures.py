"""job_failures: background jobs that failed every try, for the site admins' page /admin/jobs

Revision ID: d5e8b1f3a7c2
Revises: c4d2a8e6f1b7
Create Date: 2026-12-05 11:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import network.types

# revision identifiers, used by Alembic.
revision = 'd5e8b1f3a7c2'
down_revision = 'c4d2a8e6f1b7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task', sa.String(length=200), nullable=False),
    sa.Column('arguments', sa.String(length=500), nullable=False),
    sa.Column('error', sa.String(length=1000), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('failed_at', network.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_failures'))
    )
    with op.batch_alter_table('job_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_failures_failed_at'), ['failed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('job_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_failures_failed_at'))
    op.drop_table('job_failures')
