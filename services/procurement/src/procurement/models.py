"""Procurement tables."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Column, DateTime, Index, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel


def _ts(nullable: bool = False) -> Column:
    return Column(DateTime(timezone=True), nullable=nullable)


class FinanceHold(SQLModel, table=True):
    """One entry of the hold ledger: payments of a project (or contract) that must not be made."""

    __tablename__ = "finance_hold"
    __table_args__ = (
        UniqueConstraint("cause_event_id", "scope"),
        Index("ix_finance_hold_active", "project_id", postgresql_where=text("released_at IS NULL")),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    project_id: str = Field(sa_column=Column(Text, nullable=False))
    unit_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    contract_id: str | None = Field(default=None, sa_column=Column(Text))
    scope: str
    rule_ids: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    cause_event_id: str
    cause_event_type: str
    origin_event_id: str | None = Field(default=None, sa_column=Column(Text))
    """The failure or finding at the root (the cause, or what an overdue cause answers); a
    rectification releases only the holds of the root it answers (BZ-47, YL-19b)."""
    placed_at: datetime = Field(sa_column=_ts())
    lifted_by: str | None = Field(default=None, sa_column=Column(Text))
    release_condition: str | None = Field(default=None, sa_column=Column(Text))
    message_en: str
    message_zh: str
    released_at: datetime | None = Field(default=None, sa_column=_ts(True))
    release_event_id: str | None = Field(default=None, sa_column=Column(Text))
    reference_id: str | None = Field(default=None, sa_column=Column(Text))
    """The record the hold is about when narrower than the project (a change); only its release lifts it."""
    sub_project_id: str | None = Field(default=None, sa_column=Column(Text))
    """Set when the cause concerned one sub-project: only an event about that sub-project, or about
    the whole project, releases it (BY-47.3b)."""
    lifted_when: dict = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default="{}"))
    hold_mode: str = Field(default="hard", sa_column=Column(Text, nullable=False, server_default="hard"))
    amount_fen: int | None = Field(default=None, sa_column=Column(BigInteger))
    expires_on: date | None = None
    """A time-bound hold (BZ-32c: no O&M funds next year) stops applying after this day."""


class ProjectTermination(SQLModel, table=True):
    """A project or sub-project that ended before completion (终止)."""

    __tablename__ = "project_termination"
    __table_args__ = (UniqueConstraint("project_id", "sub_project_key"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    project_id: str = Field(sa_column=Column(Text, nullable=False))
    sub_project_key: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    unit_id: str
    reason: str
    rule_ids: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    cause_event_id: str
    terminated_at: datetime = Field(sa_column=_ts())
    ground: str | None = Field(default=None, sa_column=Column(Text))
    note: str | None = Field(default=None, sa_column=Column(Text))
    documents: list[dict] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False, server_default="[]"))
    filed_by: str | None = Field(default=None, sa_column=Column(Text))


def _json(nullable: bool = False) -> Column:
    return Column(JSONB, nullable=nullable)


class ProcurementProject(SQLModel, table=True):
    """A project procurement may act on: approved (ProjectApproved) or filed (MicroProjectFiled, ProjectFiled)."""

    __tablename__ = "procurement_project"

    project_id: str = Field(sa_column=Column(Text, primary_key=True))
    unit_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    pack_id: str
    pack_version: str
    project_class: str | None = Field(default=None, sa_column=Column(Text))
    authorised_by: str
    """``approval``, ``micro_filing`` or ``filing``."""
    authorising_event_id: str
    authorising_rules: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    approved_amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    original_amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    """The amount first approved: the base every change is measured against (BY-33.3)."""
    approved_on: date
    valid_until: date | None = None
    requirements: list[dict] = Field(default_factory=list, sa_column=_json())
    status: str = "open"
    """``open`` or ``terminated``."""
    compliance: str | None = Field(default=None, sa_column=Column(Text))
    """The latest pre-final compliance opinion: ``consent`` or ``refused`` (BY-45c/d)."""
    registered_at: datetime = Field(sa_column=_ts())


class Supplier(SQLModel, table=True):
    __tablename__ = "supplier"

    supplier_id: str = Field(sa_column=Column(Text, primary_key=True))
    """统一社会信用代码 (18 characters)."""
    name: str
    first_seen_at: datetime = Field(sa_column=_ts())


class SupplierRoleRow(SQLModel, table=True):
    """A supplier's role on a project: the evidence of the conflict rule (BY-29.1, DY-10.1c)."""

    __tablename__ = "supplier_role"
    __table_args__ = (UniqueConstraint("project_id", "supplier_id", "role"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    project_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    supplier_id: str
    role: str
    source: str
    """``contract`` or ``scheme_designer``."""
    contract_id: uuid.UUID | None = None
    recorded_at: datetime = Field(sa_column=_ts())


class RequirementFiling(SQLModel, table=True):
    """The procurement-requirement self-check (采购需求自查表) filed before procurement (BY-24, DY-11, DY-12)."""

    __tablename__ = "requirement_filing"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    project_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    procurement_budget_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    matches_scheme: bool
    documents: list[dict] = Field(default_factory=list, sa_column=_json())
    scheme_designer_id: str | None = None
    expert_review: dict | None = Field(default=None, sa_column=_json(True))
    rule_ids: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    filed_by: str
    filed_at: datetime = Field(sa_column=_ts())


class ContractRecord(SQLModel, table=True):
    """A filed contract or supplementary agreement (BY-26c, BY-26d) with its payment milestones."""

    __tablename__ = "contract"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    project_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    unit_id: str
    kind: str
    amends_contract_id: uuid.UUID | None = None
    supplier_id: str
    supplier_role: str
    title: str
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    signed_on: date
    term_starts_on: date
    term_ends_on: date
    deliverables: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    warranty_software_months: int | None = None
    warranty_hardware_months: int | None = None
    om_service: bool = False
    service_purchase: bool = False
    ip_clauses: dict = Field(default_factory=dict, sa_column=_json())
    milestones: list[dict] = Field(default_factory=list, sa_column=_json())
    documents: list[dict] = Field(default_factory=list, sa_column=_json())
    overrides: list[dict] = Field(default_factory=list, sa_column=_json())
    filing_due_on: date | None = None
    filed_late: bool = False
    rule_ids: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    filed_by: str
    filed_at: datetime = Field(sa_column=_ts())
    event_id: str


class ChangeRecord(SQLModel, table=True):
    """A change of an approved project (变更) as filed, measured and decided (BY-32–36, DY-17, YL-21)."""

    __tablename__ = "project_change"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    project_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    unit_id: str
    contract_id: uuid.UUID | None = None
    stage: str
    kind: str
    lines: list[dict] = Field(sa_column=_json())
    added_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    cancelled_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    change_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    base_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    new_total_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    outcome: str
    steps: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    reasons: list[dict] = Field(sa_column=_json())
    requires_approval: bool
    requires_redeclaration: bool
    after_the_fact: bool
    policy_driven: bool
    major_content_change: bool
    reason: str
    documents: list[dict] = Field(default_factory=list, sa_column=_json())
    procedure_completed_on: date | None = None
    filing_due_on: date | None = None
    filed_late: bool = False
    status: str
    """``filed`` (no approval needed), ``awaiting_decision``, ``approved``, ``refused``, ``redeclaration_required``."""
    rule_ids: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    filed_by: str
    filed_at: datetime = Field(sa_column=_ts())
    decided_by: str | None = None
    decided_at: datetime | None = Field(default=None, sa_column=_ts(True))
    decision_reasons: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(Text), nullable=False, server_default="{}"))


class ProgressReport(SQLModel, table=True):
    """A unit's periodic report of schedule and milestones to the bureau (BY-29.5)."""

    __tablename__ = "progress_report"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    project_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    period_end: date
    schedule_status: str
    milestones_due: int
    milestones_done: int
    delay_reason: str | None = None
    reported_by: str
    reported_at: datetime = Field(sa_column=_ts())


class ClearanceAnswer(SQLModel, table=True):
    """Every payment question the finance system asked and what it was told: the same request_id
    gets the same answer, and an auditor sees what the ledger said when."""

    __tablename__ = "clearance_answer"

    request_id: str = Field(sa_column=Column(Text, primary_key=True))
    project_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    contract_id: str | None = None
    milestone: str
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    answer: str
    rule_ids: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    hold_ids: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    reason: str | None = None
    ledger_as_of: datetime = Field(sa_column=_ts())
    channel: str
    """``event`` (FINANCE stream) or ``http``."""
    answered_at: datetime = Field(sa_column=_ts())


class EarlyDeadline(SQLModel, table=True):
    """An elapsed deadline about a project whose approval has not arrived yet (the two travel on
    different streams): applied the moment the approval registers the project (BY-37.3)."""

    __tablename__ = "early_deadline"

    event_id: str = Field(sa_column=Column(Text, primary_key=True))
    project_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    kind: str = Field(sa_column=Column(Text, nullable=False))
    received_at: datetime = Field(sa_column=_ts())

