"""Response bodies of the procurement API."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel


class HoldOut(BaseModel):
    hold_id: uuid.UUID
    project_id: str
    unit_id: str
    contract_id: str | None
    scope: str
    rule_ids: list[str]
    cause_event_id: str
    cause_event_type: str
    placed_at: datetime
    release_condition: str | None
    message: str
    message_zh: str
    released_at: datetime | None


class TerminationOut(BaseModel):
    project_id: str
    sub_project_id: str | None
    reason: str
    rule_ids: list[str]
    cause_event_id: str
    terminated_at: datetime
