"""Review tables."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Column, Date, DateTime, Integer, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


def _ts(nullable: bool = False) -> Column:
    return Column(DateTime(timezone=True), nullable=nullable)


class ReviewCase(SQLModel, table=True):
    """The bureau's case for one declared project, opened by ApplicationSubmitted (BY-16a), through
    plan review, the scheme's stages and approval."""

    __tablename__ = "review_case"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    project_id: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    application_id: str
    unit_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    pack_id: str
    pack_version: str
    project_name: str
    declared_amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    stage: str = "plan_review"
    status: str = "open"
    """open, paused (BY-48d), approved, rejected, filed (a 小微 project after plan review)."""
    opened_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    opened_by_event_id: str
    project_class: str | None = Field(default=None, sa_column=Column(Text))
    track: str | None = Field(default=None, sa_column=Column(Text))
    path: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")))
    """The stages the pack and track require, in order (BY-20: 小微 skip the scheme stages)."""
    awaiting: str = Field(default="bureau", sa_column=Column(Text, nullable=False, server_default=text("'bureau'")))
    """Whose move it is: the bureau's opinion, the unit's (re)submission, or nobody's (closed)."""
    scheme_id: str | None = Field(default=None, sa_column=Column(Text))
    plan_amount_fen: int | None = Field(default=None, sa_column=Column(BigInteger))
    """The amount plan review fixed (BY-17.2b)."""
    reviewed_amount_fen: int | None = Field(default=None, sa_column=Column(BigInteger))
    """The amount cost review fixed (BY-20.3, DY-11b): the approval's ceiling."""
    findings: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")))
    """What intake found for the reviewer to judge (BY-19.1b, BY-22.3)."""
    flags: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")))
    """The declared facts the pack's conditions read (software_development …)."""
    priority: str = Field(default="normal", sa_column=Column(Text, nullable=False, server_default=text("'normal'")))
    """urgent, high, normal or low: the bureau's order of work at the peak (YL-10 轻重缓急)."""
    priority_reason: str | None = Field(default=None, sa_column=Column(Text))
    fund_application: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB(none_as_null=True)))
    """The bureau's application for the funds of a project it runs itself (YF-7.4 公共类)."""
    paused_at: datetime | None = Field(default=None, sa_column=_ts(True))
    paused_by_event_id: str | None = Field(default=None, sa_column=Column(Text))
    closed_at: datetime | None = Field(default=None, sa_column=_ts(True))


class ReviewRound(SQLModel, table=True):
    """One round of one stage: opened by a (re)submission, closed by the bureau's opinion."""

    __tablename__ = "review_round"
    __table_args__ = (UniqueConstraint("project_id", "stage", "round"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    project_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    stage: str = Field(sa_column=Column(Text, nullable=False))
    round: int = Field(sa_column=Column(Integer, nullable=False))
    opened_at: datetime = Field(sa_column=_ts())
    opened_by_event_id: str | None = Field(default=None, sa_column=Column(Text))
    due_on: date | None = Field(default=None, sa_column=Column(Date))
    """The bureau's deadline for its opinion (BY-16b, BY-20.1a: 5 working days)."""
    due_provisional: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=text("false")))
    result: str | None = Field(default=None, sa_column=Column(Text))
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")))
    amount_fen: int | None = Field(default=None, sa_column=Column(BigInteger))
    rule_ids: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")))
    judgements: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")))
    """The reviewer's findings on the pack's concerns, with notes (BY-11, BY-22, BZ-8)."""
    third_party: str | None = Field(default=None, sa_column=Column(Text))
    """Who reviewed when the pack wants a qualified third party (DY-10.3b)."""
    decided_by: str | None = Field(default=None, sa_column=Column(Text))
    decided_at: datetime | None = Field(default=None, sa_column=_ts(True))
    event_id: str | None = Field(default=None, sa_column=Column(Text))


class Approval(SQLModel, table=True):
    """The 批复: amount, authority, validity, the pack version and every opinion it rests on (BY-20.4)."""

    __tablename__ = "approval"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    project_id: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    unit_id: str = Field(sa_column=Column(Text, nullable=False))
    pack_id: str = Field(sa_column=Column(Text, nullable=False))
    pack_version: str = Field(sa_column=Column(Text, nullable=False))
    approved_amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    ceiling_basis: str = Field(sa_column=Column(Text, nullable=False))
    authority: str = Field(sa_column=Column(Text, nullable=False))
    approved_on: date = Field(sa_column=Column(Date, nullable=False))
    valid_until: date | None = Field(default=None, sa_column=Column(Date))
    document_number: str = Field(sa_column=Column(Text, nullable=False))
    opinions: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    rule_ids: list[str] = Field(sa_column=Column(JSONB, nullable=False))
    requirements: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")))
    """What later stages owe, fixed at approval (BY-29.2a, BY-43, YL-24a …)."""
    approved_by: str = Field(sa_column=Column(Text, nullable=False))
    approved_at: datetime = Field(sa_column=_ts())
    event_id: str = Field(sa_column=Column(Text, nullable=False))


class Expert(SQLModel, table=True):
    """A member of an expert pool (专家库, BY-20.2b, BY-5.2b)."""

    __tablename__ = "expert"

    expert_id: str = Field(sa_column=Column(Text, primary_key=True))
    username: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    """The login the expert signs in with; what they see is the meetings they sit on."""
    name: str = Field(sa_column=Column(Text, nullable=False))
    employer: str = Field(sa_column=Column(Text, nullable=False))
    fields: list[str] = Field(sa_column=Column(JSONB, nullable=False))
    pools: list[str] = Field(sa_column=Column(JSONB, nullable=False))
    active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=text("true")))
    registered_at: datetime = Field(sa_column=_ts())


class Meeting(SQLModel, table=True):
    """A review meeting and its draw: the seed's commitment is published when it is scheduled, the seed
    itself when the experts are drawn."""

    __tablename__ = "review_meeting"
    __audit_redact__ = frozenset({"seed"})

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    project_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    stage: str = Field(sa_column=Column(Text, nullable=False))
    pool: str = Field(sa_column=Column(Text, nullable=False))
    fields: list[str] = Field(sa_column=Column(JSONB, nullable=False))
    size: int = Field(sa_column=Column(Integer, nullable=False))
    starts_at: datetime = Field(sa_column=_ts())
    ends_at: datetime = Field(sa_column=_ts())
    conflicted_employers: list[str] = Field(sa_column=Column(JSONB, nullable=False))
    involved_experts: list[str] = Field(sa_column=Column(JSONB, nullable=False))
    seed_commitment: str = Field(sa_column=Column(Text, nullable=False))
    seed: str = Field(sa_column=Column(Text, nullable=False))
    """Kept secret (never served) until the first draw reveals it."""
    revealed: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=text("false")))
    scheduled_by: str = Field(sa_column=Column(Text, nullable=False))
    scheduled_at: datetime = Field(sa_column=_ts())


class Draw(SQLModel, table=True):
    """One draw of a meeting: the first fills it, each later one replaces experts who declined. Kept for good."""

    __tablename__ = "expert_draw"
    __table_args__ = (UniqueConstraint("meeting_id", "attempt"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    meeting_id: uuid.UUID = Field(nullable=False, index=True)
    attempt: int = Field(sa_column=Column(Integer, nullable=False))
    size: int = Field(sa_column=Column(Integer, nullable=False))
    candidates: list[str] = Field(sa_column=Column(JSONB, nullable=False))
    excluded: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    selected: list[str] = Field(sa_column=Column(JSONB, nullable=False))
    drawn_by: str = Field(sa_column=Column(Text, nullable=False))
    drawn_at: datetime = Field(sa_column=_ts())


class Booking(SQLModel, table=True):
    """An expert's seat at a meeting; a declined seat stays on record and frees the time."""

    __tablename__ = "expert_booking"
    __table_args__ = (UniqueConstraint("meeting_id", "expert_id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    meeting_id: uuid.UUID = Field(nullable=False, index=True)
    expert_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    project_id: str = Field(sa_column=Column(Text, nullable=False))
    starts_at: datetime = Field(sa_column=_ts())
    ends_at: datetime = Field(sa_column=_ts())
    status: str = Field(sa_column=Column(Text, nullable=False))
    """booked or declined."""
    attempt: int = Field(sa_column=Column(Integer, nullable=False))
    declined_reason: str | None = Field(default=None, sa_column=Column(Text))
    declined_at: datetime | None = Field(default=None, sa_column=_ts(True))


class ExpertOpinion(SQLModel, table=True):
    """What one drawn expert wrote about the project at a meeting; one per seat, kept as written."""

    __tablename__ = "expert_opinion"
    __table_args__ = (UniqueConstraint("meeting_id", "expert_id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    meeting_id: uuid.UUID = Field(nullable=False, index=True)
    project_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    expert_id: str = Field(sa_column=Column(Text, nullable=False))
    recommendation: str = Field(sa_column=Column(Text, nullable=False))
    """pass, revise or fail: the expert's advice; the bureau's opinion on the round decides."""
    opinion: str = Field(sa_column=Column(Text, nullable=False))
    submitted_by: str = Field(sa_column=Column(Text, nullable=False))
    submitted_at: datetime = Field(sa_column=_ts())


class CoReview(SQLModel, table=True):
    """A body's written opinion the review waits for (BY-5.5, BY-5.6, BZ-20, YL-4.5, YL-4.7)."""

    __tablename__ = "co_review"
    __table_args__ = (UniqueConstraint("project_id", "body"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    project_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    body: str = Field(sa_column=Column(Text, nullable=False))
    body_zh: str = Field(sa_column=Column(Text, nullable=False))
    before: str = Field(sa_column=Column(Text, nullable=False))
    """The step that waits for it: committee_review (BZ-20) or approval."""
    rule_ids: list[str] = Field(sa_column=Column(JSONB, nullable=False))
    requested_at: datetime = Field(sa_column=_ts())
    requested_by: str = Field(sa_column=Column(Text, nullable=False))
    due_on: date | None = Field(default=None, sa_column=Column(Date))
    result: str | None = Field(default=None, sa_column=Column(Text))
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")))
    recorded_by: str | None = Field(default=None, sa_column=Column(Text))
    recorded_at: datetime | None = Field(default=None, sa_column=_ts(True))


class AnnualList(SQLModel, table=True):
    """The year's project list as 市委、市政府 approved it (BZ-15)."""

    __tablename__ = "annual_list"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    pack_id: str = Field(sa_column=Column(Text, nullable=False))
    pack_version: str = Field(sa_column=Column(Text, nullable=False))
    year: int = Field(sa_column=Column(Integer, nullable=False))
    project_ids: list[str] = Field(sa_column=Column(JSONB, nullable=False))
    approved_on: date = Field(sa_column=Column(Date, nullable=False))
    document_number: str = Field(sa_column=Column(Text, nullable=False))
    recorded_by: str = Field(sa_column=Column(Text, nullable=False))
    recorded_at: datetime = Field(sa_column=_ts())
    event_id: str = Field(sa_column=Column(Text, nullable=False))


class SchemeChange(SQLModel, table=True):
    """A unit's request to change its scheme after expert or cost review, and the bureau's decision
    (BY-31.3, BY-31.4): consent comes first, then the revision with its statement."""

    __tablename__ = "scheme_change"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    project_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    after_stage: str = Field(sa_column=Column(Text, nullable=False))
    substantive: bool = Field(sa_column=Column(Boolean, nullable=False))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    requested_by: str = Field(sa_column=Column(Text, nullable=False))
    requested_at: datetime = Field(sa_column=_ts())
    consented: bool | None = Field(default=None, sa_column=Column(Boolean))
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")))
    decided_by: str | None = Field(default=None, sa_column=Column(Text))
    decided_at: datetime | None = Field(default=None, sa_column=_ts(True))
    event_id: str | None = Field(default=None, sa_column=Column(Text))
