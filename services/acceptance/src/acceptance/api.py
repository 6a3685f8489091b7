"""HTTP routes of the acceptance service."""

from __future__ import annotations

from fastapi import APIRouter

from servicekit.deps import Runtime
from servicekit.identifiers import IdentifierPath

from acceptance import handlers
from acceptance.models import AcceptanceCase, FinalReviewRecord
from acceptance.schemas import FinalReviewIn, FinalReviewOut

router = APIRouter(tags=["final acceptance"])



def _out(case: AcceptanceCase, review: FinalReviewRecord) -> FinalReviewOut:
    return FinalReviewOut(
        id=review.id, project_id=case.project_id, sub_project_id=case.sub_project_key or None, unit_id=case.unit_id,
        pack_id=case.pack_id, pack_version=case.pack_version, attempt=review.attempt, result=review.result,
        terminal=review.terminal, rule_id=review.rule_id, concluded_on=review.concluded_on,
        reasons=review.reasons, event_id=review.event_id,
    )


@router.post("/projects/{project_id}/final-reviews", status_code=201, response_model=FinalReviewOut)
async def record_final_review(project_id: IdentifierPath, body: FinalReviewIn, runtime: Runtime) -> FinalReviewOut:
    """Record the conclusion of a final acceptance review (终验, BY-47); a failure publishes AcceptanceFailed."""
    async with runtime.units() as uow:
        case, review = await handlers.record_final_review(uow, project_id, body, runtime.settings.policy_pack)
    return _out(case, review)


@router.get("/projects/{project_id}/final-reviews", response_model=list[FinalReviewOut])
async def list_final_reviews(project_id: IdentifierPath, runtime: Runtime) -> list[FinalReviewOut]:
    """Every final review of a project and its sub-projects, in order."""
    async with runtime.units() as uow:
        return [_out(case, review) for case, review in await handlers.list_final_reviews(uow, project_id)]
