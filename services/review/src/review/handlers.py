"""Review use cases: cases opened by submissions, rounds closed by opinions, approval, pauses."""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import case as case_
from sqlalchemy import select

from contracts.base import PackRef
from contracts.envelope import Envelope
from contracts.events import (
    ApplicationSubmitted,
    LaterRequirement,
    MicroProjectFiled,
    PlanReviewed,
    ProjectApproved,
    ProjectRejected,
    ReviewStageCompletedV2,
    SchemeSubmitted,
    UnitStandingChanged,
)
from contracts.streams import INTAKE
from policy.classification import classify
from policy.facts import Amounts, ProjectFacts
from policy.packs import get_pack
from policy.requirements import requirements
from policy.review import after_failed_round, review_policy
from policy.timers import period_due
from servicekit import policy as loaded_policy
from servicekit.clock import business_date
from servicekit.consumer import Subscription
from servicekit.db import UnitOfWork
from servicekit.errors import DomainError
from servicekit.security.context import acting_username

from review import annual_lists, coreviews
from review.domain.coreview import committee_short_of_experts
from review.domain.judgements import Judgement, judge, recorded
from review.domain.path import APPROVAL, PLAN_REVIEW, SCHEME_STAGE_NAMES, after_opinion, approval_ceiling
from review.models import Approval, ReviewCase, ReviewRound
from review.schemas import ApprovalIn, OpinionIn

log = logging.getLogger(__name__)

REJECTION_STAGES = {"plan_review", "initial_review", "expert_review", "cost_review"}



async def find_case(uow: UnitOfWork, project_id: str, *, lock: bool = False) -> ReviewCase | None:
    query = select(ReviewCase).where(ReviewCase.project_id == project_id)
    return (await uow.session.execute(query.with_for_update() if lock else query)).scalar_one_or_none()


async def get_case(uow: UnitOfWork, project_id: str, *, lock: bool = False) -> ReviewCase:
    case = await find_case(uow, project_id, lock=lock)
    if case is None:
        raise DomainError("not_found", f"project_id: no review case for {project_id}", f"项目 {project_id} 无评审案件",
                          field="project_id", status_code=404)
    return case


async def rounds(uow: UnitOfWork, project_id: str) -> list[ReviewRound]:
    query = select(ReviewRound).where(ReviewRound.project_id == project_id).order_by(ReviewRound.opened_at, ReviewRound.round)
    return list((await uow.session.execute(query)).scalars().all())


async def open_round_due(uow: UnitOfWork, project_ids: list[str]) -> dict[str, date]:
    """When each case's open round is due, for listing cases by deadline in one query."""
    if not project_ids:
        return {}
    query = (select(ReviewRound.project_id, ReviewRound.due_on)
             .where(ReviewRound.project_id.in_(project_ids), ReviewRound.result.is_(None), ReviewRound.due_on.is_not(None)))
    due: dict[str, date] = {}
    for project_id, due_on in (await uow.session.execute(query)).all():
        due[project_id] = min(due_on, due.get(project_id, due_on))
    return due


async def open_round(uow: UnitOfWork, case: ReviewCase, stage: str, number: int, cause: str | None) -> ReviewRound:
    """A round for the bureau, due the pack's working days from the day it arrived (BY-16b, BY-20.1a)."""
    pack = get_pack(case.pack_id, case.pack_version)
    now = uow.clock.now()
    due = None
    if pack.review.bureau_sla is not None:
        due = period_due(pack, pack.review.bureau_sla, business_date(now), loaded_policy.current().calendar)
    row = ReviewRound(project_id=case.project_id, stage=stage, round=number, opened_at=now, opened_by_event_id=cause,
                      due_on=due.due if due else None, due_provisional=bool(due and due.provisional),
                      rule_ids=list(pack.review.bureau_sla.rules) if pack.review.bureau_sla else [])
    uow.session.add(row)
    case.stage, case.awaiting = stage, "bureau"
    return row


def _path(pack, project_class: str | None, yuan: int, flags: tuple[str, ...]) -> tuple[list[str], str | None]:
    """The stages the pack requires of this project on its track (BY-19: 小微 skip the scheme stages,
    an identical O&M renewal skips expert review, BY-19.2)."""
    if project_class is None:
        return [step.key for step in pack.review.steps], None
    amounts = Amounts.declared(yuan)
    decided = classify(pack, ProjectFacts(project_type=project_class, amounts=amounts, flags=flags))
    return [step.key for step in review_policy(pack, decided).steps], decided.track


async def on_application_submitted(uow: UnitOfWork, envelope: Envelope) -> None:
    """Open the plan-review case (计划审核, BY-16a); a resubmission after an opinion opens the next round (BY-16c)."""
    event: ApplicationSubmitted = envelope.data  # type: ignore[assignment]
    case = await find_case(uow, event.project_id, lock=True)
    if case is None:
        pack = get_pack(event.pack.id, event.pack.version)
        path, track = _path(pack, event.project_class, event.declared_amount_fen // 100, tuple(event.flags))
        case = ReviewCase(
            project_id=event.project_id, application_id=event.application_id, unit_id=event.unit_id,
            pack_id=event.pack.id, pack_version=event.pack.version, project_name=event.project_name,
            declared_amount_fen=event.declared_amount_fen, opened_at=uow.clock.now(), opened_by_event_id=envelope.id,
            project_class=event.project_class, track=track, path=path, stage=path[0],
            findings=[finding.model_dump(mode="json") for finding in event.findings], flags=list(event.flags),
        )
        uow.session.add(case)
        await uow.session.flush()
        await open_round(uow, case, path[0], event.round, envelope.id)
        await coreviews.ask_standing_bodies(uow, case)
        return
    if case.stage != PLAN_REVIEW or case.awaiting != "unit" or case.status not in ("open", "paused"):
        log.warning("resubmission of %s while its case is at %s awaiting %s (%s): not opened", event.project_id,
                    case.stage, case.awaiting, case.status)
        return
    case.project_name, case.declared_amount_fen = event.project_name, event.declared_amount_fen
    await open_round(uow, case, PLAN_REVIEW, event.round, envelope.id)


async def on_scheme_submitted(uow: UnitOfWork, envelope: Envelope) -> None:
    """A scheme starts the scheme stages (BY-20.1a); a revision after a failed stage opens its next round (BY-20.1b)."""
    event: SchemeSubmitted = envelope.data  # type: ignore[assignment]
    case = await find_case(uow, event.project_id, lock=True)
    if case is None or case.awaiting != "unit" or case.status not in ("open", "paused"):
        log.warning("scheme for %s without a case waiting for it: not opened", event.project_id)
        return
    if case.stage == PLAN_REVIEW:
        log.warning("scheme for %s while its plan is still under review: not opened", event.project_id)
        return
    case.scheme_id = event.scheme_id
    if case.stage == APPROVAL:
        case.awaiting = "bureau"  # a consented change after cost review goes straight back to approval (BY-31.4)
        return
    previous = [r.round for r in await rounds(uow, case.project_id) if r.stage == case.stage]
    await open_round(uow, case, case.stage, max(previous, default=0) + 1, envelope.id)


async def on_micro_filed(uow: UnitOfWork, envelope: Envelope) -> None:
    """A 小微 project filed its 项目备案表 after plan review (BY-19.1a): nothing is left to review."""
    event: MicroProjectFiled = envelope.data  # type: ignore[assignment]
    case = await find_case(uow, event.project_id, lock=True)
    if case is not None and case.status in ("open", "paused"):
        case.status, case.awaiting, case.closed_at = "filed", "nobody", uow.clock.now()


async def on_standing_changed(uow: UnitOfWork, envelope: Envelope) -> None:
    """BY-48d 暂缓项目单位后续项目评审: the unit's open cases pause while the block stands and resume when it lifts."""
    event: UnitStandingChanged = envelope.data  # type: ignore[assignment]
    query = select(ReviewCase).where(ReviewCase.unit_id == event.unit_id, ReviewCase.status.in_(("open", "paused"))).with_for_update()
    for case in (await uow.session.execute(query)).scalars().all():
        if event.reviews_suspended and case.status == "open":
            case.status, case.paused_at, case.paused_by_event_id = "paused", uow.clock.now(), envelope.id
        elif not event.reviews_suspended and case.status == "paused":
            case.status, case.paused_at, case.paused_by_event_id = "open", None, None


def _closed_round(case: ReviewCase, body: OpinionIn) -> DomainError:
    return DomainError(
        "round_not_open",
        f"round: {body.stage} round {body.round} is not open; the case is at {case.stage}, awaiting {case.awaiting} ({case.status})",
        f"round：{body.stage} 第 {body.round} 轮不在审查中；案件当前处于 {case.stage}，等待 {case.awaiting}（{case.status}）",
        field="round", status_code=409, details={"stage": case.stage, "awaiting": case.awaiting, "status": case.status},
    )


def _not_paused(case: ReviewCase) -> None:
    if case.status == "paused":
        # review_suspension is a sanction only BY's pack holds (BY-48d)
        raise DomainError("reviews_suspended", "The unit's reviews are suspended (暂缓后续项目评审) until its block lifts",
                          "该单位后续项目评审已暂缓，待限制解除后继续", rule_ids=["BY-48d"], status_code=409)


def _step_rules(pack, stage: str) -> list[str]:
    return [rule for step in pack.review.steps if step.key == stage for rule in step.rules]


async def record_opinion(uow: UnitOfWork, project_id: str, body: OpinionIn) -> tuple[ReviewCase, ReviewRound]:
    """The bureau's opinion on the open round: passes it on, returns it to the unit, or, at the pack's
    last allowed failure, ends the project (BY-16d, BY-20.1b, BY-20.2c, BY-22.11–22.13)."""
    case = await get_case(uow, project_id, lock=True)
    _not_paused(case)
    query = select(ReviewRound).where(ReviewRound.project_id == project_id, ReviewRound.stage == body.stage,
                                      ReviewRound.round == body.round).with_for_update()
    row = (await uow.session.execute(query)).scalar_one_or_none()
    if row is None or row.result is not None or case.awaiting != "bureau" or case.stage != body.stage or case.status != "open":
        raise _closed_round(case, body)
    pack = get_pack(case.pack_id, case.pack_version)
    passed = body.result == "passed"
    amount_fen = body.amount_yuan * 100 if body.amount_yuan is not None else None
    _check_amount(pack, case, body, amount_fen)
    _check_committee(pack, body)
    _check_third_party(pack, case, body)
    if passed:
        await coreviews.require_opinions(uow, project_id, body.stage)
    judgements = [Judgement(j.key, j.found, j.note) for j in body.judgements]
    verdict, problem = judge(pack.review.human_decisions, judgements, body.stage, body.result, tuple(case.flags))
    if problem is not None:
        raise DomainError("judgement_invalid", f"{problem.field}: {problem.en}", f"{problem.field}：{problem.zh}",
                          rule_ids=list(problem.rule_ids), field=problem.field, status_code=422)
    decision = None if passed else after_failed_round(pack, body.stage, body.round) if body.stage in REJECTION_STAGES else None
    refused_by = list(verdict.refusing_rules)
    rejected = bool(refused_by) or bool(decision and decision.rejected)
    move = after_opinion(case.path, body.stage, passed, rejected, case.track == "micro")
    now = uow.clock.now()
    step = next((s for s in pack.review.steps if s.key == body.stage), None)
    rules = sorted(set(step.rules if step else ()) | set(decision.rule_ids if decision and decision.rejected else ())
                   | set(refused_by) | set(verdict.failing_rules))
    row.result, row.reasons, row.amount_fen, row.rule_ids = body.result, list(body.reasons), amount_fen, rules
    row.judgements = recorded(pack.review.human_decisions, judgements)
    row.third_party = body.third_party
    row.decided_by, row.decided_at = acting_username(), now
    ref = PackRef(id=case.pack_id, version=case.pack_version)
    if body.stage == PLAN_REVIEW:
        if passed:
            case.plan_amount_fen = amount_fen
        envelope = uow.emit(PlanReviewed(
            project_id=project_id, application_id=case.application_id, unit_id=case.unit_id, pack=ref, round=body.round,
            result=body.result, final=passed or rejected, approved_amount_fen=amount_fen if passed else None,
            micro=move.outcome == "micro_passed", rule_ids=rules, reasons=list(body.reasons), opinion_issued_at=now))
    else:
        if body.stage == "cost_review" and passed:
            case.reviewed_amount_fen = amount_fen
        envelope = uow.emit(ReviewStageCompletedV2(
            project_id=project_id, scheme_id=case.scheme_id or "", unit_id=case.unit_id, pack=ref,
            stage=SCHEME_STAGE_NAMES[body.stage], round=body.round, result=body.result,  # type: ignore[arg-type]
            final_stage=move.final_stage, reviewed_amount_fen=amount_fen if body.stage == "cost_review" and passed else None,
            rule_ids=rules, reasons=list(body.reasons), opinion_issued_at=now))
    row.event_id = envelope.id
    if move.outcome == "rejected":
        # a 不予立项 item found ends the project on its own rule (BY-22, BZ-8); otherwise the rounds ran out
        ended_by = refused_by or list(decision.rule_ids)
        uow.emit(ProjectRejected(project_id=project_id, unit_id=case.unit_id, pack=ref, stage=body.stage,  # type: ignore[arg-type]
                                 rule_ids=ended_by, reasons=list(body.reasons), cause_event_id=envelope.id, rejected_at=now))
        case.status, case.awaiting, case.closed_at = "rejected", "nobody", now
    elif move.outcome in ("micro_passed",):
        case.awaiting = "unit"  # the 项目备案表 (BY-19.1a) closes the case
    elif move.outcome == "next_stage":
        await uow.session.flush()
        await open_round(uow, case, move.stage, 1, envelope.id)
    else:
        case.stage, case.awaiting = move.stage, move.awaiting
    if passed:
        await coreviews.ask_after(uow, case, body.stage)
    return case, row


THIRD_PARTY_STAGES = ("expert_review", "cost_review")


def _check_third_party(pack, case: ReviewCase, body: OpinionIn) -> None:
    """DY-10.3b: where the bureau itself owns the project, a qualified third party reviews it, and the
    opinion names who."""
    if body.stage not in THIRD_PARTY_STAGES or body.third_party or case.project_class is None:
        return
    yuan = case.declared_amount_fen // 100
    amounts = Amounts.declared(yuan)
    facts = ProjectFacts(project_type=case.project_class, amounts=amounts, flags=tuple(case.flags))
    owed = [i for i in requirements(pack, facts, "review").items if i.key == "third_party_review" and i.status == "required"]
    if owed:
        raise DomainError("third_party_required", f"third_party: {owed[0].why}; the opinion names the third party that reviewed",
                          f"third_party：{owed[0].why_zh}，须注明评审的第三方机构", rule_ids=list(owed[0].rule_ids),
                          field="third_party", status_code=422)


def _check_committee(pack, body: OpinionIn) -> None:
    """BZ-5b: a committee decision names who sat, and experts are at least the pack's share of them."""
    share = pack.review.committee_expert_share
    if body.stage != "committee_review" or share is None:
        return
    experts = sum(1 for m in body.committee_members if m.kind == "expert")
    if committee_short_of_experts(share, experts, len(body.committee_members)):
        raise DomainError("committee_short_of_experts",
                          f"committee_members: {experts} experts of {len(body.committee_members)} members; at least "
                          f"{share.numerator}/{share.denominator} must be experts",
                          f"committee_members：{len(body.committee_members)} 名成员中专家 {experts} 名，专家应不少于 {share.numerator}/{share.denominator}",
                          rule_ids=list(share.rules), field="committee_members", status_code=422)


def _check_amount(pack, case: ReviewCase, body: OpinionIn, amount_fen: int | None) -> None:
    """Plan review fixes the plan amount that caps the scheme (BY-17.2b) and cost review the reviewed
    amount (BY-20.3): a pass there states it, no higher than what it reviews; other opinions carry none.
    The rules cited are the pack's: its scheme cap, else the step's own."""
    cap_rules = list(pack.review.scheme_cap_rules) or _step_rules(pack, body.stage)
    fixes_amount = body.stage in ("plan_review", "cost_review") and body.result == "passed"
    if fixes_amount and amount_fen is None:
        rules = cap_rules if body.stage == "plan_review" else _step_rules(pack, body.stage)
        raise DomainError("amount_required", f"amount_yuan: a passed {body.stage} states the amount it fixes",
                          f"amount_yuan：{body.stage} 通过时须核定金额", rule_ids=rules, field="amount_yuan", status_code=422)
    if not fixes_amount and amount_fen is not None:
        raise DomainError("amount_not_expected", f"amount_yuan: a {body.result} {body.stage} fixes no amount",
                          f"amount_yuan：{body.stage} 此意见不核定金额", field="amount_yuan", status_code=422)
    if fixes_amount:
        ceiling = case.plan_amount_fen if body.stage == "cost_review" and case.plan_amount_fen else case.declared_amount_fen
        if amount_fen > ceiling:
            rules = cap_rules if body.stage == "cost_review" else _step_rules(pack, body.stage)
            raise DomainError("amount_above_reviewed", f"amount_yuan: {amount_fen // 100} 元 is above the {ceiling // 100} 元 under review",
                              f"amount_yuan：核定金额 {amount_fen // 100} 元高于送审金额 {ceiling // 100} 元",
                              rule_ids=rules, field="amount_yuan", status_code=422)


async def approve(uow: UnitOfWork, project_id: str, body: ApprovalIn) -> Approval:
    """批复 (BY-20, BY-20.4): within the reviewed amount, valid for the pack's period from the approval day (BY-20.4b)."""
    case = await get_case(uow, project_id, lock=True)
    _not_paused(case)
    if case.stage != APPROVAL or case.awaiting != "bureau" or case.status != "open":
        raise DomainError("not_ready_for_approval", f"The case is at {case.stage} ({case.status}): approval follows the last review stage",
                          f"案件当前处于 {case.stage}（{case.status}），评审完成后方可批复", rule_ids=["BY-20"], status_code=409)
    await coreviews.require_opinions(uow, project_id, APPROVAL)
    pack = get_pack(case.pack_id, case.pack_version)
    await annual_lists.require_listed(uow, pack, project_id)
    ceiling, basis = approval_ceiling(case.plan_amount_fen, case.reviewed_amount_fen, case.declared_amount_fen)
    amount_fen = body.approved_amount_yuan * 100
    if amount_fen > ceiling:
        rules = _step_rules(pack, "cost_review") if basis == "reviewed_amount" else list(pack.review.scheme_cap_rules)
        raise DomainError("approval_above_reviewed",
                          f"approved_amount_yuan: {body.approved_amount_yuan} 元 is above the {basis.replace('_', ' ')} of {ceiling // 100} 元",
                          f"approved_amount_yuan：批复金额 {body.approved_amount_yuan} 元高于核定金额 {ceiling // 100} 元",
                          rule_ids=rules, field="approved_amount_yuan", status_code=422)
    now = uow.clock.now()
    today = business_date(now)
    yuan = amount_fen // 100
    authority, authority_rules = "bureau", _step_rules(pack, APPROVAL)
    if case.project_class is not None:
        amounts = Amounts.declared(yuan)
        decided = classify(pack, ProjectFacts(project_type=case.project_class, amounts=amounts))
        authority = decided.approval_authority or authority
        authority_rules += list(decided.rule_ids)
        if authority == pack.classification.approval_authority:
            # the 批复 names the rule that makes its author the approver (DY-3.1: the county bureau)
            authority_rules += list(pack.classification.approval_authority_rules)
    validity = pack.review.approval_validity
    valid_until = period_due(pack, validity, today, loaded_policy.current().calendar).due if validity else None
    opinions = [{"stage": r.stage, "round": r.round, "result": r.result, "amount_fen": r.amount_fen, "reasons": r.reasons,
                 "decided_by": r.decided_by, "decided_at": r.decided_at.isoformat() if r.decided_at else None, "event_id": r.event_id}
                for r in await rounds(uow, project_id) if r.result is not None]
    rules = sorted(set(authority_rules) | set(validity.rules if validity else ()))
    owed = later_requirements(pack, case.project_class, yuan, tuple(case.flags))
    approval = Approval(project_id=project_id, unit_id=case.unit_id, pack_id=case.pack_id, pack_version=case.pack_version,
                        approved_amount_fen=amount_fen, ceiling_basis=basis, authority=authority, approved_on=today,
                        valid_until=valid_until, document_number=body.document_number, opinions=opinions, rule_ids=rules,
                        requirements=[r.model_dump(mode="json") for r in owed], approved_by=acting_username(), approved_at=now, event_id="")
    envelope = uow.emit(ProjectApproved(
        project_id=project_id, approval_id=str(approval.id), unit_id=case.unit_id,
        pack=PackRef(id=case.pack_id, version=case.pack_version), project_class=case.project_class,  # type: ignore[arg-type]
        approved_amount_fen=amount_fen, approved_on=today, valid_until=valid_until, rule_ids=rules, approved_at=now,
        approval_authority=authority, document_number=body.document_number, requirements=owed,
        public_components_required=any(r.key == "public_component_requirements" for r in owed)))
    approval.event_id = envelope.id
    uow.session.add(approval)
    case.status, case.awaiting, case.closed_at = "approved", "nobody", now
    return approval


LATER_STAGES = ("review", "procurement", "implementation", "acceptance", "evaluation")


def later_requirements(pack, project_class: str | None, yuan: int, flags: tuple[str, ...]) -> list[LaterRequirement]:
    """What the approved project owes later, by the pack's conditions on the approved amount and the
    declared facts; an amount not known yet (合同金额, 工程主体金额) leaves an item pending."""
    if project_class is None:
        return []
    amounts = Amounts.declared(yuan).model_copy(update={"approved_amount": yuan})
    facts = ProjectFacts(project_type=project_class, amounts=amounts, flags=flags)
    owed = []
    for stage in LATER_STAGES:
        for item in requirements(pack, facts, stage).items:
            if item.status in ("required", "pending") and item.rule_ids:
                owed.append(LaterRequirement(stage=stage, key=item.key, status=item.status, rule_ids=list(item.rule_ids)))
    return owed


async def get_approval(uow: UnitOfWork, project_id: str) -> Approval:
    row = (await uow.session.execute(select(Approval).where(Approval.project_id == project_id))).scalar_one_or_none()
    if row is None:
        raise DomainError("not_found", f"project_id: {project_id} has no approval", f"项目 {project_id} 尚未批复",
                          field="project_id", status_code=404)
    return row


PRIORITY_RANK = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


async def set_priority(uow: UnitOfWork, project_id: str, priority: str, reason: str) -> ReviewCase:
    """YL-10: the bureau works through cases by urgency (轻重缓急); the audit trail keeps who set it and why."""
    case = await get_case(uow, project_id, lock=True)
    if case.status not in ("open", "paused"):
        raise DomainError("case_closed", f"The case is {case.status}: only open cases are ordered", f"案件已{case.status}，无需排序",
                          rule_ids=["YL-10"], status_code=409)
    case.priority, case.priority_reason = priority, reason
    return case


async def cases(uow: UnitOfWork, unit_id: str | None, status: str | None, by_priority: bool = False) -> list[ReviewCase]:
    rank = case_(*((ReviewCase.priority == name, value) for name, value in PRIORITY_RANK.items()), else_=2)
    query = select(ReviewCase).order_by(rank, ReviewCase.opened_at) if by_priority else select(ReviewCase).order_by(ReviewCase.opened_at)
    if unit_id:
        query = query.where(ReviewCase.unit_id == unit_id)
    if status == "open":
        query = query.where(ReviewCase.status.in_(("open", "paused")))
    elif status == "closed":
        query = query.where(ReviewCase.status.not_in(("open", "paused")))
    elif status:
        query = query.where(ReviewCase.status == status)
    return list((await uow.session.execute(query)).scalars().all())


SUBSCRIPTIONS = [Subscription(INTAKE, {
    ApplicationSubmitted: on_application_submitted, SchemeSubmitted: on_scheme_submitted, MicroProjectFiled: on_micro_filed,
    UnitStandingChanged: on_standing_changed,
})]
