"""Projects that passed acceptance, for upgrade declarations (BY-22.8, BZ-8.8)

Revision ID: int0005
Revises: int0004
"""

import sqlalchemy as sa
from alembic import op


revision = 'int0005'
down_revision = 'int0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('accepted_project',
    sa.Column('project_id', sa.Text(), nullable=False),
    sa.Column('unit_id', sa.Text(), nullable=False),
    sa.Column('accepted_on', sa.Date(), nullable=False),
    sa.Column('event_id', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('project_id')
    )


def downgrade() -> None:
    op.drop_table('accepted_project')
