"""A consented scheme change the next revision answers (BY-31.3, BY-31.4)

Revision ID: int0011
Revises: int0010
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'int0011'
down_revision = 'int0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('declaration', sa.Column('change_flags', postgresql.JSONB(astext_type=sa.Text()),
                                           server_default=sa.text("'[]'::jsonb"), nullable=False))


def downgrade() -> None:
    op.drop_column('declaration', 'change_flags')
