"""The facts a unit declared for the pack's conditions, kept for resubmissions and review

Revision ID: int0010
Revises: int0009
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'int0010'
down_revision = 'int0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('declaration', sa.Column('flags', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"),
                                           nullable=False))


def downgrade() -> None:
    op.drop_column('declaration', 'flags')
