"""an evaluation's firm (BY-52), mid-implementation ground (BY-52.3) and IP report (BY-54); the
supplier roles a project contracted, whose reports acceptance then owes (YF-13b, YL-25c)

Revision ID: acc0004
Revises: acc0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'acc0004'
down_revision = 'acc0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('evaluation', sa.Column('ground', sa.Text(), nullable=True))
    op.add_column('evaluation', sa.Column('firm', postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column('evaluation', sa.Column('ip_report', postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column('acceptance_case', sa.Column('contracted_roles', postgresql.ARRAY(sa.Text()), server_default='{}',
                                               nullable=False))
    # a builder's contract already on file set the contract amount
    op.execute("UPDATE acceptance_case SET contracted_roles = '{builder}' WHERE contract_amount_fen > 0")


def downgrade() -> None:
    op.drop_column('acceptance_case', 'contracted_roles')
    op.drop_column('evaluation', 'ip_report')
    op.drop_column('evaluation', 'firm')
    op.drop_column('evaluation', 'ground')
