"""Scheme changes the reviewers did not ask for, after expert or cost review (BY-31.3, BY-31.4): the
unit asks, the bureau consents or refuses, and only a consented change comes back as a revision."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from contracts.base import PackRef
from contracts.events import SchemeChangeDecided
from servicekit.db import UnitOfWork
from servicekit.errors import DomainError
from servicekit.security.context import acting_username

from review.models import ReviewCase, ReviewRound, SchemeChange
from review.schemas import SchemeChangeDecisionIn, SchemeChangeIn

RULES = {"expert_review": "BY-31.3", "cost_review": "BY-31.4"}



async def passed_stages(uow: UnitOfWork, project_id: str) -> set[str]:
    """The review steps the project has passed."""
    query = select(ReviewRound.stage).where(ReviewRound.project_id == project_id, ReviewRound.result == "passed")
    return set((await uow.session.execute(query)).scalars().all())


async def request(uow: UnitOfWork, case: ReviewCase, body: SchemeChangeIn) -> SchemeChange:
    """The latest of expert and cost review the scheme passed is the one the change comes after."""
    passed = await passed_stages(uow, case.project_id)
    after = "cost_review" if "cost_review" in passed else "expert_review" if "expert_review" in passed else None
    if after is None or case.status != "open" or case.awaiting != "bureau":
        raise DomainError("no_change_now", "A change needs bureau consent only after expert or cost review, while the bureau holds the case",
                          "仅在专家评审或造价评审后、案件由政数局办理期间，方可申请调整方案",
                          rule_ids=["BY-31.3", "BY-31.4"], status_code=409)
    pending = (await uow.session.execute(select(SchemeChange).where(
        SchemeChange.project_id == case.project_id, SchemeChange.consented.is_(None)))).scalars().first()
    if pending is not None:
        raise DomainError("change_pending", f"change {pending.id} awaits the bureau's decision", "已有调整申请待政数局决定",
                          rule_ids=[RULES[pending.after_stage]], status_code=409)
    row = SchemeChange(project_id=case.project_id, after_stage=after, substantive=body.substantive, reason=body.reason,
                       requested_by=acting_username(), requested_at=uow.clock.now())
    uow.session.add(row)
    return row


async def decide(uow: UnitOfWork, case: ReviewCase, change_id: uuid.UUID, body: SchemeChangeDecisionIn) -> SchemeChange:
    row = (await uow.session.execute(select(SchemeChange).where(
        SchemeChange.id == change_id, SchemeChange.project_id == case.project_id).with_for_update())).scalar_one_or_none()
    if row is None:
        raise DomainError("not_found", f"change_id: no change {change_id} on {case.project_id}", "调整申请不存在",
                          field="change_id", status_code=404)
    if row.consented is not None:
        raise DomainError("already_decided", "change_id: the change is already decided", "该调整申请已作决定",
                          field="change_id", rule_ids=[RULES[row.after_stage]], status_code=409)
    now = uow.clock.now()
    row.consented, row.reasons, row.decided_by, row.decided_at = body.consent, list(body.reasons), acting_username(), now
    row.event_id = uow.emit(SchemeChangeDecided(
        project_id=case.project_id, change_id=str(row.id), unit_id=case.unit_id, pack=PackRef(id=case.pack_id, version=case.pack_version),
        after_stage=row.after_stage, substantive=row.substantive, consented=body.consent,  # type: ignore[arg-type]
        reasons=list(body.reasons), rule_ids=[RULES[row.after_stage]], decided_at=now)).id
    if body.consent:
        case.awaiting = "unit"  # the revision, with its statement, reopens the stage it stands at
    return row


async def changes(uow: UnitOfWork, project_id: str) -> list[SchemeChange]:
    query = select(SchemeChange).where(SchemeChange.project_id == project_id).order_by(SchemeChange.requested_at)
    return list((await uow.session.execute(query)).scalars().all())
