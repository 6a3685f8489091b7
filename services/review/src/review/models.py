"""Review tables."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Column, DateTime, Text
from sqlmodel import Field, SQLModel


class ReviewCase(SQLModel, table=True):
    """The bureau's case for one declared project, opened by ApplicationSubmitted (BY-16a)."""

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
    opened_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    opened_by_event_id: str
