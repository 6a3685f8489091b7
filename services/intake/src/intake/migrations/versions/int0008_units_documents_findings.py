"""Unit registry (BY-5.2a, BY-10), the append-only document store, declaration findings (BY-19.1b, BY-22.3)
and structured forms (DY-A1, DY-A2)

Revision ID: int0008
Revises: int0007
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'int0008'
down_revision = 'int0007'
branch_labels = None
depends_on = None

JSON_LIST = sa.text("'[]'::jsonb")
JSON_OBJECT = sa.text("'{}'::jsonb")


def upgrade() -> None:
    op.create_table('unit',
    sa.Column('unit_id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('level', sa.Text(), nullable=False),
    sa.Column('parent_unit_id', sa.Text(), nullable=True),
    sa.Column('sector', sa.Text(), nullable=True),
    sa.Column('chief_data_officer', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('registered_by', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('unit_id'),
    sa.CheckConstraint("level IN ('first_level', 'subordinate')", name='unit_level'),
    sa.CheckConstraint("(level = 'subordinate') = (parent_unit_id IS NOT NULL)", name='unit_parent_iff_subordinate'),
    )
    op.create_index(op.f('ix_unit_parent_unit_id'), 'unit', ['parent_unit_id'], unique=False)
    op.create_table('document',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('media_type', sa.Text(), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('sm3', sa.Text(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('unit_id', 'name', 'version'),
    )
    op.create_index('ix_document_unit_sm3', 'document', ['unit_id', 'sm3'], unique=False)
    # an earlier version is evidence of what was filed: never rewritten, never removed
    op.execute("""
        CREATE FUNCTION document_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'document versions are kept (% refused)', TG_OP;
        END $$
    """)
    op.execute("CREATE TRIGGER document_append_only BEFORE UPDATE OR DELETE ON document "
               "FOR EACH ROW EXECUTE FUNCTION document_append_only()")
    op.execute("CREATE TRIGGER document_no_truncate BEFORE TRUNCATE ON document "
               "FOR EACH STATEMENT EXECUTE FUNCTION document_append_only()")
    op.add_column('unit_plan', sa.Column('systems', postgresql.JSONB(astext_type=sa.Text()), server_default=JSON_LIST, nullable=False))
    for name, column in (('using_unit_id', sa.Text()), ('purpose', sa.Text()), ('system_name', sa.Text()),
                         ('planned_start', sa.Date()), ('planned_end', sa.Date())):
        op.add_column('declaration', sa.Column(name, column, nullable=True))
    op.add_column('declaration', sa.Column('forms', postgresql.JSONB(astext_type=sa.Text()), server_default=JSON_OBJECT, nullable=False))
    op.add_column('declaration', sa.Column('findings', postgresql.JSONB(astext_type=sa.Text()), server_default=JSON_LIST, nullable=False))


def downgrade() -> None:
    for name in ('findings', 'forms', 'planned_end', 'planned_start', 'system_name', 'purpose', 'using_unit_id'):
        op.drop_column('declaration', name)
    op.drop_column('unit_plan', 'systems')
    op.execute("DROP TRIGGER document_no_truncate ON document")
    op.execute("DROP TRIGGER document_append_only ON document")
    op.execute("DROP FUNCTION document_append_only()")
    op.drop_index('ix_document_unit_sm3', table_name='document')
    op.drop_table('document')
    op.drop_index(op.f('ix_unit_parent_unit_id'), table_name='unit')
    op.drop_table('unit')
