"""events: when the daily job saw an event over (training_events.ended_at: its certificates issued and the
event_ended signal sent, once) and when a registration was reminded two days before (event_registrations.
reminded_at, once)

Events already over when this runs are marked as seen over: the first run of the daily job after an upgrade
neither issues certificates for last year's events nor asks their participants for essays again.

Revision ID: c8e2f4a17b93
Revises: 9bbe81edc371
Create Date: 2026-12-05 12:00:00.000000

"""
from datetime import date, datetime, timezone

import sqlalchemy as sa
from alembic import op

import network.types

# revision identifiers, used by Alembic.
revision = 'c8e2f4a17b93'
down_revision = '9bbe81edc371'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('training_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ended_at', network.types.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_at', network.types.UTCDateTime(timezone=True), nullable=True))

    events = sa.table('training_events', sa.column('end_date', sa.Date()),
                      sa.column('ended_at', network.types.UTCDateTime(timezone=True)))
    op.execute(events.update().where(events.c.end_date < date.today())
               .values(ended_at=datetime.now(timezone.utc)))


def downgrade():
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.drop_column('reminded_at')
    with op.batch_alter_table('training_events', schema=None) as batch_op:
        batch_op.drop_column('ended_at')
