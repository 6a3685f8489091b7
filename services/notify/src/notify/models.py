"""Notify tables."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, DateTime, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel


class Notification(SQLModel, table=True):
    """One entry of a unit's inbox, written for an event that concerns the unit."""

    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("event_id", "unit_id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    unit_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    project_id: str | None = Field(default=None, sa_column=Column(Text))
    event_id: str
    event_type: str
    title: str
    title_zh: str
    rule_ids: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(Text), nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    read_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
