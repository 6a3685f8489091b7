"""HTTP routes of the notify service."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from servicekit.deps import Runtime
from servicekit.identifiers import IdentifierPath

from notify import handlers

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


@router.get("/units/{unit_id}/notifications", response_model=list[NotificationOut])
async def unit_inbox(
    unit_id: IdentifierPath, runtime: Runtime, unread_only: bool = False
) -> list[NotificationOut]:
    """A unit's inbox, newest first."""
    async with runtime.units() as uow:
        return [NotificationOut.model_validate(row, from_attributes=True) for row in await handlers.inbox(uow, unit_id, unread_only)]
