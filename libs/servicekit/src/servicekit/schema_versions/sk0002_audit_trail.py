"""The append-only, hash-chained audit trail.

Revision ID: sk0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "sk0002"
down_revision = "sk0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_record",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("service", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("unit_id", sa.Text),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("object_type", sa.Text, nullable=False),
        sa.Column("object_id", sa.Text, nullable=False),
        sa.Column("project_id", sa.Text),
        sa.Column("object_unit_id", sa.Text),
        sa.Column("rule_ids", postgresql.JSONB, nullable=False),
        sa.Column("request_id", sa.Text),
        sa.Column("trace_id", sa.Text),
        sa.Column("cause_event_id", sa.Text),
        sa.Column("source", sa.Text),
        sa.Column("details", postgresql.JSONB, nullable=False),
        sa.Column("prev_hash", sa.Text, nullable=False),
        sa.Column("hash", sa.Text, nullable=False),
    )
    op.create_index("ix_audit_record_project_id", "audit_record", ["project_id"])
    # The service's own role may add rows but never change or remove them (等保 2.0: audit records
    # protected from deletion and change); only a superuser disabling the trigger could, and the
    # hash chain then shows it.
    op.execute("""
        CREATE FUNCTION audit_record_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_record is append-only (% refused)', TG_OP;
        END $$;
    """)
    op.execute("""
        CREATE TRIGGER audit_record_append_only BEFORE UPDATE OR DELETE ON audit_record
        FOR EACH ROW EXECUTE FUNCTION audit_record_append_only();
    """)
    op.execute("""
        CREATE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON audit_record
        FOR EACH STATEMENT EXECUTE FUNCTION audit_record_append_only();
    """)


def downgrade() -> None:
    op.execute("DROP TABLE audit_record")
    op.execute("DROP FUNCTION audit_record_append_only()")
