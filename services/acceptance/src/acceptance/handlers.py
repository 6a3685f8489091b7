"""Acceptance use cases: load, apply the domain, emit the contracts, commit."""

from __future__ import annotations

from sqlalchemy import select

from contracts.base import PackRef
from contracts.events import AcceptanceFailed, AcceptancePassed
from policy.packs import get_pack
from servicekit.clock import business_date
from servicekit.db import UnitOfWork
from servicekit.errors import DomainError

from acceptance.domain.final_acceptance import FinalAcceptance, FinalReview, FinalReviewRefused
from acceptance.models import AcceptanceCase, FinalReviewRecord
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

    records = (
        await uow.session.execute(
            select(FinalReviewRecord).where(FinalReviewRecord.case_id == case.id).order_by(FinalReviewRecord.attempt)
        )
    ).scalars().all()
    acceptance = FinalAcceptance(
        pack,
        [FinalReview(r.attempt, r.result, r.concluded_on, r.terminal, r.rule_id, tuple(r.reasons)) for r in records],  # type: ignore[arg-type]
    )
    now = uow.clock.now()
    try:
        review = acceptance.conclude(body.result, body.concluded_on, business_date(now), tuple(body.reasons))
    except FinalReviewRefused as refused:
        status = 422 if refused.field else 409
        raise DomainError(refused.code, refused.message_en, refused.message_zh, rule_ids=refused.rule_ids,
                          field=refused.field, status_code=status) from None

    pack_ref = PackRef(id=pack.id, version=pack.version)
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
    record = FinalReviewRecord(
        case_id=case.id, attempt=review.attempt, result=review.result, terminal=review.terminal,
        rule_id=review.rule_id, concluded_on=review.concluded_on, reasons=list(review.reasons),
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


SUBSCRIPTIONS: list = []
"""Acceptance reacts to no other context yet; contract and deadline events arrive with its own issue."""
