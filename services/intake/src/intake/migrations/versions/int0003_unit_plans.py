"""Plans and catalogues units file (BY-10, BY-12, YF-6, BZ-16, YL-7)

Revision ID: int0003
Revises: int0002
"""

import sqlalchemy as sa
from alembic import op


revision = 'int0003'
down_revision = 'int0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unit_plan',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('plan_year', sa.Integer(), nullable=True),
    sa.Column('plan_year_key', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('document_name', sa.Text(), nullable=False),
    sa.Column('document_sm3', sa.Text(), nullable=False),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('filed_by', sa.Text(), nullable=False),
    sa.Column('event_id', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('unit_id', 'kind', 'plan_year_key', 'revision')
    )
    op.create_index(op.f('ix_unit_plan_unit_id'), 'unit_plan', ['unit_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_unit_plan_unit_id'), table_name='unit_plan')
    op.drop_table('unit_plan')
