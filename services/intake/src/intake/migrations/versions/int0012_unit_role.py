"""The body that declares 公共类 projects: the bureau (YF-7.1) or the information centre (YL-4.2)

Revision ID: int0012
Revises: int0011
"""

import sqlalchemy as sa
from alembic import op

revision = 'int0012'
down_revision = 'int0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('unit', sa.Column('role', sa.Text(), nullable=True))
    op.create_check_constraint('unit_role', 'unit', "role IS NULL OR role IN ('data_bureau', 'information_centre')")


def downgrade() -> None:
    op.drop_constraint('unit_role', 'unit')
    op.drop_column('unit', 'role')
