"""events: an event's place, times, time zone, languages, visibility and registration settings (the table keeps
its name, training_events); its programme (event_sessions) and registrations (event_registrations)

Existing events (recorded by coordinators, or made of completed visits) keep their rows: they take no
registrations and are seen by the partnership's institutions, as before.

Revision ID: f3b8d1c6a2e9
Revises: e7c3a9d2b6f4
Create Date: 2026-12-05 16:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import network.types

# revision identifiers, used by Alembic.
revision = 'f3b8d1c6a2e9'
down_revision = 'e7c3a9d2b6f4'
branch_labels = None
depends_on = None

NEW_COLUMNS = ('updated_at', 'description', 'online', 'online_link', 'address', 'city', 'country', 'start_time',
               'end_time', 'timezone', 'languages', 'visibility', 'takes_registrations', 'capacity',
               'registration_opens', 'registration_closes', 'requires_approval', 'questions', 'registration_version')


def upgrade():
    with op.batch_alter_table('training_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', network.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('description', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('online', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('online_link', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('address', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('city', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('country', sa.String(length=2), server_default='', nullable=False))
        batch_op.add_column(sa.Column('start_time', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('end_time', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), server_default='UTC', nullable=False))
        batch_op.add_column(sa.Column('languages', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('visibility', sa.String(length=12), server_default='partnership',
                                      nullable=False))
        batch_op.add_column(sa.Column('takes_registrations', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('capacity', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('registration_opens', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('registration_closes', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('requires_approval', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('questions', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('registration_version', sa.Integer(), server_default=sa.text('0'),
                                      nullable=False))

    op.create_table('event_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=True),
    sa.Column('end_time', sa.Time(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('speakers', sa.String(length=500), nullable=False),
    sa.Column('room', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', network.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', network.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['training_events.id'],
                            name=op.f('fk_event_sessions_event_id_training_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_sessions'))
    )
    with op.batch_alter_table('event_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_sessions_event_id'), ['event_id'], unique=False)

    op.create_table('event_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('registered_at', network.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', network.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', network.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['training_events.id'],
                            name=op.f('fk_event_registrations_event_id_training_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_event_registrations_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_registrations')),
    sa.UniqueConstraint('event_id', 'user_id', name='one_registration_per_person')
    )
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_registrations_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_registrations_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_registrations_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_registrations_user_id'))
        batch_op.drop_index(batch_op.f('ix_event_registrations_status'))
        batch_op.drop_index(batch_op.f('ix_event_registrations_event_id'))
    op.drop_table('event_registrations')
    with op.batch_alter_table('event_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_sessions_event_id'))
    op.drop_table('event_sessions')
    with op.batch_alter_table('training_events', schema=None) as batch_op:
        for name in reversed(NEW_COLUMNS):
            batch_op.drop_column(name)
