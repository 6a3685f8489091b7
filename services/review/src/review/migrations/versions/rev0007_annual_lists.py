"""The year's project list approved by 市委、市政府 (BZ-15)

Revision ID: rev0007
Revises: rev0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'rev0007'
down_revision = 'rev0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('annual_list',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('pack_id', sa.Text(), nullable=False),
    sa.Column('pack_version', sa.Text(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('project_ids', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('approved_on', sa.Date(), nullable=False),
    sa.Column('document_number', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('event_id', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('annual_list')
