"""HTTP routes of the procurement service."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from servicekit.deps import Runtime
from servicekit.errors import DomainError
from servicekit.identifiers import IdentifierPath, IdentifierQuery

from procurement import changes as change_cases
from procurement import contracting, payments, projects, terminations
from procurement.ledger import active_holds
from procurement.models import ChangeRecord, ClearanceAnswer, ContractRecord, FinanceHold, ProcurementProject, ProjectTermination
from procurement.schemas import (
    ChangeDecisionIn,
    ChangeIn,
    ChangeOut,
    ClearanceIn,
    ClearanceOut,
    ContractIn,
    ContractOut,
    FinalAccountsIn,
    HoldOut,
    IncidentIn,
    ObligationOut,
    ProgressReportIn,
    ProjectOut,
    RequirementFilingIn,
    TerminationIn,
    TerminationOut,
)

router = APIRouter()


def _hold(row: FinanceHold) -> HoldOut:
    return HoldOut(
        hold_id=row.id, project_id=row.project_id, unit_id=row.unit_id, contract_id=row.contract_id,
        sub_project_id=row.sub_project_id, scope=row.scope, hold_mode=row.hold_mode, rule_ids=row.rule_ids,
        cause_event_id=row.cause_event_id, cause_event_type=row.cause_event_type,
        placed_at=row.placed_at, release_condition=row.release_condition, amount_fen=row.amount_fen, expires_on=row.expires_on,
        message=row.message_en, message_zh=row.message_zh, released_at=row.released_at,
    )


def _contract(row: ContractRecord) -> ContractOut:
    return ContractOut(
        contract_id=row.id, project_id=row.project_id, kind=row.kind, amends_contract_id=row.amends_contract_id,
        supplier_id=row.supplier_id, supplier_role=row.supplier_role, title=row.title, amount_yuan=row.amount_fen // 100,
        signed_on=row.signed_on, term_starts_on=row.term_starts_on, term_ends_on=row.term_ends_on,
        milestones=[{**m, "amount_yuan": m["amount_fen"] // 100} for m in row.milestones], filing_due_on=row.filing_due_on,
        filed_late=row.filed_late, rule_ids=row.rule_ids, filed_at=row.filed_at)


def _change(row: ChangeRecord) -> ChangeOut:
    return ChangeOut(
        change_id=row.id, project_id=row.project_id, stage=row.stage, kind=row.kind, status=row.status, outcome=row.outcome,
        added_yuan=row.added_fen // 100, cancelled_yuan=row.cancelled_fen // 100, change_amount_yuan=row.change_fen // 100,
        base_yuan=row.base_fen // 100, new_total_yuan=row.new_total_fen // 100, requires_approval=row.requires_approval,
        requires_redeclaration=row.requires_redeclaration, after_the_fact=row.after_the_fact, steps=row.steps,
        reasons=row.reasons, filing_due_on=row.filing_due_on, filed_late=row.filed_late, rule_ids=row.rule_ids,
        filed_at=row.filed_at, decided_at=row.decided_at)


def _clearance(row: ClearanceAnswer) -> ClearanceOut:
    return ClearanceOut(request_id=row.request_id, project_id=row.project_id, contract_id=row.contract_id,
                        answer=row.answer, rule_ids=row.rule_ids, hold_ids=row.hold_ids,  # type: ignore[arg-type]
                        reason=row.reason, ledger_as_of=row.ledger_as_of, answered_at=row.answered_at)


@router.get("/projects/{project_id}", response_model=ProjectOut, tags=["projects"])
async def project(project_id: IdentifierPath, runtime: Runtime) -> ProjectOut:
    """What procurement knows of an approved or filed project, and what it still owes (BY-24, BY-26, BY-29.2a …)."""
    async with runtime.units() as uow:
        row = await uow.session.get(ProcurementProject, project_id)
        if row is None:
            raise DomainError("not_found", f"project_id: procurement knows no approved or filed project {project_id}",
                              f"采购与合同模块无项目 {project_id}（尚未批复或备案）", field="project_id", status_code=404)
        owed = await projects.obligations(uow, row)
        return ProjectOut(
            project_id=row.project_id, unit_id=row.unit_id, pack=f"{row.pack_id}@{row.pack_version}",
            project_class=row.project_class, authorised_by=row.authorised_by, approved_amount_yuan=row.approved_amount_fen // 100,
            original_amount_yuan=row.original_amount_fen // 100,
            contracted_yuan=await projects.contracted_fen(uow, project_id) // 100, approved_on=row.approved_on,
            valid_until=row.valid_until, status=row.status, compliance=row.compliance,
            obligations=[ObligationOut(**item) for item in owed])


@router.post("/projects/{project_id}/requirement-filings", status_code=201, tags=["procurement"])
async def file_requirements(project_id: IdentifierPath, body: RequirementFilingIn, runtime: Runtime) -> dict:
    """File the procurement-requirement self-check (采购需求自查表) before procuring (BY-24, DY-11b, DY-12)."""
    async with runtime.units() as uow:
        row = await contracting.file_requirements(uow, project_id, body)
        await uow.commit()
        return {"filing_id": str(row.id), "project_id": project_id, "rule_ids": row.rule_ids}


@router.post("/projects/{project_id}/contracts", response_model=ContractOut, status_code=201, tags=["contracts"])
async def file_contract(project_id: IdentifierPath, body: ContractIn, runtime: Runtime) -> ContractOut:
    """File a contract with its 保密协议, or a supplementary agreement (BY-26–29, BZ-38, YL-18, YL-25, DY-10.1c, DY-11b)."""
    async with runtime.units() as uow:
        row = await contracting.file_contract(uow, project_id, body)
        await uow.commit()
        return _contract(row)


@router.get("/projects/{project_id}/contracts", response_model=list[ContractOut], tags=["contracts"])
async def list_contracts(project_id: IdentifierPath, runtime: Runtime) -> list[ContractOut]:
    async with runtime.units() as uow:
        return [_contract(row) for row in await contracting.contracts(uow, project_id)]


@router.post("/projects/{project_id}/changes", response_model=ChangeOut, status_code=201, tags=["changes"])
async def file_change(project_id: IdentifierPath, body: ChangeIn, runtime: Runtime) -> ChangeOut:
    """File a change: measured as Σ|cancelled| + Σ|added| (BY-33.3c) and tiered by the pack (BY-33, DY-17, YL-21)."""
    async with runtime.units() as uow:
        row = await change_cases.file_change(uow, project_id, body)
        await uow.commit()
        return _change(row)


@router.get("/projects/{project_id}/changes", response_model=list[ChangeOut], tags=["changes"])
async def list_changes(project_id: IdentifierPath, runtime: Runtime) -> list[ChangeOut]:
    async with runtime.units() as uow:
        return [_change(row) for row in await change_cases.changes(uow, project_id)]


@router.post("/projects/{project_id}/changes/{change_id}/decision", response_model=ChangeOut, tags=["changes"])
async def decide_change(project_id: IdentifierPath, change_id: uuid.UUID, body: ChangeDecisionIn, runtime: Runtime) -> ChangeOut:
    """The bureau approves or refuses a change awaiting it (BY-32a, BY-33.3b, DY-17a)."""
    async with runtime.units() as uow:
        row = await change_cases.decide(uow, project_id, change_id, body)
        await uow.commit()
        return _change(row)


@router.post("/projects/{project_id}/terminations", response_model=TerminationOut, status_code=201, tags=["termination"])
async def file_termination(project_id: IdentifierPath, body: TerminationIn, runtime: Runtime) -> TerminationOut:
    """File a termination on one of the pack's grounds (BY-37, BY-38a); remaining funds are recovered (BY-38b)."""
    async with runtime.units() as uow:
        row = await terminations.file_termination(uow, project_id, body)
        await uow.commit()
        return _termination(row)


def _termination(r: ProjectTermination) -> TerminationOut:
    return TerminationOut(project_id=r.project_id, sub_project_id=r.sub_project_key or None, reason=r.reason, ground=r.ground,
                          rule_ids=r.rule_ids, cause_event_id=r.cause_event_id, terminated_at=r.terminated_at)


@router.get("/projects/{project_id}/terminations", response_model=list[TerminationOut], tags=["termination"])
async def project_terminations(project_id: IdentifierPath, runtime: Runtime) -> list[TerminationOut]:
    """Terminations (终止) of a project or its sub-projects."""
    async with runtime.units() as uow:
        return [_termination(r) for r in await terminations.terminations(uow, project_id)]


@router.post("/projects/{project_id}/progress-reports", status_code=201, tags=["implementation"])
async def report_progress(project_id: IdentifierPath, body: ProgressReportIn, runtime: Runtime) -> dict:
    """Report schedule and milestones to the bureau (BY-29.5); a delay feeds BY-22.5."""
    async with runtime.units() as uow:
        row = await contracting.report_progress(uow, project_id, body)
        await uow.commit()
        return {"report_id": str(row.id), "project_id": project_id}


@router.post("/projects/{project_id}/incidents", status_code=201, tags=["implementation"])
async def report_incident(project_id: IdentifierPath, body: IncidentIn, runtime: Runtime) -> dict:
    """Report a serious delay or major investment loss to 发改委, 财政局 and 大数据局 (BZ-26a)."""
    async with runtime.units() as uow:
        incident_id = await contracting.report_incident(uow, project_id, body)
        await uow.commit()
        return {"incident_id": incident_id, "project_id": project_id}


@router.post("/projects/{project_id}/final-accounts", status_code=201, tags=["implementation"])
async def file_final_accounts(project_id: IdentifierPath, body: FinalAccountsIn, runtime: Runtime) -> dict:
    """File the completion final-accounts report for the finance bureau's review (BZ-40)."""
    async with runtime.units() as uow:
        filing_id = await contracting.file_final_accounts(uow, project_id, body)
        await uow.commit()
        return {"filing_id": filing_id, "project_id": project_id}


@router.get("/projects/{project_id}/holds", response_model=list[HoldOut], tags=["finance holds"])
async def project_holds(project_id: IdentifierPath, runtime: Runtime) -> list[HoldOut]:
    """Finance holds in force on a project, each with its rule, cause and release condition."""
    async with runtime.units() as uow:
        return [_hold(row) for row in await active_holds(uow, project_id=project_id)]


@router.get("/holds", response_model=list[HoldOut], tags=["finance holds"])
async def unit_holds(runtime: Runtime, unit_id: IdentifierQuery | None = None) -> list[HoldOut]:
    """Finance holds in force on every project of a unit; without a unit, every hold (the finance
    bureau's and the data bureau's view; a unit's people must name their own unit)."""
    async with runtime.units() as uow:
        return [_hold(row) for row in await active_holds(uow, unit_id=unit_id)]


@router.post("/payment-clearances", response_model=ClearanceOut, tags=["finance holds"])
async def ask_clearance(body: ClearanceIn, runtime: Runtime) -> ClearanceOut:
    """May this payment be made now? cleared, blocked (with the rule IDs) or pending; fails closed."""
    async with runtime.units() as uow:
        row, _ = await payments.answer(uow, payments.Ask(body.request_id, body.project_id, body.contract_id, body.milestone,
                                                         body.amount_fen), channel="http")
        await uow.commit()
        return _clearance(row)


@router.get("/projects/{project_id}/payment-clearances", response_model=list[ClearanceOut], tags=["finance holds"])
async def project_clearances(project_id: IdentifierPath, runtime: Runtime) -> list[ClearanceOut]:
    """Every payment question asked about the project and what the ledger answered."""
    async with runtime.units() as uow:
        return [_clearance(row) for row in await payments.answers(uow, project_id)]
