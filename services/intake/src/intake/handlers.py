"""Intake use cases: declarations, and the unit-standing projection built from events."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from contracts.base import PackRef
from contracts.envelope import Envelope
from contracts.events import AcceptanceFailed, AcceptancePassed, ApplicationSubmitted, StandingBlock, UnitStandingChanged
from contracts.streams import ACCEPTANCE
from policy.packs import get_pack
from policy.sanctions import after_acceptance_failed
from servicekit.consumer import Subscription
from servicekit.db import UnitOfWork
from servicekit.errors import DomainError

from intake.domain.standing import Block, DeclarationFacts, lift_description, lift_description_zh, refusing_blocks
from intake.models import Declaration, UnitBlock
from intake.schemas import DeclarationIn


def as_block(row: UnitBlock) -> Block:
    return Block(
        str(row.id), row.scope, tuple(row.rule_ids), row.project_id, row.cause_event_id, row.cause_event_type,
        row.placed_at, row.lifted_by, row.lift_inferred, row.message_en, row.message_zh,
    )


async def active_blocks(uow: UnitOfWork, unit_id: str, *, lock: bool = False) -> list[UnitBlock]:
    query = select(UnitBlock).where(UnitBlock.unit_id == unit_id, UnitBlock.lifted_at.is_(None)).order_by(UnitBlock.placed_at)
    if lock:
        query = query.with_for_update()
    return list((await uow.session.execute(query)).scalars().all())


def refusal(blocks: list[Block]) -> DomainError:
    violations = [
        {
            "rule_ids": list(block.rule_ids),
            "message": block.message_en,
            "message_zh": block.message_zh,
            "cause": {"event_id": block.cause_event_id, "event_type": block.cause_event_type,
                      "project_id": block.project_id, "placed_at": block.placed_at.isoformat()},
            "lifted_by": lift_description(block),
            "lifted_by_zh": lift_description_zh(block),
        }
        for block in blocks
    ]
    rule_ids = sorted({rule for block in blocks for rule in block.rule_ids})
    causes = "; ".join(f"{', '.join(b.rule_ids)}: {b.message_en} (caused by {b.cause_event_type} {b.cause_event_id} on project {b.project_id})" for b in blocks)
    causes_zh = "；".join(f"{'、'.join(b.rule_ids)}：{b.message_zh}（起因：项目 {b.project_id} 的 {b.cause_event_type} 事件 {b.cause_event_id}）" for b in blocks)
    return DomainError(
        "declaration_refused",
        f"The unit may not declare this project: {causes}",
        f"该单位不得申报此项目：{causes_zh}",
        rule_ids=rule_ids,
        details={"violations": violations},
        status_code=409,
    )


async def submit_declaration(uow: UnitOfWork, body: DeclarationIn, pack_id: str) -> Declaration:
    """Accept a plan declaration unless a block on the unit refuses it (BY-22, BZ-30)."""
    # Locking the unit's blocks serialises a declaration with a block arriving at the same moment.
    blocks = [as_block(row) for row in await active_blocks(uow, body.unit_id, lock=True)]
    refusing = refusing_blocks(blocks, DeclarationFacts(body.unit_id, body.upgrade_of_project_id))
    if refusing:
        raise refusal(refusing)
    pack = get_pack(pack_id)
    now = uow.clock.now()
    declaration = Declaration(
        project_id=f"PRJ-{uuid.uuid4().hex[:12].upper()}",
        unit_id=body.unit_id,
        pack_id=pack.id,
        pack_version=pack.version,
        project_name=body.project_name,
        declared_amount_fen=body.declared_amount_yuan * 100,
        upgrade_of_project_id=body.upgrade_of_project_id,
        submitted_at=now,
        event_id="",
    )
    envelope = uow.emit(
        ApplicationSubmitted(
            project_id=declaration.project_id, application_id=str(declaration.id), unit_id=body.unit_id,
            pack=PackRef(id=pack.id, version=pack.version), project_name=body.project_name,
            declared_amount_fen=declaration.declared_amount_fen, upgrade_of_project_id=body.upgrade_of_project_id,
            submitted_at=now,
        )
    )
    declaration.event_id = envelope.id
    uow.session.add(declaration)
    await uow.commit()
    return declaration


def _standing_block(row: UnitBlock) -> StandingBlock:
    return StandingBlock(
        block_id=str(row.id), scope=row.scope, rule_ids=row.rule_ids, project_id=row.project_id,  # type: ignore[arg-type]
        cause_event_id=row.cause_event_id, cause_event_type=row.cause_event_type, placed_at=row.placed_at,
        lifted_by=row.lifted_by,
    )


def _standing_event(unit_id: str, change: str, changed: list[UnitBlock], active: list[UnitBlock], now) -> UnitStandingChanged:
    return UnitStandingChanged(
        unit_id=unit_id,
        change=change,  # type: ignore[arg-type]
        changed_block_ids=[str(row.id) for row in changed],
        changed_blocks=[_standing_block(row) for row in changed],
        blocks=[_standing_block(row) for row in active],
        reviews_suspended=any(row.scope == "reviews_suspended" for row in active),
        changed_at=now,
    )


async def on_acceptance_failed(uow: UnitOfWork, envelope: Envelope) -> None:
    """Place the unit blocks the project's pack attaches to a failed acceptance (BY-22.8, BZ-30)."""
    event: AcceptanceFailed = envelope.data  # type: ignore[assignment]
    pack = get_pack(event.pack.id, event.pack.version)
    now = uow.clock.now()
    placed = []
    for sanction in after_acceptance_failed(pack, terminal=event.terminal):
        if sanction.effect != "unit_block":
            continue
        row = UnitBlock(
            unit_id=event.unit_id, scope=sanction.scope, rule_ids=list(sanction.rule_ids), project_id=event.project_id,
            cause_event_id=envelope.id, cause_event_type=type(event).event_name(), placed_at=now,
            lifted_by=sanction.lifted_by, lift_inferred=sanction.lift_inferred,
            message_en=sanction.message_en, message_zh=sanction.message_zh,
        )
        uow.session.add(row)
        placed.append(row)
    if placed:
        await uow.session.flush()
        uow.emit(_standing_event(event.unit_id, "placed", placed, await active_blocks(uow, event.unit_id), now))


async def on_acceptance_passed(uow: UnitOfWork, envelope: Envelope) -> None:
    """Lift the blocks that a pass of this project releases (BY-22.8; BZ-30 inferred)."""
    event: AcceptancePassed = envelope.data  # type: ignore[assignment]
    now = uow.clock.now()
    lifted = [
        row for row in await active_blocks(uow, event.unit_id, lock=True)
        if row.project_id == event.project_id and row.lifted_by == "AcceptancePassed"
    ]
    for row in lifted:
        row.lifted_at = now
        row.lift_event_id = envelope.id
    if lifted:
        await uow.session.flush()
        uow.emit(_standing_event(event.unit_id, "lifted", lifted, await active_blocks(uow, event.unit_id), now))


SUBSCRIPTIONS = [
    Subscription(ACCEPTANCE, {AcceptanceFailed: on_acceptance_failed, AcceptancePassed: on_acceptance_passed}),
]
