"""The hold ledger and terminations: what the pack's sanction matrix makes of an event (RULES.md §3.10.1).

Every effect procurement owns goes through here, whatever set it off: an acceptance outcome, a
supervision finding, an elapsed deadline, or procurement's own change and termination filings.
Each placement and release is written with its event in one transaction, so the finance system
hears of every hold exactly when the ledger has it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from contracts.base import PackRef
from contracts.events import (
    CloudResourceBlocked,
    FinanceHoldPlaced,
    FinanceHoldReleased,
    ProjectSuspended,
    ProjectTerminated,
)
from policy.sanctions import Sanction, matches, sanctions_for
from policy.schema import Pack
from servicekit.clock import business_date
from servicekit.db import UnitOfWork

from procurement.models import FinanceHold, ProcurementProject, ProjectTermination

OWNED = ("finance_hold", "terminate_project", "project_suspended", "cloud_block")


@dataclass(frozen=True)
class Cause:
    """The event that set the sanctions off, and what it is about."""

    event_id: str
    event_type: str
    project_id: str
    unit_id: str
    contract_id: str | None = None
    reference_id: str | None = None
    sub_project_id: str | None = None
    amount_fen: int | None = None
    answers: str | None = None
    """The event this one answers (an overdue notice answers a finding): the hold's root."""
    day: date | None = None
    """The day the fact happened, from which a next-year period counts (BZ-32c, A-18)."""


def _release_condition(sanction: Sanction, cause: Cause) -> str | None:
    if sanction.release_after == "end_of_next_year":
        return "the end of the next calendar year"
    if sanction.lifted_by is None:
        return None
    when = "".join(f", {k}={v}" for k, v in sanction.lifted_when.items())
    about = f"change {cause.reference_id}" if cause.reference_id else f"project {cause.project_id}"
    condition = f"{sanction.lifted_by}{when} for {about}"
    return f"{condition} (inferred)" if sanction.lift_inferred else condition


async def active_holds(uow: UnitOfWork, *, project_id: str | None = None, unit_id: str | None = None,
                       lock: bool = False) -> list[FinanceHold]:
    query = select(FinanceHold).where(FinanceHold.released_at.is_(None)).order_by(FinanceHold.placed_at)
    if project_id is not None:
        query = query.where(FinanceHold.project_id == project_id)
    if unit_id is not None:
        query = query.where(FinanceHold.unit_id == unit_id)
    if lock:
        query = query.with_for_update()
    return list((await uow.session.execute(query)).scalars().all())


async def apply(uow: UnitOfWork, pack: Pack, trigger: str, facts: Mapping[str, Any], cause: Cause) -> list[str]:
    """Apply every sanction of ``pack`` that ``trigger`` with ``facts`` sets off and procurement owns;
    returns their effects, in order."""
    applied = []
    for sanction in sanctions_for(pack, trigger, facts).sanctions:
        if sanction.effect == "finance_hold":
            await place_hold(uow, pack, sanction, cause)
        elif sanction.effect == "terminate_project":
            await terminate(uow, pack, cause, reason="lapsed" if sanction.scope == "lapsed" else "acceptance_failed",
                            rule_ids=sanction.rule_ids)
        elif sanction.effect == "project_suspended":
            uow.emit(ProjectSuspended(
                project_id=cause.project_id, suspension_id=f"{cause.event_id}:{sanction.scope}", unit_id=cause.unit_id,
                pack=PackRef(id=pack.id, version=pack.version), measure="construction_suspended",
                rule_ids=list(sanction.rule_ids), cause_event_id=cause.event_id, cause_event_type=cause.event_type,
                lifted_by=sanction.lifted_by, suspended_at=uow.clock.now()))
        elif sanction.effect == "cloud_block":
            uow.emit(CloudResourceBlocked(
                project_id=cause.project_id, block_id=f"{cause.event_id}:{sanction.scope}", unit_id=cause.unit_id,
                pack=PackRef(id=pack.id, version=pack.version),
                scope="new_resources" if "new" in sanction.scope else "all_resources", rule_ids=list(sanction.rule_ids),
                cause_event_id=cause.event_id, cause_event_type=cause.event_type,
                until=_end_of_next_year(uow, cause) if sanction.release_after == "end_of_next_year" else None,
                blocked_at=uow.clock.now()))
        else:
            continue
        applied.append(sanction.effect)
    return applied


def _end_of_next_year(uow: UnitOfWork, cause: Cause) -> date:
    return date((cause.day or business_date(uow.clock.now())).year + 1, 12, 31)


async def place_hold(uow: UnitOfWork, pack: Pack, sanction: Sanction, cause: Cause) -> FinanceHold | None:
    existing = (await uow.session.execute(select(FinanceHold).where(
        FinanceHold.cause_event_id == cause.event_id, FinanceHold.scope == sanction.scope))).scalar_one_or_none()
    if existing is not None:
        return None
    now = uow.clock.now()
    hold = FinanceHold(
        project_id=cause.project_id, unit_id=cause.unit_id, contract_id=cause.contract_id, scope=sanction.scope,
        rule_ids=list(sanction.rule_ids), cause_event_id=cause.event_id, cause_event_type=cause.event_type, placed_at=now,
        origin_event_id=cause.answers or cause.event_id,
        lifted_by=sanction.lifted_by, lifted_when=dict(sanction.lifted_when), release_condition=_release_condition(sanction, cause),
        message_en=sanction.message_en, message_zh=sanction.message_zh, reference_id=cause.reference_id,
        sub_project_id=cause.sub_project_id, hold_mode=sanction.hold_mode, amount_fen=cause.amount_fen,
        expires_on=_end_of_next_year(uow, cause) if sanction.release_after == "end_of_next_year" else None,
    )
    uow.session.add(hold)
    uow.emit(FinanceHoldPlaced(
        hold_id=str(hold.id), project_id=hold.project_id, unit_id=hold.unit_id, contract_id=hold.contract_id,
        scope=hold.scope, rule_ids=list(hold.rule_ids), cause_event_id=hold.cause_event_id,  # type: ignore[arg-type]
        cause_event_type=hold.cause_event_type, placed_at=now, release_condition=hold.release_condition,
        amount_fen=hold.amount_fen, hold_mode=hold.hold_mode, expires_on=hold.expires_on))  # type: ignore[arg-type]
    return hold


async def _roots(uow: UnitOfWork, answers: str | None) -> set[str]:
    """The event answered and the root it stands for (a rectification may answer the overdue notice)."""
    if answers is None:
        return set()
    holds = (await uow.session.execute(select(FinanceHold).where(FinanceHold.cause_event_id == answers))).scalars().all()
    return {answers, *(hold.origin_event_id for hold in holds if hold.origin_event_id)}


async def release(uow: UnitOfWork, event_type: str, facts: Mapping[str, Any], *, project_id: str, event_id: str,
                  reference_id: str | None = None, answers: str | None = None,
                  sub_project_id: str | None = None) -> list[FinanceHold]:
    """Release the project's holds that this event lifts; a hold about one record (a change) only
    by an event about that record, an event about one sub-project only that sub-project's holds,
    and an event that answers one failure or finding (a rectification) only the holds that
    failure or finding set off."""
    released = []
    now = uow.clock.now()
    roots = await _roots(uow, answers)
    for hold in await active_holds(uow, project_id=project_id, lock=True):
        if hold.lifted_by != event_type or not matches(hold.lifted_when, facts):
            continue
        if hold.reference_id is not None and hold.reference_id != reference_id:
            continue
        if sub_project_id is not None and hold.sub_project_id != sub_project_id:
            continue
        if answers is not None and hold.cause_event_id not in roots and (hold.origin_event_id or hold.cause_event_id) not in roots:
            continue
        hold.released_at, hold.release_event_id = now, event_id
        uow.emit(FinanceHoldReleased(
            hold_id=str(hold.id), project_id=hold.project_id, unit_id=hold.unit_id, contract_id=hold.contract_id,
            scope=hold.scope, rule_ids=list(hold.rule_ids), release_event_id=event_id,  # type: ignore[arg-type]
            release_event_type=event_type, released_at=now))
        released.append(hold)
    return released


async def terminate(uow: UnitOfWork, pack: Pack, cause: Cause, *, reason: str, rule_ids: tuple[str, ...],
                    ground: str | None = None, note: str | None = None, documents: list[dict] | None = None,
                    filed_by: str | None = None) -> ProjectTermination | None:
    """End the project (or sub-project) and apply what a termination sets off (BY-38b recovery)."""
    key = cause.sub_project_id or ""
    exists = (await uow.session.execute(select(ProjectTermination).where(
        ProjectTermination.project_id == cause.project_id, ProjectTermination.sub_project_key == key))).scalar_one_or_none()
    if exists is not None:
        return None
    now = uow.clock.now()
    row = ProjectTermination(project_id=cause.project_id, sub_project_key=key, unit_id=cause.unit_id, reason=reason,
                             rule_ids=list(rule_ids), cause_event_id=cause.event_id, terminated_at=now, ground=ground,
                             note=note, documents=documents or [], filed_by=filed_by)
    uow.session.add(row)
    if not key:
        project = await uow.session.get(ProcurementProject, cause.project_id, with_for_update=True)
        if project is not None:
            project.status = "terminated"
    event = uow.emit(ProjectTerminated(
        project_id=cause.project_id, unit_id=cause.unit_id, sub_project_id=cause.sub_project_id,
        pack=PackRef(id=pack.id, version=pack.version), reason=reason, rule_ids=list(rule_ids),  # type: ignore[arg-type]
        cause_event_id=cause.event_id or None, terminated_at=now))
    row.cause_event_id = cause.event_id or event.id  # a filed termination is its own cause
    await apply(uow, pack, "ProjectTerminated", {"reason": reason},
                Cause(event.id, "ProjectTerminated", cause.project_id, cause.unit_id, sub_project_id=cause.sub_project_id))
    return row
