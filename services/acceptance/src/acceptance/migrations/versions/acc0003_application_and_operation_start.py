"""the unit's acceptance application (DY-20a, YL-22a) and the start of operation (BZ-42a)

Revision ID: acc0003
Revises: acc0002
"""

import sqlalchemy as sa
from alembic import op

revision = 'acc0003'
down_revision = 'acc0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('acceptance_case', sa.Column('applied_on', sa.Date(), nullable=True))
    op.add_column('acceptance_case', sa.Column('operation_started_on', sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column('acceptance_case', 'operation_started_on')
    op.drop_column('acceptance_case', 'applied_on')
