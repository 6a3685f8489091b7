"""Acceptance tables."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Column, Date, DateTime, Integer, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel


def _json(default: str) -> Column:
    return Column(JSONB, nullable=False, server_default=text(default))


def _ts(nullable: bool = False) -> Column:
    return Column(DateTime(timezone=True), nullable=nullable)


class AcceptanceCase(SQLModel, table=True):
    """Acceptance of one project, or of one sub-project (``sub_project_key`` non-empty)."""

    __tablename__ = "acceptance_case"
    __table_args__ = (UniqueConstraint("project_id", "sub_project_key"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    project_id: str = Field(sa_column=Column(Text, nullable=False))
    sub_project_key: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    unit_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    pack_id: str
    pack_version: str
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()")))
    authorised_by: str | None = Field(default=None, sa_column=Column(Text))
    """``approval`` or a filing, as review or intake published it; None for a project that reached the
    platform only at its final review (approved before the platform, so no earlier stage is on record)."""
    project_class: str | None = Field(default=None, sa_column=Column(Text))
    regime: str | None = Field(default=None, sa_column=Column(Text))
    approved_amount_fen: int | None = Field(default=None, sa_column=Column(BigInteger))
    contract_amount_fen: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    contracted_roles: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(Text), nullable=False, server_default="{}"))
    """The supplier roles the project has contracts with: a tester's report is then owed (YF-13b, YL-25c)."""
    requirements: list[dict] = Field(default_factory=list, sa_column=_json("'[]'::jsonb"))
    completed_on: date | None = Field(default=None, sa_column=Column(Date))
    application_due_on: date | None = Field(default=None, sa_column=Column(Date))
    applied_on: date | None = Field(default=None, sa_column=Column(Date))
    """The unit's application for the acceptance the bureau organises (DY-20a, YL-22a)."""
    operation_started_on: date | None = Field(default=None, sa_column=Column(Date))
    """投入运行: opens the self-evaluation window twelve months later (BZ-42a)."""
    initial_passed_on: date | None = Field(default=None, sa_column=Column(Date))
    initial_filed_on: date | None = Field(default=None, sa_column=Column(Date))
    data_confirmed_on: date | None = Field(default=None, sa_column=Column(Date))
    compliance_requested_on: date | None = Field(default=None, sa_column=Column(Date))
    compliance: str | None = Field(default=None, sa_column=Column(Text))
    passed_on: date | None = Field(default=None, sa_column=Column(Date))
    filing_status: str = Field(default="none", sa_column=Column(Text, nullable=False, server_default="none"))
    """``none``, ``submitted``, ``defects`` (feedback given, BY-48c), ``filed``, ``rejected`` (final, BY-48d)."""
    terminated: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default="false"))


class FinalReviewRecord(SQLModel, table=True):
    __tablename__ = "final_review"
    __table_args__ = (UniqueConstraint("case_id", "attempt"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    case_id: uuid.UUID = Field(foreign_key="acceptance_case.id", index=True)
    attempt: int
    result: str
    terminal: bool
    rule_id: str
    concluded_on: date = Field(sa_column=Column(Date, nullable=False))
    reasons: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(Text), nullable=False))
    judgements: list[dict] = Field(default_factory=list, sa_column=_json("'[]'::jsonb"))
    """The review's findings on the pack's acceptance concerns, with notes (BY-29.4, BZ-45, YL-18a …)."""
    concern_rules: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(Text), nullable=False, server_default="{}"))
    """The rules of the concerns the review found: only a failed review finds any."""
    recorded_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    event_id: str


class StepRecord(SQLModel, table=True):
    """One step of a project's acceptance as it happened: an initial acceptance meeting (BY-39), its
    filing (BY-40), data aggregation (BY-42), evidence (BY-43, YL-24/25), the compliance request and
    opinion (BY-45), an acceptance filing and its review (BY-48), a deferral (YL-26), a completion."""

    __tablename__ = "acceptance_step"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    case_id: uuid.UUID = Field(foreign_key="acceptance_case.id", index=True)
    kind: str
    number: int = Field(default=1, sa_column=Column(Integer, nullable=False, server_default="1"))
    outcome: str | None = Field(default=None, sa_column=Column(Text))
    on: date = Field(sa_column=Column(Date, nullable=False))
    due_on: date | None = Field(default=None, sa_column=Column(Date))
    late: bool = False
    detail: dict = Field(default_factory=dict, sa_column=_json("'{}'::jsonb"))
    rule_ids: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(Text), nullable=False))
    recorded_by: str
    recorded_at: datetime = Field(sa_column=_ts())
    event_id: str | None = Field(default=None, sa_column=Column(Text))


class EvaluationRecord(SQLModel, table=True):
    """An efficacy or performance evaluation's result (BY-51–53, BZ-42, DY-25, YL-29)."""

    __tablename__ = "evaluation"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    project_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    unit_id: str
    kind: str
    grade: str | None = None
    completed_on: date = Field(sa_column=Column(Date, nullable=False))
    rectification_due: date | None = Field(default=None, sa_column=Column(Date))
    rectified_on: date | None = Field(default=None, sa_column=Column(Date))
    overdue: bool = False
    findings: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(Text), nullable=False))
    ground: str | None = Field(default=None, sa_column=Column(Text))
    """Why the bureau evaluated during implementation (BY-52.3)."""
    firm: dict | None = Field(default=None, sa_column=Column(JSONB))
    """The third-party firm the bureau hired (BY-52): name and 统一社会信用代码."""
    ip_report: dict | None = Field(default=None, sa_column=Column(JSONB))
    """The report's IP plan completion, ownership transfer and follow-up operation (BY-54)."""
    rule_ids: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(Text), nullable=False))
    recorded_by: str
    recorded_at: datetime = Field(sa_column=_ts())
    event_id: str


class FindingRecord(SQLModel, table=True):
    """A supervisor's finding with its rectification (BY-22.15, BZ-43, BZ-47, DY-25b, YL-19b)."""

    __tablename__ = "supervision_finding"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    unit_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    project_id: str | None = Field(default=None, sa_column=Column(Text))
    pack_id: str | None = None
    pack_version: str | None = None
    kind: str
    severity: str
    authority: str
    description: str
    rectification_due: date | None = Field(default=None, sa_column=Column(Date))
    rectified_on: date | None = Field(default=None, sa_column=Column(Date))
    overdue: bool = False
    rule_ids: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(Text), nullable=False))
    recorded_by: str
    recorded_at: datetime = Field(sa_column=_ts())
    event_id: str
