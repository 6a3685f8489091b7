"""Changes of an approved project (变更, RULES.md §3.6): measured and tiered by the pack
(``policy.changes``), filed, decided by the bureau, and held against when made without approval."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from contracts.base import PackRef
from contracts.events import ChangeDecided, ChangeFiled
from policy.changes import ChangeLine, ChangeRequest, assess_change
from policy.sanctions import sanctions_for
from policy.timers import period_due
from servicekit import policy as loaded_policy
from servicekit.clock import business_date
from servicekit.db import UnitOfWork
from servicekit.errors import DomainError, refuse
from servicekit.security.context import acting_username

from procurement import ledger
from procurement.domain.change_rules import budget_adjustment_refused, refusal, stated_totals
from servicekit.problems import Problem
from procurement.models import ChangeRecord, ContractRecord
from procurement.projects import open_project, pack_of
from procurement.schemas import ChangeDecisionIn, ChangeIn

STATUS = {"filing": "filed", "bureau_consent": "awaiting_decision", "approval_procedure": "awaiting_decision",
          "redeclaration": "redeclaration_required"}


async def file_change(uow: UnitOfWork, project_id: str, body: ChangeIn) -> ChangeRecord:
    project = await open_project(uow, project_id, loaded_policy.current().pack)
    pack = pack_of(project)
    today = business_date(uow.clock.now())
    added = sum(line.amount_yuan for line in body.lines if line.kind == "add")
    cancelled = sum(line.amount_yuan for line in body.lines if line.kind == "cancel")
    problems: list[Problem] = []
    if body.totals is not None:
        problems += stated_totals(added * 100, cancelled * 100,
                                  None if body.totals.added_yuan is None else body.totals.added_yuan * 100,
                                  None if body.totals.cancelled_yuan is None else body.totals.cancelled_yuan * 100,
                                  pack.change.measure_rules)
    completed = body.procedure_completed_on
    if completed is not None and not project.approved_on <= completed <= today:
        problems.append(Problem("procedure_completed_on", f"{completed} is not between the approval ({project.approved_on}) and today",
                                f"变更程序完成日期 {completed} 须在批复日期 {project.approved_on} 与今日之间",
                                pack.change.filing_deadline.rules if pack.change.filing_deadline else pack.change.measure_rules))
    if body.contract_id is not None:
        contract = await uow.session.get(ContractRecord, body.contract_id)
        if contract is None or contract.project_id != project_id:
            problems.append(Problem("contract_id", f"{body.contract_id} is not a filed contract of {project_id}",
                                    "所指合同不是本项目已备案的合同", pack.contracts.gate_rules))
    if body.affects_ip and pack.contracts.ip_change is not None and not any(d.role == "ip_plan_update" for d in body.documents):
        problems.append(Problem("documents", "a change that affects IP brings the updated IP types and application plan",
                                "涉及知识产权的变更，须同步更新知识产权类型及运用计划", pack.contracts.ip_change.rules))
    unpaid_part = [s for s in sanctions_for(pack, "ChangeFiled", {"after_the_fact": True, "requires_approval": True}).sanctions
                   if s.scope == "change_delta"]
    if body.after_the_fact and unpaid_part and body.contract_id is None:
        problems.append(Problem("contract_id", "a change made without approval names the contract that carries it, so the "
                                "finance bureau can withhold that part", "未经批准已实施的变更须指明所涉合同，以便财政局暂停支付变更部分",
                                unpaid_part[0].rule_ids))
    refuse(problems)
    blocked = budget_adjustment_refused(pack, body.kind, body.after_the_fact)
    if blocked is not None:
        refuse([blocked])
    prior = (await uow.session.execute(select(func.count()).select_from(ChangeRecord).where(
        ChangeRecord.project_id == project_id))).scalar_one()
    base_yuan = project.approved_amount_fen // 100
    decision = assess_change(pack, ChangeRequest(
        stage=body.stage, base_amount_yuan=base_yuan,
        lines=tuple(ChangeLine(kind=line.kind, amount_yuan=line.amount_yuan, item=line.item) for line in body.lines),
        major_content_change=body.major_content_change, policy_driven=body.kind == "policy",
        prior_change_requests=prior, overrides=tuple(body.overrides)))
    refused = refusal(decision)
    if refused is not None:
        refuse([refused])

    period = pack.change.filing_deadline
    due = None
    if period is not None and body.procedure_completed_on is not None:
        due = period_due(pack, period, body.procedure_completed_on, loaded_policy.current().calendar).due
    now = uow.clock.now()
    row = ChangeRecord(
        project_id=project_id, unit_id=project.unit_id, contract_id=body.contract_id, stage=body.stage, kind=body.kind,
        lines=[line.model_dump(mode="json") for line in body.lines], added_fen=added * 100, cancelled_fen=cancelled * 100,
        change_fen=decision.change_amount_yuan * 100, base_fen=project.approved_amount_fen,
        new_total_fen=project.approved_amount_fen + (added - cancelled) * 100, outcome=decision.outcome, steps=list(decision.steps),
        reasons=[r.model_dump(mode="json") for r in decision.reasons], requires_approval=decision.outcome in (
            "bureau_consent", "approval_procedure"), requires_redeclaration=decision.requires_redeclaration,
        after_the_fact=body.after_the_fact, policy_driven=body.kind == "policy", major_content_change=body.major_content_change,
        reason=body.reason, documents=[d.model_dump(mode="json") for d in body.documents],
        procedure_completed_on=body.procedure_completed_on, filing_due_on=due, filed_late=due is not None and today > due,
        status=STATUS[decision.outcome], rule_ids=list(dict.fromkeys([*decision.rule_ids, *(period.rules if due else ())])),
        filed_by=acting_username(), filed_at=now)
    uow.session.add(row)
    await uow.session.flush()
    if row.status == "filed":
        project.approved_amount_fen = row.new_total_fen  # a filed change (BY-33.2 cancel only) takes effect on filing
    envelope = uow.emit(ChangeFiled(
        project_id=project_id, change_id=str(row.id), unit_id=project.unit_id,
        pack=PackRef(id=project.pack_id, version=project.pack_version),
        contract_id=str(body.contract_id) if body.contract_id else None, stage=body.stage, kind=body.kind,
        cancelled_amount_fen=row.cancelled_fen, added_amount_fen=row.added_fen, change_amount_fen=row.change_fen,
        approved_amount_fen=row.base_fen, requires_approval=row.requires_approval,
        requires_redeclaration=row.requires_redeclaration, after_the_fact=body.after_the_fact,
        procedure_completed_on=body.procedure_completed_on, rule_ids=row.rule_ids, filed_at=now, filing_due_on=due,
        filed_late=row.filed_late))
    await ledger.apply(uow, pack, "ChangeFiled", {"after_the_fact": body.after_the_fact, "requires_approval": row.requires_approval,
                                                  "kind": body.kind},
                       ledger.Cause(envelope.id, "ChangeFiled", project_id, project.unit_id,
                                    contract_id=str(body.contract_id) if body.contract_id else None, reference_id=str(row.id),
                                    amount_fen=row.added_fen))
    return row


async def decide(uow: UnitOfWork, project_id: str, change_id: uuid.UUID, body: ChangeDecisionIn) -> ChangeRecord:
    project = await open_project(uow, project_id, loaded_policy.current().pack)
    pack = pack_of(project)
    row = (await uow.session.execute(select(ChangeRecord).where(
        ChangeRecord.id == change_id, ChangeRecord.project_id == project_id).with_for_update())).scalar_one_or_none()
    if row is None:
        raise DomainError("not_found", f"change_id: no change {change_id} on {project_id}", "变更申请不存在",
                          field="change_id", status_code=404)
    if row.status != "awaiting_decision":
        raise DomainError("not_awaiting", f"change_id: the change is {row.status}; only a change awaiting the bureau is decided",
                          f"该变更当前状态为 {row.status}，无需或已作决定", field="change_id",
                          rule_ids=pack.change.prior_approval.rules if pack.change.prior_approval else pack.change.within_ratio.rules)
    now = uow.clock.now()
    row.status = "approved" if body.approved else "refused"
    row.decided_by, row.decided_at, row.decision_reasons = acting_username(), now, list(body.reasons)
    if body.approved:
        project.approved_amount_fen = row.new_total_fen
    envelope = uow.emit(ChangeDecided(
        project_id=project_id, change_id=str(row.id), unit_id=project.unit_id,
        pack=PackRef(id=project.pack_id, version=project.pack_version),
        contract_id=str(row.contract_id) if row.contract_id else None, approved=body.approved, change_amount_fen=row.change_fen,
        added_amount_fen=row.added_fen, approved_amount_fen=project.approved_amount_fen, rule_ids=row.rule_ids,
        reasons=list(body.reasons), decided_at=now))
    facts = {"approved": body.approved, "after_the_fact": row.after_the_fact}
    await ledger.release(uow, "ChangeDecided", facts, project_id=project_id, event_id=envelope.id, reference_id=str(row.id))
    await ledger.apply(uow, pack, "ChangeDecided", facts,
                       ledger.Cause(envelope.id, "ChangeDecided", project_id, project.unit_id,
                                    contract_id=str(row.contract_id) if row.contract_id else None, reference_id=str(row.id),
                                    amount_fen=row.added_fen))
    return row


async def changes(uow: UnitOfWork, project_id: str) -> list[ChangeRecord]:
    query = select(ChangeRecord).where(ChangeRecord.project_id == project_id).order_by(ChangeRecord.filed_at)
    return list((await uow.session.execute(query)).scalars())

