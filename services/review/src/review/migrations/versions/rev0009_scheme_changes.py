"""Scheme changes after expert or cost review, with the bureau's consent (BY-31.3, BY-31.4)

Revision ID: rev0009
Revises: rev0008
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'rev0009'
down_revision = 'rev0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scheme_change',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Text(), nullable=False),
    sa.Column('after_stage', sa.Text(), nullable=False),
    sa.Column('substantive', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('requested_by', sa.Text(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('consented', sa.Boolean(), nullable=True),
    sa.Column('reasons', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('decided_by', sa.Text(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('event_id', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.CheckConstraint("after_stage IN ('expert_review', 'cost_review')", name='scheme_change_after_stage'),
    )
    op.create_index(op.f('ix_scheme_change_project_id'), 'scheme_change', ['project_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_scheme_change_project_id'), table_name='scheme_change')
    op.drop_table('scheme_change')
