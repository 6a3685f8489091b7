"""Schemes (立项方案, BY-17) and the amount fixed at plan review (BY-17.2b)

Revision ID: int0007
Revises: int0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'int0007'
down_revision = 'int0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scheme',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Text(), nullable=False),
    sa.Column('unit_id', sa.Text(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('track', sa.Text(), nullable=False),
    sa.Column('estimate_fen', sa.BigInteger(), nullable=False),
    sa.Column('business_operation_fen', sa.BigInteger(), nullable=False),
    sa.Column('differs_from_plan', sa.Boolean(), nullable=False),
    sa.Column('documents', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('event_id', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'revision')
    )
    op.create_index(op.f('ix_scheme_project_id'), 'scheme', ['project_id'], unique=False)
    op.add_column('declaration', sa.Column('plan_review_amount_fen', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.drop_column('declaration', 'plan_review_amount_fen')
    op.drop_index(op.f('ix_scheme_project_id'), table_name='scheme')
    op.drop_table('scheme')
