"""practice_html: a practice's sections stored as safe HTML, made when it is saved, so that its page runs neither
Markdown nor the sanitiser; made here for the practices there are

Revision ID: 5d1e8a3c9f27
Revises: 4c8e1a7d2f90
Create Date: 2026-12-06 10:00:00.000000

A table of its own beside `practices` (lists scan that table and never read this). The rows are made with
today's sanitiser (network/practices/rendering.py, the code the application saves with) and say which rules
made them: when those change, `flask --app network practices render-html` makes them again. Some 4 ms of
rendering a practice: about 40 s for 10,000 practices.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5d1e8a3c9f27'
down_revision = '4c8e1a7d2f90'
branch_labels = None
depends_on = None

SECTIONS = ("context", "target_group", "objectives", "methods", "resources", "outcomes", "lessons")
BATCH = 500  # practices read, rendered and written at a time: the memory stays that of one batch

practices = sa.table("practices", sa.column("id", sa.Integer), *(sa.column(name, sa.Text) for name in SECTIONS))
practice_html = sa.table("practice_html", sa.column("practice_id", sa.Integer), sa.column("rules", sa.String),
                         sa.column("source_digest", sa.String), *(sa.column(name, sa.Text) for name in SECTIONS))


def upgrade():
    op.create_table('practice_html',
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('rules', sa.String(length=32), nullable=False),
    sa.Column('source_digest', sa.String(length=32), nullable=False),
    sa.Column('context', sa.Text(), nullable=False),
    sa.Column('target_group', sa.Text(), nullable=False),
    sa.Column('objectives', sa.Text(), nullable=False),
    sa.Column('methods', sa.Text(), nullable=False),
    sa.Column('resources', sa.Text(), nullable=False),
    sa.Column('outcomes', sa.Text(), nullable=False),
    sa.Column('lessons', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'], name=op.f('fk_practice_html_practice_id_practices'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('practice_id', name=op.f('pk_practice_html'))
    )
    _fill(op.get_bind())


def _fill(connection) -> None:
    from network.practices import rendering

    last_id = 0
    while True:
        rows = connection.execute(sa.select(practices).where(practices.c.id > last_id)
                                  .order_by(practices.c.id).limit(BATCH)).all()
        if not rows:
            return
        made = []
        for practice_id, *texts in rows:
            texts = [text or "" for text in texts]
            made.append(dict(practice_id=practice_id, rules=rendering.RULES,
                             source_digest=rendering.source_digest(texts),
                             **dict(zip(SECTIONS, rendering.render_sections(texts)))))
        connection.execute(practice_html.insert(), made)
        last_id = rows[-1][0]


def downgrade():
    op.drop_table('practice_html')
