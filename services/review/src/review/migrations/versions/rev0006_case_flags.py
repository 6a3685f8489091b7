"""The declared facts the pack's conditions read, kept with the case for the approval's requirements

Revision ID: rev0006
Revises: rev0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'rev0006'
down_revision = 'rev0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('review_case', sa.Column('flags', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"),
                                           nullable=False))
    op.add_column('approval', sa.Column('requirements', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"),
                                        nullable=False))


def downgrade() -> None:
    op.drop_column('approval', 'requirements')
    op.drop_column('review_case', 'flags')
