"""The reviewer's judgements on the pack's concerns, kept with each round (BY-11, BY-22, BZ-8)

Revision ID: rev0005
Revises: rev0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'rev0005'
down_revision = 'rev0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('review_round', sa.Column('judgements', postgresql.JSONB(astext_type=sa.Text()),
                                            server_default=sa.text("'[]'::jsonb"), nullable=False))


def downgrade() -> None:
    op.drop_column('review_round', 'judgements')
