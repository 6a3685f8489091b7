"""Procurement use cases: the hold ledger and terminations that acceptance outcomes set off."""

from __future__ import annotations

from sqlalchemy import select

from contracts.envelope import Envelope
from contracts.events import AcceptanceFailed, AcceptancePassed, FinanceHoldPlaced, FinanceHoldReleased, ProjectTerminated
from contracts.streams import ACCEPTANCE
from policy.packs import get_pack
from policy.sanctions import Sanction, after_acceptance_failed
from servicekit.consumer import Subscription
from servicekit.db import UnitOfWork

from procurement.models import FinanceHold, ProjectTermination


def _release_condition(sanction: Sanction, project_id: str) -> str | None:
    if sanction.lifted_by is None:
        return None
    condition = f"{sanction.lifted_by} for project {project_id}"
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


async def on_acceptance_failed(uow: UnitOfWork, envelope: Envelope) -> None:
    """Place the holds and termination a failed acceptance sets off (DY-24, BZ-30, BY-47.3b → BY-38b)."""
    event: AcceptanceFailed = envelope.data  # type: ignore[assignment]
    pack = get_pack(event.pack.id, event.pack.version)
    now = uow.clock.now()
    for sanction in after_acceptance_failed(pack, terminal=event.terminal):
        if sanction.effect == "terminate_project":
            uow.session.add(
                ProjectTermination(
                    project_id=event.project_id, sub_project_key=event.sub_project_id or "", unit_id=event.unit_id,
                    reason="acceptance_failed", rule_ids=list(sanction.rule_ids), cause_event_id=envelope.id,
                    terminated_at=now,
                )
            )
            uow.emit(
                ProjectTerminated(
                    project_id=event.project_id, unit_id=event.unit_id, sub_project_id=event.sub_project_id,
                    pack=event.pack, reason="acceptance_failed", rule_ids=list(sanction.rule_ids),
                    cause_event_id=envelope.id, terminated_at=now,
                )
            )
        elif sanction.effect == "finance_hold":
            hold = FinanceHold(
                project_id=event.project_id, unit_id=event.unit_id, scope=sanction.scope,
                rule_ids=list(sanction.rule_ids), cause_event_id=envelope.id,
                cause_event_type=type(event).event_name(), placed_at=now, lifted_by=sanction.lifted_by,
                release_condition=_release_condition(sanction, event.project_id),
                message_en=sanction.message_en, message_zh=sanction.message_zh,
            )
            uow.session.add(hold)
            uow.emit(
                FinanceHoldPlaced(
                    hold_id=str(hold.id), project_id=hold.project_id, unit_id=hold.unit_id, scope=hold.scope,  # type: ignore[arg-type]
                    rule_ids=hold.rule_ids, cause_event_id=hold.cause_event_id,  # type: ignore[arg-type]
                    cause_event_type=hold.cause_event_type, placed_at=now, release_condition=hold.release_condition,
                )
            )


async def on_acceptance_passed(uow: UnitOfWork, envelope: Envelope) -> None:
    """Release the holds that a pass of this project lifts (DY-24, BZ-30; inferred where the text is silent)."""
    event: AcceptancePassed = envelope.data  # type: ignore[assignment]
    now = uow.clock.now()
    for hold in await active_holds(uow, project_id=event.project_id, lock=True):
        if hold.lifted_by != "AcceptancePassed":
            continue
        hold.released_at = now
        hold.release_event_id = envelope.id
        uow.emit(
            FinanceHoldReleased(
                hold_id=str(hold.id), project_id=hold.project_id, unit_id=hold.unit_id, contract_id=hold.contract_id,
                scope=hold.scope, rule_ids=hold.rule_ids, release_event_id=envelope.id,  # type: ignore[arg-type]
                release_event_type=type(event).event_name(), released_at=now,
            )
        )


async def terminations(uow: UnitOfWork, project_id: str) -> list[ProjectTermination]:
    rows = await uow.session.execute(select(ProjectTermination).where(ProjectTermination.project_id == project_id))
    return list(rows.scalars().all())


SUBSCRIPTIONS = [
    Subscription(ACCEPTANCE, {AcceptanceFailed: on_acceptance_failed, AcceptancePassed: on_acceptance_passed}),
]
