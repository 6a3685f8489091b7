"""Review rounds of a declaration and the resubmission deadline (BY-16c, BY-16d)

Revision ID: int0006
Revises: int0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


revision = 'int0006'
down_revision = 'int0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('declaration', sa.Column('round', sa.Integer(), server_default=sa.text('1'), nullable=False))
    op.add_column('declaration', sa.Column('status', sa.Text(), server_default=sa.text("'submitted'"), nullable=False))
    op.add_column('declaration', sa.Column('opinion_received_on', sa.Date(), nullable=True))
    op.add_column('declaration', sa.Column('opinion_reasons', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False))


def downgrade() -> None:
    op.drop_column('declaration', 'opinion_reasons')
    op.drop_column('declaration', 'opinion_received_on')
    op.drop_column('declaration', 'status')
    op.drop_column('declaration', 'round')
