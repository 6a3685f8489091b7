"""The projects acceptance follows, from review's approvals, intake's filings and procurement's
contracts: their pack, class, contract amount (BY-39, BY-47, BY-52 read it) and what approval said
the acceptance stage owes (BY-43, YL-24a, YL-25b, YL-28)."""

from __future__ import annotations

from typing import get_args

from sqlalchemy import select

from contracts.envelope import Envelope
from contracts.events import ContractFiled, MicroProjectFiled, ProjectApproved, ProjectFiled, ProjectTerminated
from policy.packs import get_pack
from policy.schema import Pack, ReportingSupplier
from servicekit.db import UnitOfWork
from servicekit.errors import DomainError

from acceptance.domain.evidence import owed_on_contract
from acceptance.domain.gates import Owed, Standing
from acceptance.models import AcceptanceCase

OWED_WITH_SUPPLIER = frozenset(get_args(ReportingSupplier))


async def case_of(uow: UnitOfWork, project_id: str, sub_key: str = "", *, lock: bool = True) -> AcceptanceCase | None:
    query = select(AcceptanceCase).where(AcceptanceCase.project_id == project_id, AcceptanceCase.sub_project_key == sub_key)
    return (await uow.session.execute(query.with_for_update() if lock else query)).scalar_one_or_none()


async def _register(uow: UnitOfWork, project_id: str, unit_id: str, pack_id: str, version: str, by: str,
                    project_class: str | None, regime: str | None, amount_fen: int, owed: list[dict]) -> None:
    case = await case_of(uow, project_id)
    if case is None:
        uow.session.add(AcceptanceCase(project_id=project_id, unit_id=unit_id, pack_id=pack_id, pack_version=version,
                                       authorised_by=by, project_class=project_class, regime=regime,
                                       approved_amount_fen=amount_fen, requirements=owed))
    elif case.authorised_by is None:
        case.authorised_by, case.project_class, case.regime = by, project_class, regime
        case.approved_amount_fen, case.requirements = amount_fen, owed


async def on_project_approved(uow: UnitOfWork, envelope: Envelope) -> None:
    event: ProjectApproved = envelope.data  # type: ignore[assignment]
    owed = [r.model_dump(mode="json") for r in event.requirements if r.stage == "acceptance"]
    await _register(uow, event.project_id, event.unit_id, event.pack.id, event.pack.version, "approval", event.project_class,
                    "approval", event.approved_amount_fen, owed)


async def on_project_filed(uow: UnitOfWork, envelope: Envelope) -> None:
    event: ProjectFiled = envelope.data  # type: ignore[assignment]
    await _register(uow, event.project_id, event.unit_id, event.pack.id, event.pack.version, "filing", event.project_class,
                    "filing", event.total_investment_fen, [])


async def on_micro_filed(uow: UnitOfWork, envelope: Envelope) -> None:
    event: MicroProjectFiled = envelope.data  # type: ignore[assignment]
    await _register(uow, event.project_id, event.unit_id, event.pack.id, event.pack.version, "micro_filing", event.project_class,
                    "micro", event.estimate_fen, [])


async def on_contract_filed(uow: UnitOfWork, envelope: Envelope) -> None:
    """合同金额: the builder's contracts and their supplementary agreements (BY-39.2, BY-47.2, BY-52.1);
    and who else the project contracted: a tester's report is then owed (YF-13b, YL-25c)."""
    event: ContractFiled = envelope.data  # type: ignore[assignment]
    if event.supplier_role != "builder" and event.supplier_role not in OWED_WITH_SUPPLIER:
        return
    case = await case_of(uow, event.project_id)
    if case is None:
        # The contract can arrive before the approval: they travel on different streams.
        case = AcceptanceCase(project_id=event.project_id, unit_id=event.unit_id, pack_id=event.pack.id,
                              pack_version=event.pack.version)
        uow.session.add(case)
    if event.supplier_role not in (case.contracted_roles or []):
        case.contracted_roles = [*(case.contracted_roles or []), event.supplier_role]
    if event.supplier_role == "builder":
        case.contract_amount_fen = (case.contract_amount_fen or 0) + event.amount_fen


async def on_project_terminated(uow: UnitOfWork, envelope: Envelope) -> None:
    event: ProjectTerminated = envelope.data  # type: ignore[assignment]
    case = await case_of(uow, event.project_id, event.sub_project_id or "")
    if case is not None:
        case.terminated = True


def pack_of(case: AcceptanceCase) -> Pack:
    return get_pack(case.pack_id, case.pack_version)


async def followed(uow: UnitOfWork, project_id: str) -> AcceptanceCase:
    """The project's case when acceptance knows the project from its approval or filing."""
    case = await case_of(uow, project_id)
    if case is None or case.authorised_by is None:
        raise DomainError("not_found", f"project_id: acceptance knows no approved or filed project {project_id}",
                          f"验收模块无项目 {project_id}（尚未批复或备案）", field="project_id", status_code=404)
    if case.terminated:
        pack = pack_of(case)
        raise DomainError("terminated", f"project_id: {project_id} is terminated", f"项目 {project_id} 已终止",
                          field="project_id", rule_ids=pack.acceptance.terminal_rules or pack.acceptance.failed_rules)
    return case


def standing(case: AcceptanceCase, evidence: set[str]) -> Standing:
    return Standing(
        project_class=case.project_class, contract_amount_yuan=(case.contract_amount_fen or case.approved_amount_fen or 0) // 100,
        initial_passed_on=case.initial_passed_on, data_confirmed=case.data_confirmed_on is not None, compliance=case.compliance,
        evidence=evidence, regime=case.regime, applied=case.applied_on is not None, owed=owed(case))


def owed(case: AcceptanceCase) -> tuple[Owed, ...]:
    """What approval fixed for acceptance, with what the project's contracts made owed since (YF-13b, YL-25c)."""
    fixed = tuple(Owed(r["key"], r["status"], tuple(r["rule_ids"])) for r in case.requirements)
    return owed_on_contract(pack_of(case), fixed, case.contracted_roles or ())
