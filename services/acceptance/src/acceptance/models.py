"""Acceptance tables."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Column, Date, DateTime, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel


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
    recorded_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    event_id: str
