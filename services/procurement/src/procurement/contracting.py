"""From approval to a filed contract: the requirement self-check (BY-24, DY-11b, DY-12), contracts and
supplementary agreements (BY-26–29), and the unit's progress reports (BY-29.5)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from contracts.base import PackRef
from contracts.events import ContractFiled, FinalAccountsFiled, IncidentReported, ProgressReported
from policy.decisions import check_overrides
from policy.timers import period_due
from servicekit import policy as loaded_policy
from servicekit.clock import business_date
from servicekit.db import UnitOfWork
from servicekit.errors import DomainError, refuse
from servicekit.security.context import acting_username

from procurement.domain.contract_rules import (
    ContractTerms,
    Existing,
    ProjectTerms,
    check_contract,
    filing_period,
    filing_rules,
)
from servicekit.problems import Problem, yuan
from procurement.models import (
    ContractRecord,
    ProcurementProject,
    ProgressReport,
    RequirementFiling,
    Supplier,
    SupplierRoleRow,
)
from procurement.projects import cap_rules, contracted_fen, open_project, owed, pack_of
from procurement.schemas import ContractIn, FinalAccountsIn, IncidentIn, ProgressReportIn, RequirementFilingIn


async def _project(uow: UnitOfWork, project_id: str) -> ProcurementProject:
    return await open_project(uow, project_id, loaded_policy.current().pack)


async def file_requirements(uow: UnitOfWork, project_id: str, body: RequirementFilingIn) -> RequirementFiling:
    project = await _project(uow, project_id)
    pack = pack_of(project)
    problems: list[Problem] = []
    budget_fen = body.procurement_budget_yuan * 100
    if budget_fen > project.approved_amount_fen:
        problems.append(Problem("procurement_budget_yuan", f"the procurement budget {yuan(budget_fen)} is above the approved "
                                f"amount {yuan(project.approved_amount_fen)}", f"采购预算 {yuan(budget_fen)} 超过批复金额 "
                                f"{yuan(project.approved_amount_fen)}", cap_rules(project, pack)))
    self_check = owed(project, "procurement_self_check")
    self_check_rules = tuple(self_check["rule_ids"]) if self_check else pack.contracts.gate_rules
    if not body.matches_scheme or body.deviations:
        problems.append(Problem("matches_scheme", "the requirements must match the approved scheme; a departure is a change "
                                "to file and have approved first", "采购需求须与批复方案一致；如有调整，须先按变更程序报批",
                                self_check_rules))
    if self_check and not any(d.role == "requirement_self_check" for d in body.documents):
        problems.append(Problem("documents", "the 采购需求自查表 must be filed", "须提交采购需求自查表", tuple(self_check["rule_ids"])))
    line = pack.contracts.procurement_expert_line
    if line is not None and line.reached(body.procurement_budget_yuan):
        if body.expert_review is None:
            problems.append(Problem("expert_review", f"a procurement budget of {yuan(budget_fen)} needs an expert argument of the "
                                    "requirements and tender documents by experts drawn at random from the procurement pool",
                                    f"采购预算 {yuan(budget_fen)} 达到{line.describe_zh()}，须从政府采购评审专家库随机抽取专家论证",
                                    line.rules))
        elif body.expert_review.bias_found:
            problems.append(Problem("expert_review.bias_found", "the experts found biased or discriminatory terms; remove them "
                                    "and have the documents argued again before the tender", "专家论证发现倾向性、歧视性条款，"
                                    "须修改后重新论证", line.rules, status=409))
    refuse(problems)
    row = RequirementFiling(
        project_id=project_id, procurement_budget_fen=budget_fen, matches_scheme=body.matches_scheme,
        documents=[d.model_dump(mode="json") for d in body.documents], scheme_designer_id=body.scheme_designer_id,
        expert_review=body.expert_review.model_dump(mode="json") if body.expert_review else None,
        rule_ids=list(dict.fromkeys([*self_check_rules, *(line.rules if line and body.expert_review else ())])),
        filed_by=acting_username(), filed_at=uow.clock.now())
    uow.session.add(row)
    if body.scheme_designer_id:
        await _record_role(uow, project_id, body.scheme_designer_id, "design", "scheme_designer", None)
    return row


async def _record_role(uow: UnitOfWork, project_id: str, supplier_id: str, role: str, source: str,
                       contract_id: uuid.UUID | None) -> None:
    await uow.session.execute(insert(SupplierRoleRow).values(
        id=uuid.uuid4(), project_id=project_id, supplier_id=supplier_id, role=role, source=source,
        contract_id=contract_id, recorded_at=uow.clock.now()).on_conflict_do_nothing())


async def _roles(uow: UnitOfWork, project_id: str) -> dict[str, frozenset[str]]:
    rows = await uow.session.execute(select(SupplierRoleRow.supplier_id, SupplierRoleRow.role).where(
        SupplierRoleRow.project_id == project_id))
    roles: dict[str, set[str]] = {}
    for supplier_id, role in rows:
        roles.setdefault(supplier_id, set()).add(role)
    return {k: frozenset(v) for k, v in roles.items()}


async def file_contract(uow: UnitOfWork, project_id: str, body: ContractIn) -> ContractRecord:
    project = await _project(uow, project_id)
    pack = pack_of(project)
    today = business_date(uow.clock.now())
    self_check = owed(project, "procurement_self_check")
    if self_check and body.kind == "contract":
        filed = (await uow.session.execute(select(RequirementFiling.id).where(
            RequirementFiling.project_id == project_id))).first()
        if filed is None:
            raise DomainError("no_requirement_filing", "the procurement-requirement self-check must be filed before the contract",
                              "合同备案前须先完成采购需求自查并报备", field="project_id", rule_ids=self_check["rule_ids"])
    if body.kind == "supplementary":
        base = await uow.session.get(ContractRecord, body.amends_contract_id) if body.amends_contract_id else None
        if base is None or base.project_id != project_id:
            raise DomainError("refused", "amends_contract_id: a supplementary agreement names a filed contract of this project",
                              "补充协议须指明本项目已备案的合同", field="amends_contract_id",
                              rule_ids=pack.contracts.supplementary_filing_deadline.rules if pack.contracts.supplementary_filing_deadline
                              else pack.contracts.gate_rules, status_code=422)
    granted = tuple(check_overrides(pack, body.overrides))
    terms = ContractTerms(
        kind=body.kind, supplier_id=body.supplier.supplier_id, supplier_role=body.supplier_role, amount_fen=body.amount_yuan * 100,
        signed_on=body.signed_on, term_starts_on=body.term.starts_on, term_ends_on=body.term.ends_on,
        deliverables=tuple(body.deliverables), warranty_software_months=body.warranty_software_months,
        warranty_hardware_months=body.warranty_hardware_months, ip_clauses=dict(body.ip_clauses),
        milestone_amounts_fen=tuple(m.amount_yuan * 100 for m in body.milestones),
        document_roles=tuple(d.role for d in body.documents), om_service=body.om_service,
        service_purchase=body.service_purchase, data_terms=body.data_terms, procurement_method=body.procurement_method,
        includes_works=body.includes_works, below_procurement_limit=body.below_procurement_limit, ip_override_rules=granted)
    facts = ProjectTerms(project_id=project_id, project_class=project.project_class, approved_amount_fen=project.approved_amount_fen,
                         approved_on=project.approved_on, cap_rules=cap_rules(project, pack))
    existing = Existing(contracted_fen=await contracted_fen(uow, project_id), supplier_roles=await _roles(uow, project_id))
    refuse(check_contract(pack, facts, terms, existing, today))

    period = filing_period(pack, body.kind)
    due = period_due(pack, period, body.signed_on, loaded_policy.current().calendar).due if period else None
    late = due is not None and today > due
    rules = list(period.rules if period else filing_rules(pack))
    now = uow.clock.now()
    await uow.session.execute(insert(Supplier).values(supplier_id=body.supplier.supplier_id, name=body.supplier.name,
                                                      first_seen_at=now).on_conflict_do_nothing())
    row = ContractRecord(
        project_id=project_id, unit_id=project.unit_id, kind=body.kind, amends_contract_id=body.amends_contract_id,
        supplier_id=body.supplier.supplier_id, supplier_role=body.supplier_role, title=body.title, amount_fen=terms.amount_fen,
        signed_on=body.signed_on, term_starts_on=body.term.starts_on, term_ends_on=body.term.ends_on,
        deliverables=list(body.deliverables), warranty_software_months=body.warranty_software_months,
        warranty_hardware_months=body.warranty_hardware_months, om_service=body.om_service,
        service_purchase=body.service_purchase, ip_clauses=dict(body.ip_clauses),
        milestones=[{"kind": m.kind, "amount_fen": m.amount_yuan * 100, "label": m.label} for m in body.milestones],
        documents=[d.model_dump(mode="json") for d in body.documents], overrides=[o.model_dump(mode="json") for o in body.overrides],
        filing_due_on=due, filed_late=late, rule_ids=rules, filed_by=acting_username(), filed_at=now, event_id="")
    uow.session.add(row)
    await uow.session.flush()
    await _record_role(uow, project_id, body.supplier.supplier_id, body.supplier_role, "contract", row.id)
    row.event_id = uow.emit(ContractFiled(
        project_id=project_id, contract_id=str(row.id), unit_id=project.unit_id,
        pack=PackRef(id=project.pack_id, version=project.pack_version), kind=body.kind,
        amends_contract_id=str(body.amends_contract_id) if body.amends_contract_id else None,
        supplier_id=body.supplier.supplier_id, supplier_role=body.supplier_role, amount_fen=terms.amount_fen,
        signed_on=body.signed_on, warranty_software_months=body.warranty_software_months,
        warranty_hardware_months=body.warranty_hardware_months, rule_ids=rules, filed_at=now, filing_due_on=due,
        filed_late=late)).id
    return row


async def contracts(uow: UnitOfWork, project_id: str) -> list[ContractRecord]:
    query = select(ContractRecord).where(ContractRecord.project_id == project_id).order_by(ContractRecord.filed_at)
    return list((await uow.session.execute(query)).scalars())


async def report_progress(uow: UnitOfWork, project_id: str, body: ProgressReportIn) -> ProgressReport:
    project = await _project(uow, project_id)
    pack = pack_of(project)
    item = owed(project, "progress_reports")
    rules = item["rule_ids"] if item else list(pack.contracts.gate_rules)
    if body.milestones_done > body.milestones_due and body.schedule_status == "behind_schedule":
        raise DomainError("refused", "schedule_status: more milestones done than due is not behind schedule",
                          "已完成节点多于应完成节点，不应为滞后", field="schedule_status", rule_ids=rules, status_code=422)
    if body.schedule_status == "behind_schedule" and not body.delay_reason:
        raise DomainError("refused", "delay_reason: a project behind schedule states why", "进度滞后须说明原因",
                          field="delay_reason", rule_ids=rules, status_code=422)
    if body.period_end > business_date(uow.clock.now()):
        raise DomainError("refused", "period_end: a report covers a period that has ended", "报告期末不得晚于今日",
                          field="period_end", rule_ids=rules, status_code=422)
    now = uow.clock.now()
    row = ProgressReport(project_id=project_id, period_end=body.period_end, schedule_status=body.schedule_status,
                         milestones_due=body.milestones_due, milestones_done=body.milestones_done,
                         delay_reason=body.delay_reason, reported_by=acting_username(), reported_at=now)
    uow.session.add(row)
    await uow.session.flush()
    uow.emit(ProgressReported(
        project_id=project_id, report_id=str(row.id), unit_id=project.unit_id,
        pack=PackRef(id=project.pack_id, version=project.pack_version), period_end=body.period_end,
        schedule_status=body.schedule_status, milestones_due=body.milestones_due, milestones_done=body.milestones_done,
        delay_reason=body.delay_reason, reported_at=now))
    return row


async def report_incident(uow: UnitOfWork, project_id: str, body: IncidentIn) -> str:
    project = await _project(uow, project_id)
    pack = pack_of(project)
    duty = pack.contracts.incident_reporting
    if duty is None:
        item = owed(project, "progress_reports")
        raise DomainError("no_incident_duty", "this pack sets no separate incident report; report the delay in a progress report",
                          "本地规定未设单独的重大问题报告，请在进度报告中说明", field="project_id",
                          rule_ids=item["rule_ids"] if item else pack.contracts.gate_rules)
    incident_id = str(uuid.uuid4())
    uow.emit(IncidentReported(
        project_id=project_id, incident_id=incident_id, unit_id=project.unit_id,
        pack=PackRef(id=project.pack_id, version=project.pack_version), kind=body.kind, description=body.description,
        rule_ids=list(duty.rules), reported_at=uow.clock.now()))
    return incident_id


async def file_final_accounts(uow: UnitOfWork, project_id: str, body: FinalAccountsIn) -> str:
    project = await _project(uow, project_id)
    pack = pack_of(project)
    duty = pack.contracts.final_accounts
    if duty is None:
        raise DomainError("no_final_accounts_duty", "this pack sets no final-accounts filing with procurement",
                          "本地规定未设竣工财务决算报备", field="project_id", rule_ids=pack.contracts.gate_rules)
    if body.major and (not body.audited or body.audit_report is None):
        refuse([Problem("audit_report", "a major project's settlement is audited by the audit department before the finance "
                        "bureau approves it", "重大项目须先经审计部门结算审计", duty.rules)])
    filing_id = str(uuid.uuid4())
    uow.emit(FinalAccountsFiled(
        project_id=project_id, filing_id=filing_id, unit_id=project.unit_id,
        pack=PackRef(id=project.pack_id, version=project.pack_version), final_amount_fen=body.final_amount_yuan * 100,
        approved_amount_fen=project.approved_amount_fen, audited=body.audited, report_sm3=body.report.sm3,
        rule_ids=list(duty.rules), filed_at=uow.clock.now()))
    return filing_id
