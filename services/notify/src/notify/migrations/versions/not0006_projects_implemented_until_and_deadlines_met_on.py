"""projects implemented until (BZ-41's yearly report ends with acceptance); the day a deadline was met

Revision ID: not0006
Revises: not0005
"""

import sqlalchemy as sa
from alembic import op

revision = 'not0006'
down_revision = 'not0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('followed_project', sa.Column('implemented_until', sa.Date(), nullable=True))
    # projects already accepted, as far as their acceptance's own deadlines tell, owe no yearly report
    op.execute("UPDATE followed_project SET implemented_until = d.day FROM "
               "(SELECT project_id, min(anchor_on) AS day FROM deadline WHERE started_by_event_type = 'AcceptancePassed' "
               "GROUP BY project_id) AS d WHERE d.project_id = followed_project.project_id")
    op.add_column('deadline', sa.Column('met_on', sa.Date(), nullable=True))
    # deadlines met before: on the day notify heard of it, the best record there is
    op.execute("UPDATE deadline SET met_on = (stopped_at AT TIME ZONE 'Asia/Shanghai')::date WHERE stopped_at IS NOT NULL")


def downgrade() -> None:
    op.drop_column('deadline', 'met_on')
    op.drop_column('followed_project', 'implemented_until')
