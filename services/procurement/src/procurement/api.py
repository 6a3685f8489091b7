"""HTTP routes of the procurement service."""

from __future__ import annotations

from fastapi import APIRouter

from servicekit.deps import Runtime
from servicekit.identifiers import IdentifierPath, IdentifierQuery

from procurement import handlers
from procurement.models import FinanceHold
from procurement.schemas import HoldOut, TerminationOut

router = APIRouter()


def _hold(row: FinanceHold) -> HoldOut:
    return HoldOut(
        hold_id=row.id, project_id=row.project_id, unit_id=row.unit_id, contract_id=row.contract_id, scope=row.scope,
        rule_ids=row.rule_ids, cause_event_id=row.cause_event_id, cause_event_type=row.cause_event_type,
        placed_at=row.placed_at, release_condition=row.release_condition, message=row.message_en,
        message_zh=row.message_zh, released_at=row.released_at,
    )


@router.get("/projects/{project_id}/holds", response_model=list[HoldOut], tags=["finance holds"])
async def project_holds(project_id: IdentifierPath, runtime: Runtime) -> list[HoldOut]:
    """Finance holds in force on a project, each with its rule, cause and release condition."""
    async with runtime.units() as uow:
        return [_hold(row) for row in await handlers.active_holds(uow, project_id=project_id)]


@router.get("/holds", response_model=list[HoldOut], tags=["finance holds"])
async def unit_holds(unit_id: IdentifierQuery, runtime: Runtime) -> list[HoldOut]:
    """Finance holds in force on every project of a unit."""
    async with runtime.units() as uow:
        return [_hold(row) for row in await handlers.active_holds(uow, unit_id=unit_id)]


@router.get("/projects/{project_id}/terminations", response_model=list[TerminationOut], tags=["termination"])
async def project_terminations(project_id: IdentifierPath, runtime: Runtime) -> list[TerminationOut]:
    """Terminations (终止) of a project or its sub-projects."""
    async with runtime.units() as uow:
        rows = await handlers.terminations(uow, project_id)
        return [
            TerminationOut(project_id=r.project_id, sub_project_id=r.sub_project_key or None, reason=r.reason,
                           rule_ids=r.rule_ids, cause_event_id=r.cause_event_id, terminated_at=r.terminated_at)
            for r in rows
        ]
