"""lesson attachments: course_lesson_attachments, the files of a course's lessons (network/learning/attachments.py),
kept under UPLOAD_FOLDER/learning/ and listed by the published versions that froze them; a file removed from the
draft stays with the course (lesson_id NULL) while a version lists it

Revision ID: c3f9a6e2d8b1
Revises: b7e2d9c4a1f6
Create Date: 2026-12-05 14:33:02.160349

"""
import sqlalchemy as sa
from alembic import op

import network.types

# revision identifiers, used by Alembic.
revision = 'c3f9a6e2d8b1'
down_revision = 'b7e2d9c4a1f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('course_lesson_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=True),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', network.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_lesson_attachments_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lesson_id'], ['course_lessons.id'], name=op.f('fk_course_lesson_attachments_lesson_id_course_lessons'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_course_lesson_attachments_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_lesson_attachments')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_course_lesson_attachments_stored_name'))
    )
    with op.batch_alter_table('course_lesson_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_lesson_attachments_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_lesson_attachments_lesson_id'), ['lesson_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_lesson_attachments_uploaded_by_id'), ['uploaded_by_id'], unique=False)



def downgrade():
    with op.batch_alter_table('course_lesson_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_lesson_attachments_uploaded_by_id'))
        batch_op.drop_index(batch_op.f('ix_course_lesson_attachments_lesson_id'))
        batch_op.drop_index(batch_op.f('ix_course_lesson_attachments_course_id'))

    op.drop_table('course_lesson_attachments')
