"""Co-review opinions of other bodies (BY-5.5, BY-5.6, BZ-20, YL-4.5, YL-4.7)

Revision ID: rev0004
Revises: rev0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'rev0004'
down_revision = 'rev0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('co_review',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_zh', sa.Text(), nullable=False),
    sa.Column('before', sa.Text(), nullable=False),
    sa.Column('rule_ids', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('requested_by', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('reasons', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('recorded_by', sa.Text(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'body'),
    sa.CheckConstraint("result IS NULL OR result IN ('agreed', 'objected')", name='co_review_result'),
    )
    op.create_index(op.f('ix_co_review_project_id'), 'co_review', ['project_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_co_review_project_id'), table_name='co_review')
    op.drop_table('co_review')
