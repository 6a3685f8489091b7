"""HTTP routes of the review service."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter

from servicekit.deps import Runtime
from servicekit.identifiers import IdentifierPath, IdentifierQuery

from review import annual_lists, coreviews, funds, handlers, scheme_changes
from review.models import AnnualList, Approval, CoReview, ReviewCase, ReviewRound, SchemeChange
from review.schemas import (
    AnnualListIn,
    AnnualListOut,
    ApprovalIn,
    ApprovalOut,
    CaseDetailOut,
    CaseOut,
    CoReviewOpinionIn,
    CoReviewOut,
    CoReviewRequestIn,
    FundApplicationIn,
    FundApplicationOut,
    OpinionIn,
    PriorityIn,
    RoundOut,
    SchemeChangeDecisionIn,
    SchemeChangeIn,
    SchemeChangeOut,
)

router = APIRouter(tags=["review cases"])


def _round(row: ReviewRound) -> RoundOut:
    return RoundOut(stage=row.stage, round=row.round, opened_at=row.opened_at, due_on=row.due_on, due_provisional=row.due_provisional,
                    result=row.result, reasons=row.reasons, amount_yuan=row.amount_fen // 100 if row.amount_fen is not None else None,
                    rule_ids=row.rule_ids, decided_by=row.decided_by, decided_at=row.decided_at, event_id=row.event_id,
                    judgements=row.judgements, third_party=row.third_party)


def _detail(case: ReviewCase, rounds: list[ReviewRound]) -> CaseDetailOut:
    return CaseDetailOut(**CaseOut.model_validate(case, from_attributes=True).model_dump(), rounds=[_round(r) for r in rounds])


def _approval(row: Approval) -> ApprovalOut:
    return ApprovalOut(approval_id=str(row.id), project_id=row.project_id, unit_id=row.unit_id, pack_id=row.pack_id,
                       pack_version=row.pack_version, approved_amount_yuan=row.approved_amount_fen // 100, ceiling_basis=row.ceiling_basis,
                       authority=row.authority, approved_on=row.approved_on, valid_until=row.valid_until,
                       document_number=row.document_number, opinions=row.opinions, rule_ids=row.rule_ids, requirements=row.requirements,
                       approved_by=row.approved_by, approved_at=row.approved_at, event_id=row.event_id)


@router.get("/cases", response_model=list[CaseOut])
async def list_cases(
    runtime: Runtime,
    unit_id: IdentifierQuery | None = None,
    status: Literal["open", "closed", "paused", "approved", "rejected", "filed"] | None = None,
    order: Literal["opened", "priority"] = "opened",
) -> list[CaseOut]:
    """Review cases in the order they were opened, or by the bureau's priority (YL-10); ``open`` includes
    paused ones (BY-48d)."""
    async with runtime.units() as uow:
        rows = await handlers.cases(uow, unit_id, status, by_priority=order == "priority")
        due = await handlers.open_round_due(uow, [row.project_id for row in rows])
        return [CaseOut.model_validate(row, from_attributes=True).model_copy(update={"due_on": due.get(row.project_id)})
                for row in rows]


@router.put("/cases/{project_id}/priority", response_model=CaseOut)
async def set_priority(project_id: IdentifierPath, body: PriorityIn, runtime: Runtime) -> CaseOut:
    """Set a case's place in the bureau's order of work (轻重缓急, YL-10)."""
    async with runtime.units() as uow:
        case = await handlers.set_priority(uow, project_id, body.priority, body.reason)
        await uow.commit()
        return CaseOut.model_validate(case, from_attributes=True)


@router.get("/cases/{project_id}", response_model=CaseDetailOut)
async def get_case(project_id: IdentifierPath, runtime: Runtime) -> CaseDetailOut:
    """A case with every round: when it was due, the opinion, who gave it."""
    async with runtime.units() as uow:
        case = await handlers.get_case(uow, project_id)
        return _detail(case, await handlers.rounds(uow, project_id))


@router.post("/cases/{project_id}/opinions", status_code=201, response_model=CaseDetailOut)
async def record_opinion(project_id: IdentifierPath, body: OpinionIn, runtime: Runtime) -> CaseDetailOut:
    """The bureau's opinion on the open round (BY-16a/b, BY-20.1a–20.3); the last allowed failure ends the
    project (BY-22.11–22.13)."""
    async with runtime.units() as uow:
        case, _ = await handlers.record_opinion(uow, project_id, body)
        await uow.commit()
        return _detail(case, await handlers.rounds(uow, project_id))


@router.post("/cases/{project_id}/approval", status_code=201, response_model=ApprovalOut, tags=["approval"])
async def approve(project_id: IdentifierPath, body: ApprovalIn, runtime: Runtime) -> ApprovalOut:
    """批复 within the reviewed amount, valid for the pack's period (BY-20, BY-20.4a/b)."""
    async with runtime.units() as uow:
        row = await handlers.approve(uow, project_id, body)
        await uow.commit()
        return _approval(row)


@router.get("/cases/{project_id}/approval", response_model=ApprovalOut, tags=["approval"])
async def get_approval(project_id: IdentifierPath, runtime: Runtime) -> ApprovalOut:
    async with runtime.units() as uow:
        return _approval(await handlers.get_approval(uow, project_id))


@router.post("/cases/{project_id}/fund-application", status_code=201, response_model=FundApplicationOut, tags=["approval"])
async def apply_for_funds(project_id: IdentifierPath, body: FundApplicationIn, runtime: Runtime) -> FundApplicationOut:
    """The bureau applies to 市政府 for a 公共类 project's funds once its fund review has passed (YF-7.4)."""
    async with runtime.units() as uow:
        case = await handlers.get_case(uow, project_id, lock=True)
        await funds.apply(uow, case, body)
        applied = dict(case.fund_application or {})
        await uow.commit()
        return FundApplicationOut(project_id=project_id, **applied)


def _co_review(row: CoReview) -> CoReviewOut:
    return CoReviewOut(body=row.body, body_zh=row.body_zh, before=row.before, rule_ids=row.rule_ids, requested_at=row.requested_at,
                       due_on=row.due_on, result=row.result, reasons=row.reasons, recorded_by=row.recorded_by, recorded_at=row.recorded_at)


@router.get("/cases/{project_id}/co-reviews", response_model=list[CoReviewOut], tags=["co-review"])
async def list_co_reviews(project_id: IdentifierPath, runtime: Runtime) -> list[CoReviewOut]:
    """The bodies asked for an opinion, each with its due date and answer."""
    async with runtime.units() as uow:
        await handlers.get_case(uow, project_id)
        return [_co_review(row) for row in await coreviews.co_reviews(uow, project_id)]


@router.post("/cases/{project_id}/co-reviews", status_code=201, response_model=list[CoReviewOut], tags=["co-review"])
async def request_co_reviews(project_id: IdentifierPath, body: CoReviewRequestIn, runtime: Runtime) -> list[CoReviewOut]:
    """Ask the bodies whose remit the project touches (BY-5.5) and invited departments (BY-5.6)."""
    async with runtime.units() as uow:
        case = await handlers.get_case(uow, project_id, lock=True)
        await coreviews.request(uow, case, body)
        await uow.commit()
        return [_co_review(row) for row in await coreviews.co_reviews(uow, project_id)]


@router.post("/cases/{project_id}/co-reviews/{body_key}/opinion", status_code=201, response_model=CoReviewOut, tags=["co-review"])
async def record_co_review(project_id: IdentifierPath, body_key: IdentifierPath, body: CoReviewOpinionIn, runtime: Runtime) -> CoReviewOut:
    """Record a body's written opinion (BZ-20: 审委会 waits for every one; an objection holds the approval)."""
    async with runtime.units() as uow:
        case = await handlers.get_case(uow, project_id, lock=True)
        row = await coreviews.record(uow, case, body_key, body)
        await uow.commit()
        return _co_review(row)


def _annual_list(row: AnnualList) -> AnnualListOut:
    return AnnualListOut(list_id=str(row.id), pack_id=row.pack_id, year=row.year, project_ids=row.project_ids, approved_on=row.approved_on,
                         document_number=row.document_number, recorded_by=row.recorded_by, recorded_at=row.recorded_at,
                         event_id=row.event_id)


@router.post("/annual-lists", status_code=201, response_model=AnnualListOut, tags=["approval"])
async def record_annual_list(body: AnnualListIn, runtime: Runtime) -> AnnualListOut:
    """Record the year's project list 市委、市政府 approved; only projects on it are approved (BZ-15)."""
    async with runtime.units() as uow:
        row = await annual_lists.record(uow, body, runtime.settings.policy_pack)
        await uow.commit()
        return _annual_list(row)


@router.get("/annual-lists", response_model=list[AnnualListOut], tags=["approval"])
async def list_annual_lists(runtime: Runtime) -> list[AnnualListOut]:
    async with runtime.units() as uow:
        return [_annual_list(row) for row in await annual_lists.lists(uow)]


def _change(row: SchemeChange) -> SchemeChangeOut:
    return SchemeChangeOut(change_id=str(row.id), project_id=row.project_id, after_stage=row.after_stage, substantive=row.substantive,
                           reason=row.reason, requested_by=row.requested_by, requested_at=row.requested_at, consented=row.consented,
                           reasons=row.reasons, decided_by=row.decided_by, decided_at=row.decided_at, event_id=row.event_id)


@router.post("/cases/{project_id}/scheme-changes", status_code=201, response_model=SchemeChangeOut, tags=["scheme changes"])
async def request_scheme_change(project_id: IdentifierPath, body: SchemeChangeIn, runtime: Runtime) -> SchemeChangeOut:
    """Ask consent for a change after expert review (BY-31.3) or cost review (BY-31.4)."""
    async with runtime.units() as uow:
        case = await handlers.get_case(uow, project_id, lock=True)
        row = await scheme_changes.request(uow, case, body)
        await uow.commit()
        return _change(row)


@router.get("/cases/{project_id}/scheme-changes", response_model=list[SchemeChangeOut], tags=["scheme changes"])
async def list_scheme_changes(project_id: IdentifierPath, runtime: Runtime) -> list[SchemeChangeOut]:
    async with runtime.units() as uow:
        await handlers.get_case(uow, project_id)
        return [_change(row) for row in await scheme_changes.changes(uow, project_id)]


@router.post("/cases/{project_id}/scheme-changes/{change_id}/decision", status_code=201, response_model=SchemeChangeOut,
             tags=["scheme changes"])
async def decide_scheme_change(project_id: IdentifierPath, change_id: uuid.UUID, body: SchemeChangeDecisionIn,
                               runtime: Runtime) -> SchemeChangeOut:
    """The bureau consents first; the unit then submits the revision with its statement (and expert argument)."""
    async with runtime.units() as uow:
        case = await handlers.get_case(uow, project_id, lock=True)
        row = await scheme_changes.decide(uow, case, change_id, body)
        await uow.commit()
        return _change(row)
