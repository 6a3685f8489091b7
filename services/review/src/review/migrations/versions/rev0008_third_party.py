"""The qualified third party that reviewed a round, where the pack requires one (DY-10.3b)

Revision ID: rev0008
Revises: rev0007
"""

import sqlalchemy as sa
from alembic import op

revision = 'rev0008'
down_revision = 'rev0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('review_round', sa.Column('third_party', sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column('review_round', 'third_party')
