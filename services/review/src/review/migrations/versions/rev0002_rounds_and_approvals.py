"""Review rounds per stage, the case's path and amounts, pauses (BY-48d), approvals (BY-20.4)

Revision ID: rev0002
Revises: rev0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'rev0002'
down_revision = 'rev0001'
branch_labels = None
depends_on = None

JSON_LIST = sa.text("'[]'::jsonb")


def upgrade() -> None:
    for name, column in (('project_class', sa.Text()), ('track', sa.Text()), ('scheme_id', sa.Text()),
                         ('plan_amount_fen', sa.BigInteger()), ('reviewed_amount_fen', sa.BigInteger()),
                         ('paused_at', sa.DateTime(timezone=True)), ('paused_by_event_id', sa.Text()),
                         ('closed_at', sa.DateTime(timezone=True))):
        op.add_column('review_case', sa.Column(name, column, nullable=True))
    op.add_column('review_case', sa.Column('path', postgresql.JSONB(astext_type=sa.Text()), server_default=JSON_LIST, nullable=False))
    op.add_column('review_case', sa.Column('awaiting', sa.Text(), server_default=sa.text("'bureau'"), nullable=False))
    op.add_column('review_case', sa.Column('findings', postgresql.JSONB(astext_type=sa.Text()), server_default=JSON_LIST, nullable=False))
    op.create_table('review_round',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Text(), nullable=False),
    sa.Column('stage', sa.Text(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_by_event_id', sa.Text(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('due_provisional', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('reasons', postgresql.JSONB(astext_type=sa.Text()), server_default=JSON_LIST, nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=True),
    sa.Column('rule_ids', postgresql.JSONB(astext_type=sa.Text()), server_default=JSON_LIST, nullable=False),
    sa.Column('decided_by', sa.Text(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('event_id', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'stage', 'round'),
    sa.CheckConstraint("result IS NULL OR result IN ('passed', 'failed')", name='review_round_result'),
    )
    op.create_index(op.f('ix_review_round_project_id'), 'review_round', ['project_id'], unique=False)
    op.create_table('approval',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Text(), nullable=False),
    sa.Column('unit_id', sa.Text(), nullable=False),
    sa.Column('pack_id', sa.Text(), nullable=False),
    sa.Column('pack_version', sa.Text(), nullable=False),
    sa.Column('approved_amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('ceiling_basis', sa.Text(), nullable=False),
    sa.Column('authority', sa.Text(), nullable=False),
    sa.Column('approved_on', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('document_number', sa.Text(), nullable=False),
    sa.Column('opinions', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('rule_ids', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('approved_by', sa.Text(), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('event_id', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id'),
    sa.CheckConstraint('approved_amount_fen > 0', name='approval_amount_positive'),
    )


def downgrade() -> None:
    op.drop_table('approval')
    op.drop_index(op.f('ix_review_round_project_id'), table_name='review_round')
    op.drop_table('review_round')
    for name in ('findings', 'awaiting', 'path', 'closed_at', 'paused_by_event_id', 'paused_at', 'reviewed_amount_fen',
                 'plan_amount_fen', 'scheme_id', 'track', 'project_class'):
        op.drop_column('review_case', name)
