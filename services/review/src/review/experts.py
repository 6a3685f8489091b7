"""The expert pool, review meetings and their verifiable draws (BY-20.2b, BY-5.2b)."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from policy.packs import get_pack
from servicekit.db import UnitOfWork
from servicekit.errors import DomainError
from servicekit.security.context import acting_username

from review.domain import draw as drawing
from review.handlers import get_case
from review.models import Booking, Draw, Expert, ExpertOpinion, Meeting
from review.schemas import DeclineIn, ExpertIn, ExpertOpinionIn, MeetingIn

DRAW_RULES = ["BY-20.2b"]
ACCEPTANCE_STAGES = ("initial_acceptance", "final_acceptance")



async def register_expert(uow: UnitOfWork, body: ExpertIn) -> Expert:
    clash = (await uow.session.execute(select(Expert).where(
        (Expert.expert_id == body.expert_id) | (Expert.username == body.username)))).scalars().first()
    if clash is not None:
        field = "expert_id" if clash.expert_id == body.expert_id else "username"
        raise DomainError("expert_exists", f"{field}: already in the pool", f"{field}：该专家已登记", field=field, status_code=409)
    row = Expert(expert_id=body.expert_id, username=body.username, name=body.name, employer=body.employer, fields=body.fields,
                 pools=body.pools, registered_at=uow.clock.now())
    uow.session.add(row)
    return row


async def experts(uow: UnitOfWork, pool: str | None = None) -> list[Expert]:
    rows = (await uow.session.execute(select(Expert).order_by(Expert.expert_id))).scalars().all()
    return [row for row in rows if pool is None or pool in row.pools]


async def schedule(uow: UnitOfWork, project_id: str, body: MeetingIn) -> Meeting:
    """A meeting for a case's stage; the seed is chosen and committed now (its SM3 is published)."""
    case = await get_case(uow, project_id)
    pack = get_pack(case.pack_id, case.pack_version)
    acceptance = body.stage in ACCEPTANCE_STAGES
    if acceptance and case.status != "approved":
        raise DomainError("not_approved", "stage: acceptance meetings are for approved projects", "stage：项目尚未批复，不能组织验收评审",
                          field="stage", rule_ids=list(pack.review.acceptance_expert_pools_rules) or DRAW_RULES)
    if not acceptance and body.stage not in case.path:
        raise DomainError("stage_not_on_path", f"stage: {body.stage} is not a step of this project's review ({', '.join(case.path)})",
                          f"stage：本项目评审程序不含 {body.stage}", field="stage", status_code=422)
    pools = list(pack.review.acceptance_expert_pools if acceptance and pack.review.acceptance_expert_pools else pack.review.expert_pools)
    pool_rules = pack.review.acceptance_expert_pools_rules if acceptance and pack.review.acceptance_expert_pools \
        else pack.review.expert_pools_rules
    if pools and body.pool not in pools:
        raise DomainError("unknown_pool", f"pool: pack {pack.id} draws {'acceptance ' if acceptance else ''}experts from "
                          f"{', '.join(pools)}", f"pool：应从{'或'.join(pools)}抽取", rule_ids=list(pool_rules) or DRAW_RULES,
                          field="pool", status_code=422)
    size = body.size or pack.review.expert_draw_size
    if size is None:
        raise DomainError("size_required", f"size: pack {pack.id} sets no number of experts (A-27); the meeting names it",
                          "size：规定未明确专家人数，须指定", field="size", status_code=422)
    earlier = (await uow.session.execute(select(Booking.expert_id).where(
        Booking.project_id == project_id, Booking.status == "booked"))).scalars().all()
    seed = drawing.new_seed()
    row = Meeting(project_id=project_id, stage=body.stage, pool=body.pool, fields=body.fields, size=size, starts_at=body.starts_at,
                  ends_at=body.ends_at, conflicted_employers=body.conflicted_employers,
                  involved_experts=sorted(set(body.involved_experts) | set(earlier)), seed_commitment=drawing.commitment(seed),
                  seed=seed, scheduled_by=acting_username(), scheduled_at=uow.clock.now())
    uow.session.add(row)
    return row


async def get_meeting(uow: UnitOfWork, meeting_id: uuid.UUID, *, lock: bool = False) -> Meeting:
    query = select(Meeting).where(Meeting.id == meeting_id)
    row = (await uow.session.execute(query.with_for_update() if lock else query)).scalar_one_or_none()
    if row is None:
        raise DomainError("not_found", f"meeting_id: no meeting {meeting_id}", f"评审会 {meeting_id} 不存在",
                          field="meeting_id", status_code=404)
    return row


async def draws(uow: UnitOfWork, meeting_id: uuid.UUID) -> list[Draw]:
    return list((await uow.session.execute(select(Draw).where(Draw.meeting_id == meeting_id).order_by(Draw.attempt))).scalars().all())


async def bookings(uow: UnitOfWork, meeting_id: uuid.UUID) -> list[Booking]:
    query = select(Booking).where(Booking.meeting_id == meeting_id).order_by(Booking.attempt, Booking.expert_id)
    return list((await uow.session.execute(query)).scalars().all())


async def _draw(uow: UnitOfWork, meeting: Meeting, size: int) -> Draw:
    """Draw ``size`` experts. The expert rows are locked first, in one order, so two draws at the same
    moment take turns and the second sees the first's bookings: no expert is booked twice."""
    pool = list((await uow.session.execute(
        select(Expert).order_by(Expert.expert_id).with_for_update())).scalars().all())
    pool = [e for e in pool if meeting.pool in e.pools]
    seated = await bookings(uow, meeting.id)
    overlapping = (await uow.session.execute(select(Booking).where(
        Booking.status == "booked", Booking.meeting_id != meeting.id,
        Booking.starts_at < meeting.ends_at, Booking.ends_at > meeting.starts_at))).scalars().all()
    eligible, excluded = drawing.eligibility(
        [drawing.Expert(e.expert_id, e.employer, tuple(e.fields), tuple(e.pools), e.active) for e in pool],
        drawing.Meeting(meeting.pool, tuple(meeting.fields), meeting.starts_at, meeting.ends_at,
                        tuple(meeting.conflicted_employers), tuple(meeting.involved_experts)),
        [drawing.Booking(b.expert_id, b.starts_at, b.ends_at) for b in overlapping],
        already=[b.expert_id for b in seated])
    if size > len(eligible):
        raise DomainError(
            "pool_too_small",
            f"size: {size} experts asked, {len(eligible)} eligible in {meeting.pool} after conflicts and bookings",
            f"size：需抽取 {size} 名专家，{meeting.pool} 中排除回避和时间冲突后仅 {len(eligible)} 名符合条件",
            rule_ids=DRAW_RULES, field="size", status_code=422,
            details={"eligible": eligible, "excluded": [e.__dict__ for e in excluded]})
    attempt = len(await draws(uow, meeting.id)) + 1
    selected = drawing.draw(meeting.seed, attempt, eligible, size)
    row = Draw(meeting_id=meeting.id, attempt=attempt, size=size, candidates=eligible,
               excluded=[{"expert_id": e.expert_id, "reason": e.reason, "reason_zh": e.reason_zh} for e in excluded],
               selected=selected, drawn_by=acting_username(), drawn_at=uow.clock.now())
    uow.session.add(row)
    for expert_id in selected:
        uow.session.add(Booking(meeting_id=meeting.id, expert_id=expert_id, project_id=meeting.project_id, starts_at=meeting.starts_at,
                                ends_at=meeting.ends_at, status="booked", attempt=attempt))
    meeting.revealed = True
    return row


async def draw_experts(uow: UnitOfWork, meeting_id: uuid.UUID) -> Meeting:
    meeting = await get_meeting(uow, meeting_id, lock=True)
    if await draws(uow, meeting.id):
        raise DomainError("already_drawn", "The meeting's experts are drawn; a declined expert is replaced through a decline",
                          "本次评审专家已抽取；专家谢绝的，通过登记谢绝补抽", rule_ids=DRAW_RULES, status_code=409)
    await _draw(uow, meeting, meeting.size)
    return meeting


async def decline(uow: UnitOfWork, meeting_id: uuid.UUID, body: DeclineIn) -> Meeting:
    """An expert cannot come: the seat is kept as declined and a further draw replaces them."""
    meeting = await get_meeting(uow, meeting_id, lock=True)
    seat = (await uow.session.execute(select(Booking).where(
        Booking.meeting_id == meeting_id, Booking.expert_id == body.expert_id).with_for_update())).scalar_one_or_none()
    if seat is None or seat.status != "booked":
        raise DomainError("not_booked", f"expert_id: {body.expert_id} holds no seat at this meeting",
                          f"expert_id：{body.expert_id} 未被抽中参加本次评审", field="expert_id", status_code=409)
    seat.status, seat.declined_reason, seat.declined_at = "declined", body.reason, uow.clock.now()
    await uow.session.flush()
    await _draw(uow, meeting, 1)
    return meeting


async def meetings_of_expert(uow: UnitOfWork, username: str) -> list[Meeting]:
    expert = (await uow.session.execute(select(Expert).where(Expert.username == username))).scalar_one_or_none()
    if expert is None:
        return []
    query = (select(Meeting).join(Booking, Booking.meeting_id == Meeting.id)
             .where(Booking.expert_id == expert.expert_id, Booking.status == "booked").order_by(Meeting.starts_at))
    return list((await uow.session.execute(query)).scalars().all())


async def meetings_of_case(uow: UnitOfWork, project_id: str) -> list[Meeting]:
    await get_case(uow, project_id)
    query = select(Meeting).where(Meeting.project_id == project_id).order_by(Meeting.starts_at)
    return list((await uow.session.execute(query)).scalars().all())


async def record_opinion(uow: UnitOfWork, meeting_id: uuid.UUID, username: str, body: ExpertOpinionIn) -> ExpertOpinion:
    """A drawn expert's opinion: only an expert holding a seat at the meeting writes one (the draw
    decides who reviews, BY-20.2b), and only once — a second thought goes to the meeting itself."""
    meeting = await get_meeting(uow, meeting_id)
    expert = (await uow.session.execute(select(Expert).where(Expert.username == username))).scalar_one_or_none()
    seat = None if expert is None else (await uow.session.execute(select(Booking).where(
        Booking.meeting_id == meeting_id, Booking.expert_id == expert.expert_id))).scalar_one_or_none()
    if expert is None or seat is None or seat.status != "booked":
        raise DomainError("not_drawn", "meeting_id: only an expert drawn for this meeting gives an opinion on it",
                          "meeting_id：只有抽中参加本次评审会的专家才能提交评审意见", field="meeting_id",
                          rule_ids=DRAW_RULES, status_code=409)
    existing = (await uow.session.execute(select(ExpertOpinion).where(
        ExpertOpinion.meeting_id == meeting_id, ExpertOpinion.expert_id == expert.expert_id))).scalar_one_or_none()
    if existing is not None:
        raise DomainError("opinion_exists", "opinion: this expert's opinion on the meeting is already recorded",
                          "opinion：您已提交本次评审意见，不能重复提交", field="opinion", status_code=409)
    row = ExpertOpinion(meeting_id=meeting_id, project_id=meeting.project_id, expert_id=expert.expert_id,
                        recommendation=body.recommendation, opinion=body.opinion, submitted_by=acting_username(),
                        submitted_at=uow.clock.now())
    uow.session.add(row)
    await uow.session.flush()
    return row


async def opinions(uow: UnitOfWork, meeting_id: uuid.UUID) -> list[ExpertOpinion]:
    await get_meeting(uow, meeting_id)
    query = select(ExpertOpinion).where(ExpertOpinion.meeting_id == meeting_id).order_by(ExpertOpinion.submitted_at)
    return list((await uow.session.execute(query)).scalars().all())
