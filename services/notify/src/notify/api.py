"""HTTP routes of the notify service."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from fastapi import APIRouter
from pydantic import BaseModel

from servicekit.deps import Runtime
from servicekit.identifiers import IdentifierPath

from notify import deadlines, handlers
from notify.models import Deadline

router = APIRouter(tags=["inbox"])


class NotificationOut(BaseModel):
    id: uuid.UUID
    unit_id: str
    project_id: str | None
    event_id: str
    event_type: str
    title: str
    title_zh: str
    rule_ids: list[str]
    created_at: datetime
    read_at: datetime | None
    audience: str
    due_on: date | None


@router.get("/units/{unit_id}/notifications", response_model=list[NotificationOut])
async def unit_inbox(
    unit_id: IdentifierPath, runtime: Runtime, unread_only: bool = False
) -> list[NotificationOut]:
    """A unit's inbox, newest first."""
    async with runtime.units() as uow:
        return [NotificationOut.model_validate(row, from_attributes=True) for row in await handlers.inbox(uow, unit_id, unread_only)]


class DeadlineOut(BaseModel):
    deadline_id: uuid.UUID
    kind: str
    project_id: str | None
    unit_id: str | None
    reference_id: str | None
    rule_ids: list[str]
    anchor_on: date
    length: int | None
    unit_of_count: str | None
    due_on: date
    provisional: bool
    at_expiry: str
    at_expiry_zh: str
    started_by_event_type: str
    state: str
    """``open``, ``stopped`` (the event that ends it came) or ``elapsed`` (DeadlineElapsed published)."""


def _deadline(row: Deadline) -> DeadlineOut:
    state = "elapsed" if row.fired_at else "stopped" if row.stopped_at else "open"
    return DeadlineOut(deadline_id=row.id, kind=row.kind, project_id=row.project_id, unit_id=row.unit_id,
                       reference_id=row.reference_id, rule_ids=row.rule_ids, anchor_on=row.anchor_on, length=row.length,
                       unit_of_count=row.unit_of_count, due_on=row.due_on, provisional=row.provisional, at_expiry=row.at_expiry,
                       at_expiry_zh=row.at_expiry_zh, started_by_event_type=row.started_by_event_type, state=state)


@router.get("/projects/{project_id}/deadlines", response_model=list[DeadlineOut], tags=["deadlines"])
async def project_deadlines(project_id: IdentifierPath, runtime: Runtime) -> list[DeadlineOut]:
    """Every deadline a project's events set running, with its rule and state (RULES.md §3.10.2)."""
    async with runtime.units() as uow:
        return [_deadline(row) for row in await deadlines.deadlines(uow, project_id=project_id)]


@router.get("/units/{unit_id}/deadlines", response_model=list[DeadlineOut], tags=["deadlines"])
async def unit_deadlines(unit_id: IdentifierPath, runtime: Runtime) -> list[DeadlineOut]:
    """Every deadline of a unit's projects and of the unit itself."""
    async with runtime.units() as uow:
        return [_deadline(row) for row in await deadlines.deadlines(uow, unit_id=unit_id)]


@router.post("/units/{unit_id}/notifications/{notification_id}/read", response_model=NotificationOut)
async def mark_read(unit_id: IdentifierPath, notification_id: uuid.UUID, runtime: Runtime) -> NotificationOut:
    """Mark a notice of the unit's inbox read."""
    async with runtime.units() as uow:
        row = await handlers.mark_read(uow, unit_id, notification_id)
        await uow.commit()
        return NotificationOut.model_validate(row, from_attributes=True)


@router.get("/bureau/notifications", response_model=list[NotificationOut])
async def bureau_inbox(runtime: Runtime, unread_only: bool = False) -> list[NotificationOut]:
    """What is escalated to the bureau: units' deadlines that passed, newest first."""
    async with runtime.units() as uow:
        rows = await handlers.inbox(uow, None, unread_only, audience="bureau")
        return [NotificationOut.model_validate(row, from_attributes=True) for row in rows]
