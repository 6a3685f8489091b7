"""Answers to the finance bureau's "may we pay this now?" from the hold ledger (RULES.md §3.10.1).

The same question asked twice (same request_id) gets the answer it got the first time; every
answer is kept, so an auditor can see what the ledger said and when.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from servicekit import policy as loaded_policy
from servicekit import runtime as service_runtime
from servicekit.clock import business_date
from servicekit.db import UnitOfWork

from procurement.domain.clearance import ContractView, HoldView, Known, Question, decide
from procurement.domain.contract_rules import filing_rules
from procurement.ledger import active_holds
from procurement.models import ClearanceAnswer, ContractRecord, ProcurementProject
from procurement.projects import pack_of
from procurement.schemas import MAX_AMOUNT_YUAN

MAX_FEN = MAX_AMOUNT_YUAN * 100
HOLD_CONTEXTS = ("acceptance", "intake", "notify", "review")
"""The streams whose events can authorise a project or place, release or change a hold."""


@dataclass(frozen=True)
class Ask:
    request_id: str
    project_id: str
    contract_id: str | None
    milestone: str
    amount_fen: int


async def _contract(uow: UnitOfWork, project_id: str, contract_id: str | None) -> ContractRecord | None:
    if contract_id is None:
        return None
    try:
        key = uuid.UUID(contract_id)
    except ValueError:
        return None
    row = await uow.session.get(ContractRecord, key)
    return row if row is not None and row.project_id == project_id else None


async def answer(uow: UnitOfWork, ask: Ask, channel: str) -> tuple[ClearanceAnswer, bool]:
    """The answer to ``ask``, and whether it is new (False: the request_id was answered before).
    A "pending" answer is not final: asking again with the same request_id asks the ledger again."""
    if ask.amount_fen > MAX_FEN:
        # No project pays this much; the answer is not kept, as the amount does not fit the record.
        now = uow.clock.now()
        return ClearanceAnswer(request_id=ask.request_id, project_id=ask.project_id, contract_id=ask.contract_id,
                               milestone=ask.milestone, amount_fen=ask.amount_fen, answer="blocked", rule_ids=[], hold_ids=[],
                               reason=f"amount_fen {ask.amount_fen} is beyond any payment of a project / 申请金额超出范围",
                               ledger_as_of=now, channel=channel, answered_at=now), True
    earlier = await uow.session.get(ClearanceAnswer, ask.request_id, with_for_update=True)
    if earlier is not None and earlier.answer != "pending":
        return earlier, False
    runtime = service_runtime.current()
    project = await uow.session.get(ProcurementProject, ask.project_id)
    pack = pack_of(project) if project is not None else loaded_policy.current().pack
    subjects = {ask.project_id} | ({project.unit_id} if project is not None else set())
    unapplied = await runtime.backlog.unapplied(HOLD_CONTEXTS, subjects)
    now = uow.clock.now()
    ledger_as_of = now if unapplied == 0 else (await runtime.backlog.last_applied(HOLD_CONTEXTS) or now)
    contract = await _contract(uow, ask.project_id, ask.contract_id)
    holds = await active_holds(uow, project_id=ask.project_id) if project is not None else []
    compliance = pack.acceptance.compliance_review
    known = Known(
        authorised=project is not None, gate_rules=pack.contracts.gate_rules,
        project_class=project.project_class if project else None,
        contract=ContractView(str(contract.id), contract.om_service, [(m["kind"], m["amount_fen"]) for m in contract.milestones])
        if contract else None,
        contract_rules=filing_rules(pack), compliance=project.compliance if project else None,  # type: ignore[arg-type]
        compliance_rules=compliance.rules if compliance else (), unapplied_events=unapplied)
    decision = decide(
        Question(ask.project_id, ask.contract_id, ask.milestone, ask.amount_fen, business_date(now)),  # type: ignore[arg-type]
        known,
        [HoldView(str(h.id), h.scope, tuple(h.rule_ids), h.contract_id, h.hold_mode, h.message_en, h.message_zh, h.expires_on)
         for h in holds])
    fields = dict(project_id=ask.project_id, contract_id=ask.contract_id, milestone=ask.milestone, amount_fen=ask.amount_fen,
                  answer=decision.answer, rule_ids=list(decision.rule_ids), hold_ids=list(decision.hold_ids),
                  reason=decision.reason, ledger_as_of=ledger_as_of, channel=channel, answered_at=now)
    if earlier is not None:
        for name, value in fields.items():
            setattr(earlier, name, value)
        return earlier, True
    row = ClearanceAnswer(request_id=ask.request_id, **fields)
    uow.session.add(row)
    return row, True


async def answers(uow: UnitOfWork, project_id: str) -> list[ClearanceAnswer]:
    query = select(ClearanceAnswer).where(ClearanceAnswer.project_id == project_id).order_by(ClearanceAnswer.answered_at)
    return list((await uow.session.execute(query)).scalars())
