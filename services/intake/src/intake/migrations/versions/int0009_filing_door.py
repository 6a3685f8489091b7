"""How a project came in: declared for review, filed under 备案制 (YL-13), or filed below the floor (DY-2.1b)

Revision ID: int0009
Revises: int0008
"""

import sqlalchemy as sa
from alembic import op

revision = 'int0009'
down_revision = 'int0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('declaration', sa.Column('door', sa.Text(), server_default=sa.text("'declaration'"), nullable=False))
    op.create_check_constraint('declaration_door', 'declaration', "door IN ('declaration', 'filing', 'below_floor_filing')")


def downgrade() -> None:
    op.drop_constraint('declaration_door', 'declaration')
    op.drop_column('declaration', 'door')
