"""What procurement does with the other contexts' events: registers the projects it may procure for,
keeps the hold ledger per the pack's sanction matrix, lapses projects whose approval expired
unused (BY-37.3), and answers the finance system's payment questions."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from contracts.envelope import Envelope
from contracts.events import (
    AcceptanceFailed,
    AcceptanceFiled,
    AcceptanceFilingRejected,
    AcceptancePassed,
    ComplianceOpinionIssued,
    DeadlineElapsed,
    MicroProjectFiled,
    PaymentClearanceAnswered,
    PaymentClearanceRequested,
    ProjectApproved,
    ProjectFiled,
    RectificationCompleted,
    RectificationOverdue,
    SupervisionFindingRecorded,
)
from contracts.streams import ACCEPTANCE, FINANCE, INTAKE, NOTIFY, REVIEW
from policy.packs import get_pack
from servicekit.clock import fact_day
from servicekit.consumer import Subscription
from servicekit.db import UnitOfWork

from procurement import ledger, payments, projects
from procurement.models import ContractRecord, EarlyDeadline, ProcurementProject

log = logging.getLogger(__name__)


def _facts(event: Any) -> dict[str, Any]:
    return event.model_dump(mode="json")


async def on_outcome(uow: UnitOfWork, envelope: Envelope) -> None:
    """An acceptance or supervision outcome: release what it lifts, then apply what it sets off."""
    event = envelope.data
    trigger = type(event).__name__
    project_id = getattr(event, "project_id", None)
    if project_id is None:
        # A finding on the unit's systems as a whole names no project whose payments could be held;
        # intake keeps what it means for the unit's standing.
        log.info("%s %s concerns unit %s, no project: no hold", trigger, envelope.id, event.unit_id)
        return
    project = await uow.session.get(ProcurementProject, project_id, with_for_update=True)
    ref = getattr(event, "pack", None)
    pack = get_pack(ref.id, ref.version) if ref is not None else projects.pack_of(project) if project else None
    if pack is None:
        log.warning("%s %s for unknown project %s names no pack: nothing to apply", trigger, envelope.id, project_id)
        return
    facts = _facts(event)
    if isinstance(event, ComplianceOpinionIssued) and project is not None:
        project.compliance = "consent" if event.consent else "refused"
    answers = getattr(event, "cause_event_id", None)
    sub_project_id = getattr(event, "sub_project_id", None)
    await ledger.release(uow, trigger, facts, project_id=project_id, event_id=envelope.id, answers=answers,
                         sub_project_id=sub_project_id)
    await ledger.apply(uow, pack, trigger, facts, ledger.Cause(envelope.id, trigger, project_id, event.unit_id,
                                                               sub_project_id=sub_project_id,
                                                               answers=answers, day=fact_day(facts)))


async def on_deadline(uow: UnitOfWork, envelope: Envelope) -> None:
    """An elapsed timer: the approval's validity ending with no contract lapses the project (BY-37.3)."""
    event: DeadlineElapsed = envelope.data  # type: ignore[assignment]
    if event.project_id is None or event.phase != "due":
        return
    project = await uow.session.get(ProcurementProject, event.project_id, with_for_update=True)
    if project is None and event.kind == "approval_validity":
        # The approval travels on another stream and may not have arrived yet: keep the deadline
        # and apply it when the approval registers the project, rather than let a lapse pass.
        await uow.session.execute(insert(EarlyDeadline).values(
            event_id=envelope.id, project_id=event.project_id, kind=event.kind, received_at=uow.clock.now())
            .on_conflict_do_nothing())
        log.info("%s: %s elapsed before the approval of %s arrived; kept for it", envelope.id, event.kind, event.project_id)
        return
    if project is not None:
        await _apply_deadline(uow, project, envelope.id, event.kind)


async def _apply_deadline(uow: UnitOfWork, project: ProcurementProject, event_id: str, kind: str) -> None:
    if project.status != "open":
        return
    contract = (await uow.session.execute(select(ContractRecord.id).where(
        ContractRecord.project_id == project.project_id).limit(1))).first()
    facts = {"kind": kind, "contract_filed": contract is not None}
    await ledger.apply(uow, projects.pack_of(project), "DeadlineElapsed", facts,
                       ledger.Cause(event_id, "DeadlineElapsed", project.project_id, project.unit_id))


def _registering(register: Any) -> Any:
    """Register the project, then apply what elapsed before its approval arrived."""
    async def handle(uow: UnitOfWork, envelope: Envelope) -> None:
        await register(uow, envelope)
        project_id = envelope.data.project_id  # type: ignore[attr-defined]
        early = list((await uow.session.execute(select(EarlyDeadline).where(
            EarlyDeadline.project_id == project_id).with_for_update())).scalars())
        if not early:
            return
        await uow.session.flush()
        project = await uow.session.get(ProcurementProject, project_id, with_for_update=True)
        for row in early:
            if project is not None:
                await _apply_deadline(uow, project, row.event_id, row.kind)
            await uow.session.delete(row)
    return handle


async def on_clearance_requested(uow: UnitOfWork, envelope: Envelope) -> None:
    event: PaymentClearanceRequested = envelope.data  # type: ignore[assignment]
    row, new = await payments.answer(uow, payments.Ask(event.request_id, event.project_id, event.contract_id, event.milestone,
                                                       event.amount_fen), channel="event")
    if not new:
        log.info("clearance request %s was answered before; answering the same again", event.request_id)
    uow.emit(PaymentClearanceAnswered(
        request_id=row.request_id, project_id=row.project_id, contract_id=row.contract_id, answer=row.answer,  # type: ignore[arg-type]
        rule_ids=list(row.rule_ids), hold_ids=list(row.hold_ids), reason=row.reason, ledger_as_of=row.ledger_as_of,
        answered_at=row.answered_at))


OUTCOMES = (AcceptanceFailed, AcceptancePassed, AcceptanceFilingRejected, AcceptanceFiled, ComplianceOpinionIssued,
            RectificationOverdue, RectificationCompleted, SupervisionFindingRecorded)

SUBSCRIPTIONS = [
    Subscription(REVIEW, {ProjectApproved: _registering(projects.on_project_approved)}),
    Subscription(INTAKE, {MicroProjectFiled: _registering(projects.on_micro_filed),
                          ProjectFiled: _registering(projects.on_project_filed)}),
    Subscription(ACCEPTANCE, dict.fromkeys(OUTCOMES, on_outcome)),
    Subscription(NOTIFY, {DeadlineElapsed: on_deadline}),
    Subscription(FINANCE, {PaymentClearanceRequested: on_clearance_requested}),
]
