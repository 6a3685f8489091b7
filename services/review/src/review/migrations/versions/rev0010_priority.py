"""The bureau's order of work over open cases (轻重缓急, YL-10)

Revision ID: rev0010
Revises: rev0009
"""

import sqlalchemy as sa
from alembic import op

revision = 'rev0010'
down_revision = 'rev0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('review_case', sa.Column('priority', sa.Text(), server_default=sa.text("'normal'"), nullable=False))
    op.add_column('review_case', sa.Column('priority_reason', sa.Text(), nullable=True))
    op.create_check_constraint('review_case_priority', 'review_case', "priority IN ('urgent', 'high', 'normal', 'low')")


def downgrade() -> None:
    op.drop_constraint('review_case_priority', 'review_case')
    op.drop_column('review_case', 'priority_reason')
    op.drop_column('review_case', 'priority')
