"""Time-bound and same-type blocks (BY-53.2, BZ-32c) and the class of each declared project (BY-4)

Revision ID: int0002
Revises: int0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'int0002'
down_revision = 'int0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # declarations made before the class was asked for keep NULL; every new one names it (BY-17.1a)
    op.add_column('declaration', sa.Column('project_class', sa.Text(), nullable=True))
    op.add_column('unit_block', sa.Column('lifted_when', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False))
    op.add_column('unit_block', sa.Column('project_class', sa.Text(), nullable=True))
    op.add_column('unit_block', sa.Column('until', sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column('unit_block', 'until')
    op.drop_column('unit_block', 'project_class')
    op.drop_column('unit_block', 'lifted_when')
    op.drop_column('declaration', 'project_class')
