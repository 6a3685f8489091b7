"""Acceptance use cases: load, apply the domain, emit the contracts, commit."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from contracts.base import PackRef
from contracts.events import (
    AcceptanceFailed,
    AcceptancePassed,
    ContractFiled,
    DeadlineElapsed,
    MicroProjectFiled,
    ProjectApproved,
    ProjectFiled,
    ProjectTerminated,
)
from contracts.streams import INTAKE, NOTIFY, PROCUREMENT, REVIEW
from policy.packs import get_pack
from servicekit import policy as loaded_policy
from servicekit.clock import business_date
from servicekit.consumer import Subscription
from servicekit.db import UnitOfWork
from servicekit.errors import DomainError, refuse
from servicekit.problems import Problem

from acceptance import evaluations, projects
from acceptance.domain.concerns import Judgement, judge_concerns
from acceptance.domain.final_acceptance import FinalAcceptance, FinalReview, FinalReviewRefused
from acceptance.domain.gates import final_review_problems
from acceptance.models import AcceptanceCase, FinalReviewRecord
from acceptance.projects import standing
from acceptance.steps import evidence_keys
from acceptance.schemas import FinalReviewIn


async def _load_case(uow: UnitOfWork, project_id: str, sub_key: str) -> AcceptanceCase | None:
    return (
        await uow.session.execute(
            select(AcceptanceCase)
            .where(AcceptanceCase.project_id == project_id, AcceptanceCase.sub_project_key == sub_key)
            .with_for_update()
        )
    ).scalar_one_or_none()


async def record_final_review(
    uow: UnitOfWork, project_id: str, body: FinalReviewIn, default_pack: str
) -> tuple[AcceptanceCase, FinalReviewRecord]:
    """Record a final acceptance conclusion (BY-47); a failure gives AcceptanceFailed (BY-47.3)."""
    sub_key = body.sub_project_id or ""
    case = await _load_case(uow, project_id, sub_key)
    parent = await _load_case(uow, project_id, "") if case is None and sub_key else None
    if case is None and parent is not None:
        # a sub-project is accepted under its project's pack (BY-47.3b)
        pack = get_pack(parent.pack_id, parent.pack_version)
        case = AcceptanceCase(project_id=project_id, sub_project_key=sub_key, unit_id=parent.unit_id,
                              pack_id=pack.id, pack_version=pack.version)
        uow.session.add(case)
        await uow.session.flush()
    if case is None:
        pack = get_pack(body.pack_id or default_pack)
        case = AcceptanceCase(project_id=project_id, sub_project_key=sub_key, unit_id=body.unit_id,
                              pack_id=pack.id, pack_version=pack.version)
        uow.session.add(case)
        await uow.session.flush()
    else:
        if case.unit_id != body.unit_id:
            raise DomainError(
                "unit_mismatch", f"Project {project_id} belongs to unit {case.unit_id}, not {body.unit_id}",
                f"项目 {project_id} 属于单位 {case.unit_id}，而非 {body.unit_id}", field="unit_id", status_code=422,
            )
        if body.pack_id and body.pack_id != case.pack_id:
            raise DomainError(
                "pack_mismatch", f"Project {project_id} is judged under pack {case.pack_id}, kept from its declaration",
                f"项目 {project_id} 按申报时的 {case.pack_id} 政策版本管理，不能更改", field="pack_id", status_code=422,
            )
        pack = get_pack(case.pack_id, case.pack_version)

    problems = []
    if sub_key and pack.acceptance.terminal_scope != "project_or_sub_project":
        problems.append(Problem("sub_project_id", "this pack accepts the project as a whole, not by sub-project",
                                "整体立项、整体验收，不按子项目验收", pack.acceptance.max_final_attempts_rules))
    grounds = pack.acceptance.refusal_grounds
    if body.result == "failed" and grounds and not body.grounds:
        problems.append(Problem("grounds", f"a failure names its grounds among {', '.join(grounds)}",
                                "验收不通过须写明所依据的情形", pack.acceptance.failed_rules))
    if [g for g in body.grounds if g not in grounds]:
        problems.append(Problem("grounds", f"grounds must be among {', '.join(grounds) or 'none: this pack lists none'}",
                                "所列情形不属于本地规定的验收不通过情形", pack.acceptance.failed_rules))
    concern_rules, judged = judge_concerns(pack, [Judgement(j.key, j.found, j.note) for j in body.judgements], body.result)
    if judged is not None:
        problems.append(judged)
    refuse(problems)
    if case.authorised_by is not None or sub_key:
        # The platform followed this project from its approval: everything before the final review must be done.
        base = case if not sub_key else await _load_case(uow, project_id, "")
        if base is not None and base.authorised_by is not None:
            evidence = await evidence_keys(uow, base)
            refuse(final_review_problems(pack, standing(base, evidence), body.concluded_on, body.mode,
                                         loaded_policy.current().calendar, body.result))
    records = (
        await uow.session.execute(
            select(FinalReviewRecord).where(FinalReviewRecord.case_id == case.id).order_by(FinalReviewRecord.attempt)
        )
    ).scalars().all()
    acceptance = FinalAcceptance(
        pack,
        [FinalReview(r.attempt, r.result, r.concluded_on, r.terminal, r.rule_id, tuple(r.reasons)) for r in records],  # type: ignore[arg-type]
    )
    if case.terminated and acceptance.status != "terminated":
        # ended elsewhere (a filed termination, a lapse): no acceptance follows
        raise DomainError("terminated", f"project_id: {project_id} is terminated", f"项目 {project_id} 已终止", field="project_id",
                          rule_ids=pack.contracts.termination_rules or pack.acceptance.terminal_rules or pack.acceptance.failed_rules)
    now = uow.clock.now()
    try:
        review = acceptance.conclude(body.result, body.concluded_on, business_date(now), tuple(body.reasons))
    except FinalReviewRefused as refused:
        status = 422 if refused.field else 409
        raise DomainError(refused.code, refused.message_en, refused.message_zh, rule_ids=refused.rule_ids,
                          field=refused.field, status_code=status) from None

    pack_ref = PackRef(id=pack.id, version=pack.version)
    if review.result == "failed" and body.grounds and not review.terminal:
        review = replace(review, rule_id=body.grounds[0])  # the ground it failed on (YL-27.n)
        acceptance.reviews[-1] = review
    if review.result == "failed":
        event = AcceptanceFailed(
            project_id=project_id, unit_id=case.unit_id, sub_project_id=body.sub_project_id, pack=pack_ref,
            attempt=review.attempt, terminal=review.terminal, rule_id=review.rule_id,
            concluded_on=review.concluded_on, recorded_at=now, reasons=list(review.reasons),
        )
    else:
        event = AcceptancePassed(
            project_id=project_id, unit_id=case.unit_id, sub_project_id=body.sub_project_id, pack=pack_ref,
            attempt=review.attempt, concluded_on=review.concluded_on, recorded_at=now,
        )
    envelope = uow.emit(event)
    if review.result == "passed":
        case.passed_on = review.concluded_on
    record = FinalReviewRecord(
        case_id=case.id, attempt=review.attempt, result=review.result, terminal=review.terminal,
        rule_id=review.rule_id, concluded_on=review.concluded_on, reasons=list(review.reasons),
        judgements=[j.model_dump(mode="json") for j in body.judgements], concern_rules=list(concern_rules),
        recorded_at=now, event_id=envelope.id,
    )
    uow.session.add(record)
    await uow.commit()
    return case, record


async def list_final_reviews(uow: UnitOfWork, project_id: str) -> list[tuple[AcceptanceCase, FinalReviewRecord]]:
    rows = await uow.session.execute(
        select(AcceptanceCase, FinalReviewRecord)
        .join(FinalReviewRecord, FinalReviewRecord.case_id == AcceptanceCase.id)
        .where(AcceptanceCase.project_id == project_id)
        .order_by(AcceptanceCase.sub_project_key, FinalReviewRecord.attempt)
    )
    return [(case, review) for case, review in rows.all()]


SUBSCRIPTIONS = [
    Subscription(REVIEW, {ProjectApproved: projects.on_project_approved}),
    Subscription(INTAKE, {ProjectFiled: projects.on_project_filed, MicroProjectFiled: projects.on_micro_filed}),
    Subscription(PROCUREMENT, {ContractFiled: projects.on_contract_filed, ProjectTerminated: projects.on_project_terminated}),
    Subscription(NOTIFY, {DeadlineElapsed: evaluations.on_deadline}),
]
