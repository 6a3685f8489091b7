"""Screening a declaration for what the reviewer should judge (BY-19.1b, BY-22.3, BY-22.5): gathers the
unit's earlier declarations, its asset catalogue and its projects' progress reports, and lets the pure
checks in domain.findings decide."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from policy.classification import classify
from policy.facts import Amounts, ProjectFacts
from servicekit.clock import business_date
from servicekit.db import UnitOfWork

from intake.domain.findings import (
    DUPLICATE,
    REASONABLE_CAUSE,
    SPLIT,
    Candidate,
    CatalogueSystem,
    Finding,
    Progress,
    delay_findings,
    duplicate_findings,
    split_findings,
)
from intake.models import Batch, Declaration, ProjectProgress, UnitPlan

CLOSED = ("rejected",)


def decision_rules(pack, key: str) -> tuple[str, ...] | None:
    """The rules of the pack's human decision ``key``; None where the pack leaves nothing to judge there."""
    for decision in pack.review.human_decisions:
        if decision.key == key:
            return tuple(decision.rules)
    return None


def is_micro(pack, project_class: str | None):
    def check(yuan: int) -> bool:
        amounts = Amounts.declared(yuan)
        return classify(pack, ProjectFacts(project_type=project_class, amounts=amounts)).track == "micro"
    return check


def period(row: Declaration, plan_year: int | None) -> tuple[date, date]:
    """The declared period; without one, the year the project is declared for (its batch's plan year)."""
    year = plan_year or business_date(row.submitted_at).year
    return row.planned_start or date(year, 1, 1), row.planned_end or row.planned_start or date(year, 12, 31)


async def findings_for(uow: UnitOfWork, declaration: Declaration, pack, batch: Batch | None) -> list[Finding]:
    found: list[Finding] = []
    split_rules = decision_rules(pack, SPLIT)
    if split_rules and declaration.purpose:
        found += await _split(uow, declaration, pack, batch, split_rules)
    duplicate_rules = decision_rules(pack, DUPLICATE)
    if duplicate_rules and (declaration.system_name or declaration.purpose):
        found += await _duplicates(uow, declaration, duplicate_rules)
    delay_rules = decision_rules(pack, REASONABLE_CAUSE)
    if delay_rules:
        rows = (await uow.session.execute(select(ProjectProgress).where(
            ProjectProgress.unit_id == declaration.unit_id, ProjectProgress.project_id != declaration.project_id))).scalars()
        found += delay_findings([Progress(r.project_id, r.report_id, r.period_end, r.schedule_status == "behind_schedule",
                                          r.milestones_due, r.milestones_done, r.delay_reason) for r in rows], delay_rules)
    return found


async def _split(uow: UnitOfWork, declaration: Declaration, pack, batch: Batch | None, rules: tuple[str, ...]) -> list[Finding]:
    query = (select(Declaration, Batch.plan_year).outerjoin(Batch, Batch.id == Declaration.batch_id)
             .where(Declaration.unit_id == declaration.unit_id, Declaration.purpose.is_not(None), Declaration.status.not_in(CLOSED)))
    rows = (await uow.session.execute(query)).all()

    def candidate(row: Declaration, plan_year: int | None) -> Candidate:
        start, end = period(row, plan_year)
        return Candidate(row.project_id, row.unit_id, row.purpose or "", row.declared_amount_fen // 100, start, end)

    new = candidate(declaration, batch.plan_year if batch else None)
    return split_findings(new, [candidate(row, year) for row, year in rows], is_micro(pack, declaration.project_class), rules)


async def _duplicates(uow: UnitOfWork, declaration: Declaration, rules: tuple[str, ...]) -> list[Finding]:
    query = (select(UnitPlan).where(UnitPlan.unit_id == declaration.unit_id, UnitPlan.kind == "asset_catalogue")
             .order_by(UnitPlan.revision.desc()).limit(1))
    catalogue = (await uow.session.execute(query)).scalar_one_or_none()
    if catalogue is None or not catalogue.systems:
        return []
    systems = [CatalogueSystem(s["name"], s.get("function", ""), s.get("status", "in_service")) for s in catalogue.systems]
    ref = {"plan_id": str(catalogue.id), "revision": catalogue.revision, "document_name": catalogue.document_name,
           "document_sm3": catalogue.document_sm3}
    return duplicate_findings(declaration.system_name or "", declaration.purpose or "", systems, ref, rules,
                              upgrade=declaration.upgrade_of_project_id is not None)
