"""HTTP routes of the expert pool and review meetings (BY-20.2b, BY-5.2b)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from servicekit.deps import Runtime
from servicekit.identifiers import IdentifierPath
from servicekit.security.context import current_principal

from review import experts
from review.models import Expert, ExpertOpinion, Meeting
from review.schemas import (BookingOut, DeclineIn, DrawOut, ExpertIn, ExpertOpinionIn, ExpertOpinionOut, ExpertOut,
                            MeetingIn, MeetingOut)

router = APIRouter(tags=["experts and draws"])


def _expert(row: Expert) -> ExpertOut:
    return ExpertOut(expert_id=row.expert_id, username=row.username, name=row.name, employer=row.employer, fields=row.fields,
                     pools=row.pools, active=row.active)


async def _meeting(uow, row: Meeting) -> MeetingOut:
    draws = await experts.draws(uow, row.id)
    seats = await experts.bookings(uow, row.id)
    return MeetingOut(
        meeting_id=str(row.id), project_id=row.project_id, stage=row.stage, pool=row.pool, fields=row.fields, size=row.size,
        starts_at=row.starts_at, ends_at=row.ends_at, conflicted_employers=row.conflicted_employers,
        involved_experts=row.involved_experts, seed_commitment=row.seed_commitment, seed=row.seed if row.revealed else None,
        draws=[DrawOut(attempt=d.attempt, size=d.size, candidates=d.candidates, excluded=d.excluded, selected=d.selected,
                       drawn_by=d.drawn_by, drawn_at=d.drawn_at) for d in draws],
        bookings=[BookingOut(expert_id=b.expert_id, status=b.status, attempt=b.attempt, declined_reason=b.declined_reason) for b in seats],
    )


@router.post("/experts", status_code=201, response_model=ExpertOut)
async def register_expert(body: ExpertIn, runtime: Runtime) -> ExpertOut:
    """Add an expert to the pools they belong to."""
    async with runtime.units() as uow:
        row = await experts.register_expert(uow, body)
        await uow.commit()
        return _expert(row)


@router.get("/experts", response_model=list[ExpertOut])
async def list_experts(runtime: Runtime, pool: str | None = None) -> list[ExpertOut]:
    async with runtime.units() as uow:
        return [_expert(row) for row in await experts.experts(uow, pool)]


@router.post("/cases/{project_id}/meetings", status_code=201, response_model=MeetingOut)
async def schedule_meeting(project_id: IdentifierPath, body: MeetingIn, runtime: Runtime) -> MeetingOut:
    """Schedule a review meeting; the answer publishes the SM3 commitment of the draw's seed."""
    async with runtime.units() as uow:
        row = await experts.schedule(uow, project_id, body)
        await uow.commit()
        return await _meeting(uow, row)


@router.get("/cases/{project_id}/meetings", response_model=list[MeetingOut])
async def case_meetings(project_id: IdentifierPath, runtime: Runtime) -> list[MeetingOut]:
    """The review meetings of a case, each with its draws and seats."""
    async with runtime.units() as uow:
        return [await _meeting(uow, row) for row in await experts.meetings_of_case(uow, project_id)]


@router.get("/meetings/{meeting_id}", response_model=MeetingOut)
async def get_meeting(meeting_id: uuid.UUID, runtime: Runtime) -> MeetingOut:
    """A meeting with every draw: once drawn, the seed and candidates let anyone re-run the draw."""
    async with runtime.units() as uow:
        return await _meeting(uow, await experts.get_meeting(uow, meeting_id))


@router.post("/meetings/{meeting_id}/draw", status_code=201, response_model=MeetingOut)
async def draw(meeting_id: uuid.UUID, runtime: Runtime) -> MeetingOut:
    """Draw the meeting's experts at random from the eligible pool members (BY-20.2b), revealing the seed."""
    async with runtime.units() as uow:
        row = await experts.draw_experts(uow, meeting_id)
        await uow.commit()
        return await _meeting(uow, row)


@router.post("/meetings/{meeting_id}/declines", status_code=201, response_model=MeetingOut)
async def record_decline(meeting_id: uuid.UUID, body: DeclineIn, runtime: Runtime) -> MeetingOut:
    """An expert declined: the seat is kept as declined and a further draw fills it."""
    async with runtime.units() as uow:
        row = await experts.decline(uow, meeting_id, body)
        await uow.commit()
        return await _meeting(uow, row)


@router.get("/experts/me/meetings", response_model=list[MeetingOut])
async def my_meetings(runtime: Runtime) -> list[MeetingOut]:
    """The meetings the signed-in expert sits on: all an expert sees of review."""
    principal = current_principal.get()
    async with runtime.units() as uow:
        return [await _meeting(uow, row) for row in await experts.meetings_of_expert(uow, principal.username if principal else "")]


def _opinion(row: ExpertOpinion) -> ExpertOpinionOut:
    return ExpertOpinionOut(opinion_id=row.id, meeting_id=row.meeting_id, project_id=row.project_id, expert_id=row.expert_id,
                            recommendation=row.recommendation, opinion=row.opinion, submitted_at=row.submitted_at)


@router.post("/meetings/{meeting_id}/opinions", status_code=201, response_model=ExpertOpinionOut)
async def submit_expert_opinion(meeting_id: uuid.UUID, body: ExpertOpinionIn, runtime: Runtime) -> ExpertOpinionOut:
    """A drawn expert's written opinion (BY-20.2b: the draw decides who reviews); once per seat."""
    principal = current_principal.get()
    async with runtime.units() as uow:
        row = await experts.record_opinion(uow, meeting_id, principal.username if principal else "", body)
        out = _opinion(row)
        await uow.commit()
        return out


@router.get("/meetings/{meeting_id}/opinions", response_model=list[ExpertOpinionOut])
async def meeting_opinions(meeting_id: uuid.UUID, runtime: Runtime) -> list[ExpertOpinionOut]:
    """The experts' opinions on a meeting, for the bureau deciding the round."""
    async with runtime.units() as uow:
        return [_opinion(row) for row in await experts.opinions(uow, meeting_id)]
