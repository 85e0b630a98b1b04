"""event materials: slides, documents and links (to practices, collections) of an event or one of its sessions,
for everyone who sees the event or only its registered participants

The files themselves are under UPLOAD_FOLDER/events/ (network.uploads); the table names them.

Revision ID: 9bbe81edc371
Revises: f3b8d1c6a2e9
Create Date: 2026-12-05 11:04:24.052222

"""
import sqlalchemy as sa
from alembic import op

import network.types

# revision identifiers, used by Alembic.
revision = '9bbe81edc371'
down_revision = 'f3b8d1c6a2e9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('event_materials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('audience', sa.String(length=12), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=True),
    sa.Column('stored_name', sa.String(length=80), nullable=True),
    sa.Column('content_type', sa.String(length=100), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', network.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'file') <> (target_id IS NOT NULL)",
                       name=op.f('ck_event_materials_event_material_link')),
    sa.CheckConstraint("(kind = 'file') = (stored_name IS NOT NULL)",
                       name=op.f('ck_event_materials_event_material_file')),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_event_materials_added_by_id_users'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['training_events.id'],
                            name=op.f('fk_event_materials_event_id_training_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['event_sessions.id'],
                            name=op.f('fk_event_materials_session_id_event_sessions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_materials')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_event_materials_stored_name'))
    )
    with op.batch_alter_table('event_materials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_materials_added_by_id'), ['added_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_materials_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_materials_session_id'), ['session_id'], unique=False)


def downgrade():
    with op.batch_alter_table('event_materials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_materials_session_id'))
        batch_op.drop_index(batch_op.f('ix_event_materials_event_id'))
        batch_op.drop_index(batch_op.f('ix_event_materials_added_by_id'))
    op.drop_table('event_materials')
