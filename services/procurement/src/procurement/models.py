"""Procurement tables."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, DateTime, Index, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import ARRAY
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
    placed_at: datetime = Field(sa_column=_ts())
    lifted_by: str | None = Field(default=None, sa_column=Column(Text))
    release_condition: str | None = Field(default=None, sa_column=Column(Text))
    message_en: str
    message_zh: str
    released_at: datetime | None = Field(default=None, sa_column=_ts(True))
    release_event_id: str | None = Field(default=None, sa_column=Column(Text))


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
