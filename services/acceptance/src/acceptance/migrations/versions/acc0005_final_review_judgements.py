"""a final review's judgements on the pack's acceptance concerns, and the rules of those it found
(BY-29.4, BY-49, BY-56, BY-57, BZ-10, BZ-32a, BZ-45, YL-18a, YL-18c)

Revision ID: acc0005
Revises: acc0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'acc0005'
down_revision = 'acc0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('final_review', sa.Column('judgements', postgresql.JSONB(astext_type=sa.Text()),
                                            server_default=sa.text("'[]'::jsonb"), nullable=False))
    op.add_column('final_review', sa.Column('concern_rules', postgresql.ARRAY(sa.Text()), server_default='{}',
                                            nullable=False))


def downgrade() -> None:
    op.drop_column('final_review', 'concern_rules')
    op.drop_column('final_review', 'judgements')
