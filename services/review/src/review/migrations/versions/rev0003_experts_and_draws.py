"""Expert pool, review meetings with committed seeds, draws and bookings (BY-20.2b, BY-5.2b)

Revision ID: rev0003
Revises: rev0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'rev0003'
down_revision = 'rev0002'
branch_labels = None
depends_on = None


def _json(name: str) -> sa.Column:
    return sa.Column(name, postgresql.JSONB(astext_type=sa.Text()), nullable=False)


def upgrade() -> None:
    op.create_table('expert',
    sa.Column('expert_id', sa.Text(), nullable=False),
    sa.Column('username', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('employer', sa.Text(), nullable=False),
    _json('fields'), _json('pools'),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('expert_id'),
    sa.UniqueConstraint('username'),
    )
    op.create_table('review_meeting',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Text(), nullable=False),
    sa.Column('stage', sa.Text(), nullable=False),
    sa.Column('pool', sa.Text(), nullable=False),
    _json('fields'),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    _json('conflicted_employers'), _json('involved_experts'),
    sa.Column('seed_commitment', sa.Text(), nullable=False),
    sa.Column('seed', sa.Text(), nullable=False),
    sa.Column('revealed', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('scheduled_by', sa.Text(), nullable=False),
    sa.Column('scheduled_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.CheckConstraint('ends_at > starts_at', name='review_meeting_period'),
    sa.CheckConstraint('size > 0', name='review_meeting_size'),
    )
    op.create_index(op.f('ix_review_meeting_project_id'), 'review_meeting', ['project_id'], unique=False)
    op.create_table('expert_draw',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('meeting_id', sa.Uuid(), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    _json('candidates'), _json('excluded'), _json('selected'),
    sa.Column('drawn_by', sa.Text(), nullable=False),
    sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('meeting_id', 'attempt'),
    )
    op.create_index(op.f('ix_expert_draw_meeting_id'), 'expert_draw', ['meeting_id'], unique=False)
    op.create_table('expert_booking',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('meeting_id', sa.Uuid(), nullable=False),
    sa.Column('expert_id', sa.Text(), nullable=False),
    sa.Column('project_id', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('declined_reason', sa.Text(), nullable=True),
    sa.Column('declined_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('meeting_id', 'expert_id'),
    sa.CheckConstraint("status IN ('booked', 'declined')", name='expert_booking_status'),
    )
    op.create_index(op.f('ix_expert_booking_meeting_id'), 'expert_booking', ['meeting_id'], unique=False)
    op.create_index(op.f('ix_expert_booking_expert_id'), 'expert_booking', ['expert_id'], unique=False)


def downgrade() -> None:
    op.drop_table('expert_booking')
    op.drop_table('expert_draw')
    op.drop_index(op.f('ix_review_meeting_project_id'), table_name='review_meeting')
    op.drop_table('review_meeting')
    op.drop_table('expert')
