"""Co-review opinions of other bodies (BY-5.5, BY-5.6, BZ-9, BZ-20, YL-4.5, YL-4.7): asked for, recorded,
and waited for by the committee (BZ-20) and the approval."""

from __future__ import annotations

from sqlalchemy import select

from contracts.base import PackRef
from contracts.events import CoReviewOpinionRecorded, CoReviewRequested
from policy.packs import get_pack
from policy.timers import period_due
from servicekit import policy as loaded_policy
from servicekit.clock import business_date
from servicekit.db import UnitOfWork
from servicekit.errors import DomainError
from servicekit.security.context import acting_username

from review.domain.coreview import Asked, Opinion, bodies_due_after, bodies_to_ask, outstanding
from review.models import CoReview, ReviewCase
from review.schemas import CoReviewOpinionIn, CoReviewRequestIn

INVITE_RULES = ("BY-5.6",)



async def co_reviews(uow: UnitOfWork, project_id: str) -> list[CoReview]:
    query = select(CoReview).where(CoReview.project_id == project_id).order_by(CoReview.requested_at, CoReview.body)
    return list((await uow.session.execute(query)).scalars().all())


async def ask(uow: UnitOfWork, case: ReviewCase, asked: list[Asked]) -> list[CoReview]:
    """Ask each body not asked yet, with the pack's period for an answer (A-34)."""
    pack = get_pack(case.pack_id, case.pack_version)
    now = uow.clock.now()
    due = None
    if pack.review.co_review is not None:
        due = period_due(pack, pack.review.co_review, business_date(now), loaded_policy.current().calendar).due
    have = {row.body for row in await co_reviews(uow, case.project_id)}
    added = []
    for item in asked:
        if item.body in have or not item.rule_ids:
            continue
        row = CoReview(project_id=case.project_id, body=item.body, body_zh=item.name_zh, before=item.before, rule_ids=list(item.rule_ids),
                       requested_at=now, requested_by=acting_username(), due_on=due)
        uow.session.add(row)
        have.add(item.body)  # a body both the topics and an invitation name is asked once
        uow.emit(CoReviewRequested(project_id=case.project_id, unit_id=case.unit_id, pack=PackRef(id=case.pack_id, version=case.pack_version),
                                   body=item.body, body_zh=item.name_zh, due_on=due, rule_ids=list(item.rule_ids), requested_at=now))
        added.append(row)
    return added


async def ask_standing_bodies(uow: UnitOfWork, case: ReviewCase) -> None:
    """The bodies every project of the pack needs (BZ-20, YL-4.7) are asked when the case opens."""
    pack = get_pack(case.pack_id, case.pack_version)
    await ask(uow, case, bodies_to_ask([c for c in pack.review.co_reviewers if not c.topics], (), flags=case.flags))


async def ask_after(uow: UnitOfWork, case: ReviewCase, step: str) -> None:
    """The bodies a passed step sends the project on to (BZ-9: 市政府审定 after 领导小组办公室审核)."""
    pack = get_pack(case.pack_id, case.pack_version)
    await ask(uow, case, bodies_due_after(pack.review.co_reviewers, step, case.flags))


async def request(uow: UnitOfWork, case: ReviewCase, body: CoReviewRequestIn) -> list[CoReview]:
    pack = get_pack(case.pack_id, case.pack_version)
    asked = bodies_to_ask(pack.review.co_reviewers, body.topics, [(i.body, i.name_zh) for i in body.invited], INVITE_RULES,
                          flags=case.flags)
    if not asked:
        raise DomainError("nobody_to_ask", "topics: no co-reviewing body of the pack covers these topics, and none is invited",
                          "topics：所列事项无须其他部门会审，且未邀请部门", field="topics", status_code=422)
    return await ask(uow, case, asked)


async def record(uow: UnitOfWork, case: ReviewCase, body_key: str, body: CoReviewOpinionIn) -> CoReview:
    query = select(CoReview).where(CoReview.project_id == case.project_id, CoReview.body == body_key).with_for_update()
    row = (await uow.session.execute(query)).scalar_one_or_none()
    if row is None:
        raise DomainError("not_asked", f"body: {body_key} was not asked for an opinion on {case.project_id}",
                          f"body：未邀请 {body_key} 对该项目出具意见", field="body", status_code=404)
    if row.result is not None:
        raise DomainError("already_recorded", f"body: {row.body_zh}'s opinion is already recorded ({row.result})",
                          f"body：{row.body_zh}意见已登记", field="body", rule_ids=row.rule_ids, status_code=409)
    now = uow.clock.now()
    row.result, row.reasons, row.recorded_by, row.recorded_at = body.result, list(body.reasons), acting_username(), now
    uow.emit(CoReviewOpinionRecorded(project_id=case.project_id, unit_id=case.unit_id,
                                     pack=PackRef(id=case.pack_id, version=case.pack_version), body=row.body, result=body.result,
                                     reasons=list(body.reasons), rule_ids=row.rule_ids, recorded_at=now))
    return row


async def require_opinions(uow: UnitOfWork, project_id: str, step: str) -> None:
    """Refuse ``step`` while an opinion it waits for is missing or objects (BZ-20)."""
    opinions = [Opinion(r.body, r.body_zh, r.before, r.result, tuple(r.rule_ids)) for r in await co_reviews(uow, project_id)]
    missing, objecting = outstanding(opinions, step)
    if not missing and not objecting:
        return
    rules = sorted({rule for o in missing + objecting for rule in o.rule_ids})
    parts_en = [f"{o.body} has not answered" for o in missing] + [f"{o.body} objects" for o in objecting]
    parts_zh = [f"{o.name_zh}尚未出具意见" for o in missing] + [f"{o.name_zh}提出异议" for o in objecting]
    raise DomainError("co_review_outstanding", f"{step} waits for the co-review opinions: " + "; ".join(parts_en),
                      f"{step}须待会审意见：" + "；".join(parts_zh), rule_ids=rules, status_code=409,
                      details={"missing": [o.body for o in missing], "objecting": [o.body for o in objecting]})
