"""HTTP routes of the review service."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from servicekit.deps import Runtime
from servicekit.identifiers import IdentifierQuery

from review import handlers

router = APIRouter(tags=["review cases"])


class CaseOut(BaseModel):
    project_id: str
    application_id: str
    unit_id: str
    pack_id: str
    pack_version: str
    project_name: str
    declared_amount_fen: int
    stage: str
    status: str
    opened_at: datetime


@router.get("/cases", response_model=list[CaseOut])
async def list_cases(
    runtime: Runtime,
    unit_id: IdentifierQuery | None = None,
    status: Literal["open", "closed"] | None = None,
) -> list[CaseOut]:
    """Review cases in the order they were opened."""
    async with runtime.units() as uow:
        return [CaseOut.model_validate(row, from_attributes=True) for row in await handlers.cases(uow, unit_id, status)]
