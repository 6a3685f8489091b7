"""The projects procurement may act on, built from review's approvals and intake's filings, and the
gate every procurement action passes (BY-23, DY-3.3, BZ-36, YF-10/11, YL-12.4/13)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from contracts.envelope import Envelope
from contracts.events import MicroProjectFiled, ProjectApproved, ProjectFiled
from policy.packs import get_pack
from policy.requirements import requirements
from policy.facts import Amounts, ProjectFacts
from policy.schema import Pack
from servicekit.clock import business_date
from servicekit.db import UnitOfWork
from servicekit.errors import DomainError

from procurement.models import ContractRecord, ProcurementProject, ProgressReport, RequirementFiling, SupplierRoleRow


async def on_project_approved(uow: UnitOfWork, envelope: Envelope) -> None:
    event: ProjectApproved = envelope.data  # type: ignore[assignment]
    await _register(uow, envelope, event.project_id, event.unit_id, event.pack.id, event.pack.version, event.project_class,
                    "approval", list(event.rule_ids), event.approved_amount_fen, event.approved_on, event.valid_until,
                    [r.model_dump(mode="json") for r in event.requirements])


async def on_micro_filed(uow: UnitOfWork, envelope: Envelope) -> None:
    event: MicroProjectFiled = envelope.data  # type: ignore[assignment]
    await _register(uow, envelope, event.project_id, event.unit_id, event.pack.id, event.pack.version, event.project_class,
                    "micro_filing", list(event.rule_ids), event.estimate_fen, business_date(event.filed_at), None, [])


async def on_project_filed(uow: UnitOfWork, envelope: Envelope) -> None:
    event: ProjectFiled = envelope.data  # type: ignore[assignment]
    await _register(uow, envelope, event.project_id, event.unit_id, event.pack.id, event.pack.version, event.project_class,
                    "filing", list(event.rule_ids), event.total_investment_fen, event.filed_on, None, [])


async def _register(uow: UnitOfWork, envelope: Envelope, project_id: str, unit_id: str, pack_id: str, pack_version: str,
                    project_class: str | None, by: str, rules: list[str], amount_fen: int, on: date, valid_until: date | None,
                    owed: list[dict]) -> None:
    if await uow.session.get(ProcurementProject, project_id) is not None:
        return  # one authorisation per project; a second would be a replay under another event id
    uow.session.add(ProcurementProject(
        project_id=project_id, unit_id=unit_id, pack_id=pack_id, pack_version=pack_version, project_class=project_class,
        authorised_by=by, authorising_event_id=envelope.id, authorising_rules=rules, approved_amount_fen=amount_fen,
        original_amount_fen=amount_fen, approved_on=on, valid_until=valid_until, requirements=owed,
        registered_at=uow.clock.now()))


def pack_of(project: ProcurementProject) -> Pack:
    return get_pack(project.pack_id, project.pack_version)


async def open_project(uow: UnitOfWork, project_id: str, pack: Pack, *, lock: bool = True) -> ProcurementProject:
    """The project, if procurement may act on it now; otherwise the refusal with the gate's rules."""
    project = await uow.session.get(ProcurementProject, project_id, with_for_update=lock)
    if project is None:
        raise DomainError("not_authorised", f"project_id: {project_id} has no approval or filing that allows procurement",
                          f"项目 {project_id} 未经批复或备案，不得采购", field="project_id",
                          rule_ids=pack.contracts.gate_rules, status_code=409)
    if project.status == "terminated":
        raise DomainError("terminated", f"project_id: {project_id} is terminated; nothing more is procured or changed",
                          f"项目 {project_id} 已终止", field="project_id",
                          rule_ids=pack_of(project).contracts.termination_rules or pack_of(project).contracts.gate_rules,
                          status_code=409)
    return project


async def contracted_fen(uow: UnitOfWork, project_id: str) -> int:
    total = await uow.session.execute(select(func.coalesce(func.sum(ContractRecord.amount_fen), 0)).where(
        ContractRecord.project_id == project_id))
    return int(total.scalar_one())


def cap_rules(project: ProcurementProject, pack: Pack) -> tuple[str, ...]:
    """What makes the approved amount the ceiling: the pack's price cap (DY-11b, BZ-25a), else the approval itself."""
    return pack.contracts.price_cap_rules or tuple(project.authorising_rules)


def owed(project: ProcurementProject, key: str) -> dict | None:
    return next((r for r in project.requirements if r["key"] == key and r["status"] in ("required", "pending")), None)


def resolve_pending(project: ProcurementProject, pack: Pack, key: str, amounts: Amounts) -> str:
    """An obligation that turned on an amount unknown at approval (工程主体金额), decided now that the
    contracts say it: ``required``, ``not_required`` or still ``pending``."""
    item = owed(project, key)
    if item is None:
        return "not_required"
    if item["status"] == "required":
        return "required"
    if project.project_class is None:
        return "pending"
    base = Amounts.declared(project.approved_amount_fen // 100).model_copy(update=amounts.model_dump(exclude_none=True))
    for outcome in requirements(pack, ProjectFacts(project_type=project.project_class, amounts=base)).items:  # type: ignore[arg-type]
        if outcome.key == key:
            return outcome.status if outcome.status != "optional" else "not_required"
    return "pending"


async def obligations(uow: UnitOfWork, project: ProcurementProject) -> list[dict]:
    """What the project owes procurement and implementation, and whether it is on file."""
    pack = pack_of(project)
    contracts = list((await uow.session.execute(select(ContractRecord).where(
        ContractRecord.project_id == project.project_id))).scalars())
    roles = set((await uow.session.execute(select(SupplierRoleRow.role).where(
        SupplierRoleRow.project_id == project.project_id, SupplierRoleRow.source == "contract"))).scalars())
    filing = (await uow.session.execute(select(RequirementFiling).where(
        RequirementFiling.project_id == project.project_id).order_by(RequirementFiling.filed_at.desc()))).scalars().first()
    reports = (await uow.session.execute(select(func.count()).select_from(ProgressReport).where(
        ProgressReport.project_id == project.project_id))).scalar_one()
    builder_yuan = sum(c.amount_fen for c in contracts if c.supplier_role == "builder") // 100
    out = []
    for item in project.requirements:
        if item["stage"] not in ("procurement", "implementation"):
            continue
        key, status = item["key"], item["status"]
        if status == "pending":
            status = resolve_pending(project, pack, key, Amounts(
                main_works_amount=builder_yuan or None, contract_amount=builder_yuan or None,
                procurement_budget=filing.procurement_budget_fen // 100 if filing else None))
        if key == "procurement_self_check":
            met, detail = filing is not None, "采购需求自查表"
        elif key == "procurement_expert_review":
            met, detail = bool(filing and filing.expert_review), "采购需求专家论证"
        elif key in ("confidentiality_agreement", "contract_filing"):
            met, detail = bool(contracts), "合同及保密协议备案"
        elif key == "supervision":
            met, detail = "supervision" in roles, "监理合同"
        elif key == "software_third_party_test":
            met, detail = "testing" in roles, "第三方测评合同"
        elif key == "procurement_plan":
            met, detail = bool(filing and any(d["role"] == "procurement_plan" for d in filing.documents)), "采购实施计划"
        elif key == "progress_reports":
            met, detail = reports > 0, "定期报送项目进度"
        else:
            continue  # owed to acceptance or kept outside the platform
        state = "not_required" if status == "not_required" else "pending" if status == "pending" else \
            "met" if met else "outstanding"
        out.append({"key": key, "stage": item["stage"], "status": state, "rule_ids": item["rule_ids"], "detail": detail})
    return out
