"""Tables every service has: outbox, inbox, parked messages and the movable clock.

They live in each service's own database, created by the shared migration branch
``servicekit`` that every service's migrations depend on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Index, LargeBinary, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


def _ts(nullable: bool = True, **kw: Any) -> Column:
    return Column(DateTime(timezone=True), nullable=nullable, **kw)


class OutboxMessage(SQLModel, table=True):
    """An event committed with the state change that caused it, waiting to be published."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_unpublished", "id", postgresql_where=text("published_at IS NULL")),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    event_id: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    event_type: str = Field(sa_column=Column(Text, nullable=False))
    subject: str = Field(sa_column=Column(Text, nullable=False))
    headers: dict[str, str] = Field(sa_column=Column(JSONB, nullable=False))
    payload: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(sa_column=_ts(False, server_default=text("now()")))
    published_at: datetime | None = Field(default=None, sa_column=_ts())
    attempts: int = Field(default=0, nullable=False)
    next_attempt_at: datetime | None = Field(default=None, sa_column=_ts())
    last_error: str | None = Field(default=None, sa_column=Column(Text))


class InboxMessage(SQLModel, table=True):
    """A consumed event whose effect has committed; its presence makes a redelivery a no-op."""

    __tablename__ = "inbox"

    consumer: str = Field(sa_column=Column(Text, primary_key=True))
    event_id: str = Field(sa_column=Column(Text, primary_key=True))
    event_type: str = Field(sa_column=Column(Text, nullable=False))
    trace_id: str | None = Field(default=None, sa_column=Column(Text))
    processed_at: datetime = Field(sa_column=_ts(False, server_default=text("now()")))


class ParkedMessage(SQLModel, table=True):
    """A message that kept failing, kept with its error until an operator replays it."""

    __tablename__ = "parked_message"

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    consumer: str = Field(sa_column=Column(Text, nullable=False))
    stream: str = Field(sa_column=Column(Text, nullable=False))
    subject: str = Field(sa_column=Column(Text, nullable=False))
    stream_sequence: int | None = Field(default=None, sa_column=Column(BigInteger))
    event_id: str | None = Field(default=None, sa_column=Column(Text))
    event_type: str | None = Field(default=None, sa_column=Column(Text))
    headers: dict[str, str] = Field(sa_column=Column(JSONB, nullable=False))
    payload: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    error: str = Field(sa_column=Column(Text, nullable=False))
    deliveries: int = Field(default=0, nullable=False)
    parked_at: datetime = Field(sa_column=_ts(False, server_default=text("now()")))
    replayed_at: datetime | None = Field(default=None, sa_column=_ts())
    replay_error: str | None = Field(default=None, sa_column=Column(Text))


class ClockState(SQLModel, table=True):
    """The movable clock's offset, so a restarted process keeps the moved time."""

    __tablename__ = "clock_state"

    id: int = Field(default=1, primary_key=True)
    offset_seconds: float = Field(default=0.0, nullable=False)


class AuditRecord(SQLModel, table=True):
    """One state change: who, in which role and unit, did what to which object, under which rules.

    Append-only (a trigger refuses UPDATE and DELETE) and chained: each row's hash covers its
    content and the previous row's hash (SM3), so an edit or a removed row shows as a broken link.
    """

    __tablename__ = "audit_record"

    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    recorded_at: datetime = Field(sa_column=_ts(False))
    service: str = Field(sa_column=Column(Text, nullable=False))
    actor: str = Field(sa_column=Column(Text, nullable=False))
    role: str = Field(sa_column=Column(Text, nullable=False))
    unit_id: str | None = Field(default=None, sa_column=Column(Text))
    action: str = Field(sa_column=Column(Text, nullable=False))
    object_type: str = Field(sa_column=Column(Text, nullable=False))
    object_id: str = Field(sa_column=Column(Text, nullable=False))
    project_id: str | None = Field(default=None, sa_column=Column(Text, index=True))
    object_unit_id: str | None = Field(default=None, sa_column=Column(Text))
    rule_ids: list[str] = Field(sa_column=Column(JSONB, nullable=False))
    request_id: str | None = Field(default=None, sa_column=Column(Text))
    trace_id: str | None = Field(default=None, sa_column=Column(Text))
    cause_event_id: str | None = Field(default=None, sa_column=Column(Text))
    source: str | None = Field(default=None, sa_column=Column(Text))
    details: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    prev_hash: str = Field(sa_column=Column(Text, nullable=False))
    hash: str = Field(sa_column=Column(Text, nullable=False))


class IdempotencyRecord(SQLModel, table=True):
    """A submission made under an ``Idempotency-Key``: its answer, so a retry gets the same one."""

    __tablename__ = "idempotency_record"

    scope: str = Field(sa_column=Column(Text, primary_key=True))
    subject: str = Field(sa_column=Column(Text, primary_key=True))
    key: str = Field(sa_column=Column(Text, primary_key=True))
    request_hash: str = Field(sa_column=Column(Text, nullable=False))
    status: int = Field(nullable=False)
    response: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    created_at: datetime = Field(sa_column=_ts(False))
