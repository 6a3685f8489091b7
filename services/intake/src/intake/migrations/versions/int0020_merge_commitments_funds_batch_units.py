"""merged design, commitments, fund application, batch units

Revision ID: int0020
Revises: int0019
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'int0020'
down_revision = 'int0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('declaration', sa.Column('design_merge', postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column('declaration', sa.Column('commitments', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"),
                                           nullable=False))
    op.add_column('declaration', sa.Column('approved_amount_fen', sa.BigInteger(), nullable=True))
    op.add_column('declaration', sa.Column('fund_review_passed_on', sa.Date(), nullable=True))
    op.add_column('declaration', sa.Column('fund_application', postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column('declaration_batch', sa.Column('sequence', sa.Integer(), nullable=True))
    op.add_column('declaration_batch', sa.Column('units', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"),
                                                 nullable=False))


def downgrade() -> None:
    op.drop_column('declaration_batch', 'units')
    op.drop_column('declaration_batch', 'sequence')
    op.drop_column('declaration', 'fund_application')
    op.drop_column('declaration', 'fund_review_passed_on')
    op.drop_column('declaration', 'approved_amount_fen')
    op.drop_column('declaration', 'commitments')
    op.drop_column('declaration', 'design_merge')
