"""The bureau's application for the funds of a 公共类 project (YF-7.4)

Revision ID: rev0012
Revises: rev0011
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'rev0012'
down_revision = 'rev0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('review_case', sa.Column('fund_application', postgresql.JSONB(astext_type=sa.Text()), nullable=True))


def downgrade() -> None:
    op.drop_column('review_case', 'fund_application')
