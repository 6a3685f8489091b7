"""Declaration batches and their windows (BY-14a) and out-of-window consents (BY-14b)

Revision ID: int0004
Revises: int0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'int0004'
down_revision = 'int0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('declaration_batch',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('pack_id', sa.Text(), nullable=False),
    sa.Column('pack_version', sa.Text(), nullable=False),
    sa.Column('plan_year', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('notice_issued_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('window_provisional', sa.Boolean(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_by', sa.Text(), nullable=False),
    sa.Column('event_id', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.add_column('declaration', sa.Column('batch_id', sa.Uuid(), nullable=True))
    op.add_column('declaration', sa.Column('out_of_window_consents', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False))


def downgrade() -> None:
    op.drop_column('declaration', 'out_of_window_consents')
    op.drop_column('declaration', 'batch_id')
    op.drop_table('declaration_batch')
