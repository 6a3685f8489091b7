"""Intake tables."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Column, Date, DateTime, Index, Integer, LargeBinary, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel


def _ts(nullable: bool = False) -> Column:
    return Column(DateTime(timezone=True), nullable=nullable)


class Declaration(SQLModel, table=True):
    """A plan declaration (计划申报) accepted by intake; the project's identity starts here."""

    __tablename__ = "declaration"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    project_id: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    unit_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    pack_id: str
    pack_version: str
    door: str = Field(default="declaration", sa_column=Column(Text, nullable=False, server_default=text("'declaration'")))
    """declaration (reviewed), filing (备案制, YL-13) or below_floor_filing (DY-2.1b)."""
    project_name: str
    declared_amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    upgrade_of_project_id: str | None = Field(default=None, sa_column=Column(Text))
    batch_id: uuid.UUID | None = Field(default=None)
    out_of_window_consents: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")))
    """The consent documents that let a declaration in outside the window (BY-14b)."""
    project_class: str | None = Field(default=None, sa_column=Column(Text))
    """The class in the pack's taxonomy (BY-4, BY-17.1a); the key of same-type bans (A-6)."""
    submitted_at: datetime = Field(sa_column=_ts())
    event_id: str
    round: int = Field(default=1, sa_column=Column(Integer, nullable=False, server_default=text("1")))
    status: str = Field(default="submitted", sa_column=Column(Text, nullable=False, server_default=text("'submitted'")))
    """submitted → returned (an opinion asks for changes) → submitted … → plan_passed → scheme_submitted ⇄ scheme_returned
    → scheme_passed → approved; rejected (不予立项) from any review; micro_filed (BY-19.1a); filed for filings."""
    opinion_received_on: date | None = Field(default=None, sa_column=Column(Date))
    """The business day the last opinion reached the unit; the resubmission period counts from it (BY-16c)."""
    plan_review_amount_fen: int | None = Field(default=None, sa_column=Column(BigInteger))
    """The amount fixed at plan review: the scheme's total may not exceed it (BY-17.2b)."""
    opinion_reasons: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")))
    using_unit_id: str | None = Field(default=None, sa_column=Column(Text))
    """The subordinate unit the project is for, when not the declaring unit itself (BY-5.2a, DY-A1 项目使用单位)."""
    purpose: str | None = Field(default=None, sa_column=Column(Text))
    system_name: str | None = Field(default=None, sa_column=Column(Text))
    planned_start: date | None = Field(default=None, sa_column=Column(Date))
    planned_end: date | None = Field(default=None, sa_column=Column(Date))
    forms: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default=text("'{}'::jsonb")))
    """Structured application forms the pack asks for (DY-A1 立项申请表, DY-A2 数据资源管理核查表)."""
    findings: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")))
    """What intake found for the reviewer to judge, with its evidence (BY-19.1b splitting, BY-22.3 duplicates)."""
    flags: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")))
    receipt: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    scheme_filing: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    """The stamped final scheme filed after the last review stage (BY-21): its document and when."""
    """The receipt given at submission (server time, SM3 of the request, the documents), so it can be fetched again."""
    """Facts the pack's conditions read, as the unit declared them (software_development, self_build …)."""
    change_flags: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")))
    participants: list[dict] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")))
    """A consented change the next scheme revision answers, as the pack's flags (BY-31.3, BY-31.4)."""
    design_merge: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB(none_as_null=True)))
    """The ground a merged 实施方案 rests on, with its evidence (BZ-17.1–17.3)."""
    commitments: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")))
    """Funds or county documents already behind an unapproved project, with their documents (DY-7)."""
    approved_amount_fen: int | None = Field(default=None, sa_column=Column(BigInteger))
    """立项批复金额, as the approval gave it: the most the unit applies for (YF-8.5)."""
    fund_review_passed_on: date | None = Field(default=None, sa_column=Column(Date))
    """When the finance bureau's fund review passed (YF-8.3): the funds may be applied for after it (YF-8.5)."""
    fund_application: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB(none_as_null=True)))
    """The unit's application for the approved funds (YF-8.5)."""


class UnitBlock(SQLModel, table=True):
    """A block on a unit's declarations, placed by an event and lifted by another."""

    __tablename__ = "unit_block"
    __table_args__ = (
        UniqueConstraint("cause_event_id", "scope"),
        Index("ix_unit_block_active", "unit_id", postgresql_where=text("lifted_at IS NULL")),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    unit_id: str = Field(sa_column=Column(Text, nullable=False))
    scope: str
    rule_ids: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    project_id: str | None = Field(default=None, sa_column=Column(Text))
    sub_project_id: str | None = Field(default=None, sa_column=Column(Text))
    """Set when the cause concerned one sub-project: only an event about that sub-project, or about
    the whole project, lifts it (BY-47.3b)."""
    cause_event_id: str
    cause_event_type: str
    origin_event_id: str | None = Field(default=None, sa_column=Column(Text))
    """The failure or finding at the root: the cause itself, or what an overdue cause answers. A
    rectification lifts only the blocks of the root it answers (BY-22.15, BZ-47)."""
    placed_at: datetime = Field(sa_column=_ts())
    lifted_by: str | None = Field(default=None, sa_column=Column(Text))
    lift_inferred: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    message_en: str
    message_zh: str
    lifted_when: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default=text("'{}'::jsonb")))
    """Facts the lifting event must carry (BY-45d: an opinion with consent)."""
    project_class: str | None = Field(default=None, sa_column=Column(Text))
    """For same-type bans: the class of the project that caused it (BY-53.2, A-6)."""
    until: date | None = Field(default=None, sa_column=Column(Date))
    """Last day a time-bound block stands (BY-53.2, BZ-32c: through the next calendar year, A-18)."""
    lifted_at: datetime | None = Field(default=None, sa_column=_ts(True))
    lift_event_id: str | None = Field(default=None, sa_column=Column(Text))


class UnitPlan(SQLModel, table=True):
    """A plan or catalogue a unit filed (规划备案, 信息化资产目录 …); a re-filing is a new revision."""

    __tablename__ = "unit_plan"
    __table_args__ = (UniqueConstraint("unit_id", "kind", "plan_year_key", "revision"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    unit_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    kind: str = Field(sa_column=Column(Text, nullable=False))
    plan_year: int | None = Field(default=None)
    plan_year_key: int = Field(default=0, nullable=False)
    """``plan_year`` or 0: a unique key cannot hold NULLs as equal."""
    revision: int = Field(nullable=False)
    document_name: str = Field(sa_column=Column(Text, nullable=False))
    document_sm3: str = Field(sa_column=Column(Text, nullable=False))
    systems: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")))
    """The asset catalogue's systems (BY-10), the ground duplicate checks compare against (BY-22.3)."""
    filed_at: datetime = Field(sa_column=_ts())
    filed_by: str = Field(sa_column=Column(Text, nullable=False))
    event_id: str = Field(sa_column=Column(Text, nullable=False))


class Batch(SQLModel, table=True):
    """A declaration batch (申报批次) and its window (BY-14a; A-17)."""

    __tablename__ = "declaration_batch"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    pack_id: str = Field(sa_column=Column(Text, nullable=False))
    pack_version: str = Field(sa_column=Column(Text, nullable=False))
    plan_year: int = Field(nullable=False)
    title: str = Field(sa_column=Column(Text, nullable=False))
    notice_issued_on: date = Field(sa_column=Column(Date, nullable=False))
    closes_on: date = Field(sa_column=Column(Date, nullable=False))
    window_provisional: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    sequence: int | None = Field(default=None, sa_column=Column(Integer))
    """第N批 within the pack's plan year (YL-6)."""
    units: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")))
    """The units the batch is issued to (YL-6); empty: every unit."""
    opened_at: datetime = Field(sa_column=_ts())
    opened_by: str = Field(sa_column=Column(Text, nullable=False))
    event_id: str = Field(sa_column=Column(Text, nullable=False))


class AcceptedProject(SQLModel, table=True):
    """A project that passed final acceptance, as intake learned it (AcceptancePassed): an upgrade of it may be declared."""

    __tablename__ = "accepted_project"

    project_id: str = Field(sa_column=Column(Text, primary_key=True))
    unit_id: str = Field(sa_column=Column(Text, nullable=False))
    accepted_on: date = Field(sa_column=Column(Date, nullable=False))
    event_id: str = Field(sa_column=Column(Text, nullable=False))


class ProjectProgress(SQLModel, table=True):
    """The latest progress report of a unit's project (ProgressReported, BY-29.5): evidence for BY-22.5."""

    __tablename__ = "project_progress"

    project_id: str = Field(sa_column=Column(Text, primary_key=True))
    unit_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    report_id: str = Field(sa_column=Column(Text, nullable=False))
    period_end: date = Field(sa_column=Column(Date, nullable=False))
    schedule_status: str = Field(sa_column=Column(Text, nullable=False))
    milestones_due: int
    milestones_done: int
    delay_reason: str | None = Field(default=None, sa_column=Column(Text))
    event_id: str = Field(sa_column=Column(Text, nullable=False))


class Scheme(SQLModel, table=True):
    """A 立项方案 submitted after the plan passed review (BY-17), one row per revision."""

    __tablename__ = "scheme"
    __table_args__ = (UniqueConstraint("project_id", "revision"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    project_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    unit_id: str = Field(sa_column=Column(Text, nullable=False))
    revision: int = Field(nullable=False)
    track: str = Field(sa_column=Column(Text, nullable=False))
    estimate_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    business_operation_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    differs_from_plan: bool = Field(sa_column=Column(Boolean, nullable=False))
    documents: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    submitted_at: datetime = Field(sa_column=_ts())
    event_id: str = Field(sa_column=Column(Text, nullable=False))


class Unit(SQLModel, table=True):
    """A unit in the jurisdiction's registry: a first-level budget unit (一级预算单位) or one of its
    subordinates (BY-5.2a), with its chief data officer (首席数据官, BY-10)."""

    __tablename__ = "unit"
    __table_args__ = (
        CheckConstraint("level IN ('first_level', 'subordinate')", name="unit_level"),
        CheckConstraint("(level = 'subordinate') = (parent_unit_id IS NOT NULL)", name="unit_parent_iff_subordinate"),
    )

    unit_id: str = Field(sa_column=Column(Text, primary_key=True))
    name: str = Field(sa_column=Column(Text, nullable=False))
    level: str = Field(sa_column=Column(Text, nullable=False))
    """first_level (一级预算单位) or subordinate (下属单位)."""
    parent_unit_id: str | None = Field(default=None, sa_column=Column(Text, index=True))
    sector: str | None = Field(default=None, sa_column=Column(Text))
    """health or education: the sector bureau organises these units' projects (BY-5.7)."""
    role: str | None = Field(default=None, sa_column=Column(Text))
    """data_bureau or information_centre: who declares 公共类 projects (YF-7.1, YL-4.2)."""
    chief_data_officer: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    principal_head: str | None = Field(default=None, sa_column=Column(Text))
    """单位主要负责人, who answers for the unit's projects (BZ-24)."""
    registered_at: datetime = Field(sa_column=_ts())
    registered_by: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(sa_column=_ts())


class Document(SQLModel, table=True):
    """One version of a document a unit uploaded; rows are never updated or deleted (a trigger
    refuses it), so every earlier version stays readable."""

    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("unit_id", "name", "version"),
        Index("ix_document_unit_sm3", "unit_id", "sm3"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    unit_id: str = Field(sa_column=Column(Text, nullable=False))
    name: str = Field(sa_column=Column(Text, nullable=False))
    version: int = Field(nullable=False)
    media_type: str = Field(sa_column=Column(Text, nullable=False))
    size_bytes: int = Field(sa_column=Column(BigInteger, nullable=False))
    sm3: str = Field(sa_column=Column(Text, nullable=False))
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_at: datetime = Field(sa_column=_ts())
    uploaded_by: str = Field(sa_column=Column(Text, nullable=False))
