"""Notify tables."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Column, Date, DateTime, Index, Text, UniqueConstraint, text
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
    audience: str = Field(default="unit", sa_column=Column(Text, nullable=False, server_default="unit"))
    """``unit`` (the unit's inbox) or ``bureau`` (an escalation to the bureau about the unit)."""
    due_on: date | None = Field(default=None, sa_column=Column(Date))


class FollowedProject(SQLModel, table=True):
    """What notify knows of a project to start the right timers: its pack, class and regime."""

    __tablename__ = "followed_project"

    project_id: str = Field(sa_column=Column(Text, primary_key=True))
    unit_id: str
    pack_id: str
    pack_version: str
    project_class: str | None = Field(default=None, sa_column=Column(Text))
    regime: str | None = Field(default=None, sa_column=Column(Text))
    implemented_until: date | None = Field(default=None, sa_column=Column(Date))
    """The day it passed acceptance or ended: yearly deadlines of implementation stop coming (BZ-41)."""


class FollowedUnit(SQLModel, table=True):
    """A unit notify has heard of: the yearly deadlines of the deployment's pack run for it (YF-6)."""

    __tablename__ = "followed_unit"

    unit_id: str = Field(sa_column=Column(Text, primary_key=True))
    first_seen_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class Deadline(SQLModel, table=True):
    """A period a rule sets running (RULES.md §3.10.2): when it is due, what stops it, whether it fired."""

    __tablename__ = "deadline"
    __table_args__ = (
        UniqueConstraint("kind", "started_by_event_id"),
        Index("ix_deadline_due_open", "due_at", postgresql_where=text("stopped_at IS NULL AND fired_at IS NULL")),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: str
    project_id: str | None = Field(default=None, sa_column=Column(Text, index=True))
    unit_id: str | None = Field(default=None, sa_column=Column(Text, index=True))
    pack_id: str
    pack_version: str
    reference_id: str | None = Field(default=None, sa_column=Column(Text))
    rule_ids: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(Text), nullable=False))
    anchor_on: date = Field(sa_column=Column(Date, nullable=False))
    length: int | None = None
    unit_of_count: str | None = Field(default=None, sa_column=Column(Text))
    due_on: date = Field(sa_column=Column(Date, nullable=False))
    due_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    provisional: bool = False
    at_expiry: str
    at_expiry_zh: str
    started_by_event_id: str
    started_by_event_type: str
    stops_on: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(Text), nullable=False))
    stopped_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    stopped_by_event_id: str | None = Field(default=None, sa_column=Column(Text))
    met_on: date | None = Field(default=None, sa_column=Column(Date))
    """The business day the event that stopped it happened (its own time, not when notify heard of it):
    what the assessment reads lateness from (BY-59)."""
    fired_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    fired_event_id: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class Reminder(SQLModel, table=True):
    """A reminder of a deadline some working days before it is due; sent once."""

    __tablename__ = "deadline_reminder"
    __table_args__ = (UniqueConstraint("deadline_id", "days_before"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    deadline_id: uuid.UUID = Field(foreign_key="deadline.id", index=True)
    days_before: int
    remind_on: date = Field(sa_column=Column(Date, nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class DeadlineChange(SQLModel, table=True):
    """A due date moved because the working-day calendar changed (a new year's notice, an override)."""

    __tablename__ = "deadline_change"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    deadline_id: uuid.UUID = Field(foreign_key="deadline.id", index=True)
    old_due_on: date = Field(sa_column=Column(Date, nullable=False))
    new_due_on: date = Field(sa_column=Column(Date, nullable=False))
    old_provisional: bool
    new_provisional: bool
    reason: str
    changed_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class Channel(SQLModel, table=True):
    """Where a unit's notices also go: an e-mail address or a signed webhook."""

    __tablename__ = "channel"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    unit_id: str = Field(sa_column=Column(Text, nullable=False, index=True))
    kind: str
    """``email`` or ``webhook``."""
    address: str
    secret: str | None = Field(default=None, sa_column=Column(Text))
    """The webhook's HMAC key; shown once when the channel is made."""
    created_by: str
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))

    __audit_redact__ = frozenset({"secret"})


class Delivery(SQLModel, table=True):
    """One notice to one channel, kept until it is delivered or has used its attempts: a channel that
    fails never loses the notice, which also stays in the inbox."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("notification_id", "channel_id"),
        Index("ix_delivery_due", "next_attempt_at", postgresql_where=text("delivered_at IS NULL AND failed_at IS NULL")),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    notification_id: uuid.UUID = Field(foreign_key="notification.id", index=True)
    channel_id: uuid.UUID = Field(foreign_key="channel.id")
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    delivered_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    failed_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    last_error: str | None = Field(default=None, sa_column=Column(Text))
