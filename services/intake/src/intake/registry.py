"""The unit registry: first-level budget units and their subordinates (BY-5.2a), with each unit's
chief data officer (首席数据官, BY-10)."""

from __future__ import annotations

from sqlalchemy import select

from servicekit.db import UnitOfWork
from servicekit.errors import DomainError
from servicekit.security.context import acting_username

from intake.domain.units import Refusal, UnitRecord, registration_refusal
from intake.models import Unit
from intake.schemas import ChiefDataOfficer, UnitIn


def as_record(row: Unit | None) -> UnitRecord | None:
    return None if row is None else UnitRecord(row.unit_id, row.name, row.level, row.parent_unit_id, row.sector, row.role)


def refused(refusal: Refusal, code: str) -> DomainError:
    return DomainError(code, refusal.en, refusal.zh, rule_ids=refusal.rule_ids, field=refusal.field, status_code=refusal.status)


async def register_unit(uow: UnitOfWork, body: UnitIn) -> Unit:
    if await uow.session.get(Unit, body.unit_id) is not None:
        raise DomainError("unit_exists", f"unit_id: {body.unit_id} is already registered", f"unit_id：{body.unit_id} 已登记",
                          field="unit_id", status_code=409)
    parent = await uow.session.get(Unit, body.parent_unit_id) if body.parent_unit_id else None
    refusal = registration_refusal(body.level, as_record(parent), body.parent_unit_id, body.sector if body.level == "subordinate" else None)
    if refusal is not None:
        raise refused(refusal, "unit_parent_invalid")
    now = uow.clock.now()
    row = Unit(unit_id=body.unit_id, name=body.name, level=body.level, parent_unit_id=body.parent_unit_id, sector=body.sector, role=body.role,
               chief_data_officer=body.chief_data_officer.model_dump(mode="json") if body.chief_data_officer else None,
               principal_head=body.principal_head, registered_at=now, registered_by=acting_username(), updated_at=now)
    uow.session.add(row)
    return row


async def get_unit(uow: UnitOfWork, unit_id: str, *, lock: bool = False) -> Unit:
    row = await uow.session.get(Unit, unit_id, with_for_update=lock)
    if row is None:
        raise DomainError("not_found", f"unit_id: no unit {unit_id} in the registry", f"单位 {unit_id} 未登记",
                          field="unit_id", status_code=404)
    return row


async def subordinates(uow: UnitOfWork, unit_id: str) -> list[str]:
    query = select(Unit.unit_id).where(Unit.parent_unit_id == unit_id).order_by(Unit.unit_id)
    return list((await uow.session.execute(query)).scalars().all())


async def appoint_chief_data_officer(uow: UnitOfWork, unit_id: str, body: ChiefDataOfficer) -> Unit:
    """BY-10 首席数据官制度: the unit names who keeps its catalogues current; the audit trail keeps the earlier one."""
    row = await get_unit(uow, unit_id, lock=True)
    row.chief_data_officer = body.model_dump(mode="json")
    row.updated_at = uow.clock.now()
    return row
