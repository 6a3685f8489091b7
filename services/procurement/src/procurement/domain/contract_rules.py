"""Checks of a contract filing against the approved project and the pack (RULES.md §3.4, §3.5).

Pure: the service gathers what the project already has (its approval, earlier contracts, the
roles its suppliers hold) and these functions say what is wrong, each with its field and rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from policy.schema import IP_RIGHT_ZH, Pack, Period

from servicekit.problems import Problem, yuan

SupplierRole = Literal["builder", "design", "consulting", "supervision", "testing", "cost_review", "evaluation"]
ROLE_ZH = {"builder": "承建单位", "design": "设计单位", "consulting": "咨询单位", "supervision": "监理单位",
           "testing": "测评单位", "cost_review": "造价咨询单位", "evaluation": "评估单位"}
# BY-29.1: whoever designs, advises on, supervises or tests a project may not also build it.
INDEPENDENT_ROLES = frozenset({"design", "consulting", "supervision", "testing"})
# BY-29.3b: the builder's, designer's, supervisor's, cost consultant's and tester's staff.
STAFFED_ROLES = frozenset({"builder", "design", "supervision", "cost_review", "testing"})


@dataclass(frozen=True)
class ProjectTerms:
    """What procurement knows of the approved (or filed) project a contract is for."""

    project_id: str
    project_class: str | None
    approved_amount_fen: int
    approved_on: date
    cap_rules: tuple[str, ...]
    """The rules that make the approved amount the ceiling (DY-11b, BZ-25a, else the approval's own)."""


@dataclass(frozen=True)
class ContractTerms:
    kind: Literal["contract", "supplementary"]
    supplier_id: str
    supplier_role: SupplierRole
    amount_fen: int
    signed_on: date
    term_starts_on: date
    term_ends_on: date
    deliverables: tuple[str, ...]
    warranty_software_months: int | None
    warranty_hardware_months: int | None
    ip_clauses: Mapping[str, str]
    milestone_amounts_fen: tuple[int, ...]
    document_roles: tuple[str, ...]
    om_service: bool = False
    service_purchase: bool = False
    data_terms: bool = False
    procurement_method: str | None = None
    includes_works: bool = False
    below_procurement_limit: bool = False
    ip_override_rules: tuple[str, ...] = ()
    """Rules of the pack marked 原则上 set aside for this contract by a recorded override (BY-28)."""


@dataclass(frozen=True)
class Existing:
    """What the project already has on file."""

    contracted_fen: int = 0
    """Sum of the contracts and supplementary agreements filed so far."""
    supplier_roles: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Each supplier's roles on this project, including the scheme's designer (DY-10.1c)."""


def _months(period: Period) -> int:
    return {"natural_years": 12, "natural_months": 1}.get(period.unit, 0) * period.length


def _add_years(day: date, years: int) -> date:
    if day.year + years > date.max.year:
        return date.max
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def check_contract(pack: Pack, project: ProjectTerms, contract: ContractTerms, existing: Existing,
                   today: date) -> list[Problem]:
    """Everything wrong with filing ``contract`` now; empty when it may be filed."""
    rules = pack.contracts
    problems: list[Problem] = []
    filing = filing_rules(pack)
    problems += _dates(project, contract, today, filing)
    problems += _amounts(project, contract, existing, filing)
    if rules.confidentiality_agreement is not None and contract.kind == "contract" \
            and "confidentiality_agreement" not in contract.document_roles:
        problems.append(Problem("documents", "the confidentiality agreement (保密协议) signed with the contract must be filed with it",
                                "合同须同时签订并备案保密协议", rules.confidentiality_agreement.rules))
    if rules.data_terms is not None and contract.kind == "contract" and contract.supplier_role == "builder" \
            and not contract.data_terms:
        problems.append(Problem("data_terms", "the builder's contract states data-resource-management terms following the unified "
                                "metadata and data-security norms", "合同须明确数据资源管理要求，遵循统一的公共元数据及数据安全规范",
                                rules.data_terms.rules))
    if rules.personnel_register is not None and contract.kind == "contract" and contract.supplier_role in STAFFED_ROLES \
            and "personnel_register" not in contract.document_roles:
        problems.append(Problem("documents", "the supplier's staff real-name register with their security and confidentiality "
                                "agreements is filed with the contract", "须提交供应商人员实名登记及安全保密协议",
                                rules.personnel_register.rules))
    if contract.kind == "contract":
        problems += _method(pack, contract)
    if contract.kind == "contract" and "contract_text" not in contract.document_roles:
        problems.append(Problem("documents", "the contract text must be filed", "须备案合同文本", filing))
    problems += _supplier_conflict(pack, contract, existing)
    if contract.supplier_role == "builder":
        problems += _ip(pack, contract)
        problems += _warranty(pack, project, contract)
    problems += _term(pack, project, contract)
    return problems


def _dates(project: ProjectTerms, contract: ContractTerms, today: date, filing: tuple[str, ...]) -> list[Problem]:
    problems = []
    if contract.signed_on > today:
        problems.append(Problem("signed_on", f"signed_on {contract.signed_on} is in the future; a contract is filed after signing",
                                f"签订日期 {contract.signed_on} 晚于今日，合同须签订后备案", filing))
    if contract.signed_on < project.approved_on:
        problems.append(Problem("signed_on", f"signed_on {contract.signed_on} is before the approval of {project.approved_on}: "
                                "nothing is procured before approval", f"签订日期 {contract.signed_on} 早于批复日期 {project.approved_on}，"
                                "未经批复不得采购", project.cap_rules))
    if contract.term_ends_on < contract.term_starts_on:
        problems.append(Problem("term.ends_on", f"the term ends ({contract.term_ends_on}) before it starts ({contract.term_starts_on})",
                                f"合同期限结束日 {contract.term_ends_on} 早于开始日 {contract.term_starts_on}", filing))
    return problems


def _amounts(project: ProjectTerms, contract: ContractTerms, existing: Existing, filing: tuple[str, ...]) -> list[Problem]:
    problems = []
    total = existing.contracted_fen + contract.amount_fen
    if total > project.approved_amount_fen:
        problems.append(Problem(
            "amount_yuan", f"contracts would total {yuan(total)}, above the approved amount {yuan(project.approved_amount_fen)}"
            f" ({yuan(existing.contracted_fen)} already contracted)",
            f"合同金额合计 {yuan(total)} 超过批复金额 {yuan(project.approved_amount_fen)}（已签 {yuan(existing.contracted_fen)}）",
            project.cap_rules))
    milestones = sum(contract.milestone_amounts_fen)
    if contract.milestone_amounts_fen and milestones != contract.amount_fen:
        problems.append(Problem("milestones", f"payment milestones add up to {yuan(milestones)}, not the contract amount "
                                f"{yuan(contract.amount_fen)}", f"付款节点合计 {yuan(milestones)}，与合同金额 {yuan(contract.amount_fen)} 不符", filing))
    return problems


TENDERS = frozenset({"public_tender", "invited_tender"})


def _method(pack: Pack, contract: ContractTerms) -> list[Problem]:
    """How the contract was procured (BZ-36), tendered where works must be (BZ-37), bought under the
    unit's own rules only below the limit (BZ-39)."""
    rules = pack.contracts
    problems = []
    if rules.procurement_law is not None and contract.procurement_method is None:
        problems.append(Problem("procurement_method", "state how the contract was procured under procurement law",
                                "须载明采购方式", rules.procurement_law.rules))
    if rules.works_tender is not None and contract.includes_works and contract.procurement_method not in TENDERS:
        problems.append(Problem("procurement_method", "construction works subject to bidding are procured by tender, not "
                                f"{contract.procurement_method}", "依法必须招标的工程须采用招标方式", rules.works_tender.rules))
    if rules.internal_control is not None and contract.procurement_method == "internal_control" \
            and not contract.below_procurement_limit:
        problems.append(Problem("procurement_method", "a unit buys under its internal-control rules only outside the central "
                                "catalogue and below the procurement limit", "仅集中采购目录以外且限额标准以下的项目可按内控制度采购",
                                rules.internal_control.rules))
    return problems


def conflicting_roles(role: str, held: Iterable[str]) -> set[str]:
    """Roles already held that ``role`` may not be combined with on one project (BY-29.1, DY-10.1c)."""
    held = set(held) - {role}
    if role == "builder":
        return held & INDEPENDENT_ROLES
    if role in INDEPENDENT_ROLES:
        return held & {"builder"}
    return set()


def _supplier_conflict(pack: Pack, contract: ContractTerms, existing: Existing) -> list[Problem]:
    rule = pack.contracts.supplier_conflict
    if rule is None:
        return []
    clash = conflicting_roles(contract.supplier_role, existing.supplier_roles.get(contract.supplier_id, frozenset()))
    if not clash:
        return []
    held = "、".join(ROLE_ZH[r] for r in sorted(clash))
    return [Problem("supplier.supplier_id",
                    f"supplier {contract.supplier_id} is already the project's {', '.join(sorted(clash))} and may not be its "
                    f"{contract.supplier_role}", f"供应商 {contract.supplier_id} 已是本项目的{held}，不得同时担任{ROLE_ZH[contract.supplier_role]}",
                    rule.rules, status=409)]


def _ip(pack: Pack, contract: ContractTerms) -> list[Problem]:
    problems = []
    for terms in pack.contracts.ip_terms:
        if "service_purchase" in terms.flags and not contract.service_purchase:
            continue
        for right in terms.must_cover:
            owner = contract.ip_clauses.get(right)
            if owner is None:
                problems.append(Problem(f"ip_clauses.{right}", f"the contract must state who owns the {right.replace('_', ' ')}",
                                        f"合同须约定{IP_RIGHT_ZH[right]}的归属", terms.rules))
            elif right in terms.owner_unit and owner != "unit":
                if terms.owner_overridable and set(terms.rules) & set(contract.ip_override_rules):
                    continue
                problems.append(Problem(f"ip_clauses.{right}", f"the {right.replace('_', ' ')} must belong to the unit, not the {owner}"
                                        + (" (an exception needs a recorded override)" if terms.owner_overridable else ""),
                                        f"{IP_RIGHT_ZH[right]}应归项目单位所有" + ("（原则上，例外须登记依据）" if terms.owner_overridable else ""),
                                        terms.rules))
    return problems


def _warranty(pack: Pack, project: ProjectTerms, contract: ContractTerms) -> list[Problem]:
    # BY-27 speaks of 建设开发类 projects: their builders maintain what they delivered for free.
    if project.project_class != "build_develop":
        return []
    problems = []
    checks = (("software", "warranty_software_months", pack.contracts.warranty_software, contract.warranty_software_months, "软件"),
              ("hardware", "warranty_hardware_months", pack.contracts.warranty_hardware, contract.warranty_hardware_months, "硬件"))
    for deliverable, name, period, given, zh in checks:
        if period is None or deliverable not in contract.deliverables:
            continue
        need = _months(period)
        if given is None or given < need:
            problems.append(Problem(name, f"{deliverable} delivered under a build contract needs at least {need} months of free "
                                    f"maintenance after final acceptance, not {given or 0}",
                                    f"{zh}免费运维期自终验起不少于 {need} 个月（现为 {given or 0} 个月）", period.rules))
    return problems


def _term(pack: Pack, project: ProjectTerms, contract: ContractTerms) -> list[Problem]:
    rules = pack.contracts
    if rules.max_years is None:
        return []
    applies = True
    if rules.max_years_om_services:
        applies = contract.om_service
    if rules.max_years_flags:
        applies = applies and "service_purchase" in rules.max_years_flags and contract.service_purchase
    if rules.max_years_types:
        applies = applies and project.project_class in rules.max_years_types
    if not applies:
        return []
    problems = []
    if contract.term_ends_on >= _add_years(contract.term_starts_on, rules.max_years):
        problems.append(Problem("term.ends_on", f"the term {contract.term_starts_on}–{contract.term_ends_on} is longer than "
                                f"{rules.max_years} years", f"合同履约期限超过 {rules.max_years} 年", rules.max_years_rules))
    elif rules.annual_contracts and contract.term_ends_on >= _add_years(contract.term_starts_on, 1):
        problems.append(Problem("term.ends_on", "O&M service contracts are signed year by year: one contract covers at most a year",
                                "运维服务合同分年签订，单份合同期限不超过一年", rules.max_years_rules))
    return problems


def filing_rules(pack: Pack) -> tuple[str, ...]:
    """The rules a contract filing answers to: the pack's filing period, its upload duty, else its gate."""
    period = pack.contracts.filing_deadline
    return period.rules if period is not None else pack.contracts.upload_rules or pack.contracts.gate_rules


def filing_period(pack: Pack, kind: str) -> Period | None:
    return pack.contracts.supplementary_filing_deadline if kind == "supplementary" else pack.contracts.filing_deadline
