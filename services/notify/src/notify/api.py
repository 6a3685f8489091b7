"""HTTP routes of the notify service."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from servicekit.deps import Runtime
from servicekit.identifiers import TEXT_PATTERN, IdentifierPath

from notify import channels, deadlines, handlers
from notify.domain.assessment import Outcome, Tally, as_csv, tally
from notify.domain.ical import Entry, render
from notify.models import Deadline, DeadlineChange

router = APIRouter(tags=["inbox"])


class NotificationOut(BaseModel):
    id: uuid.UUID
    unit_id: str
    project_id: str | None
    event_id: str
    event_type: str
    title: str
    title_zh: str
    rule_ids: list[str]
    created_at: datetime
    read_at: datetime | None
    audience: str
    due_on: date | None


@router.get("/units/{unit_id}/notifications", response_model=list[NotificationOut])
async def unit_inbox(
    unit_id: IdentifierPath, runtime: Runtime, unread_only: bool = False
) -> list[NotificationOut]:
    """A unit's inbox, newest first."""
    async with runtime.units() as uow:
        return [NotificationOut.model_validate(row, from_attributes=True) for row in await handlers.inbox(uow, unit_id, unread_only)]


class DeadlineOut(BaseModel):
    deadline_id: uuid.UUID
    kind: str
    project_id: str | None
    unit_id: str | None
    reference_id: str | None
    rule_ids: list[str]
    anchor_on: date
    length: int | None
    unit_of_count: str | None
    due_on: date
    provisional: bool
    at_expiry: str
    at_expiry_zh: str
    started_by_event_type: str
    state: str
    late: bool = False
    """Met after its last day, or not met by it: what the assessment counts as late (BY-59)."""
    changes: list[dict] = []
    """Moves of the due date when the calendar changed, oldest first."""
    """``open``, ``stopped`` (the event that ends it came) or ``elapsed`` (DeadlineElapsed published)."""


def _deadline(row: Deadline, moves: list[DeadlineChange] | None = None) -> DeadlineOut:
    state = "elapsed" if row.fired_at else "stopped" if row.stopped_at else "open"
    return DeadlineOut(deadline_id=row.id, kind=row.kind, project_id=row.project_id, unit_id=row.unit_id,
                       reference_id=row.reference_id, rule_ids=row.rule_ids, anchor_on=row.anchor_on, length=row.length,
                       unit_of_count=row.unit_of_count, due_on=row.due_on, provisional=row.provisional, at_expiry=row.at_expiry,
                       at_expiry_zh=row.at_expiry_zh, started_by_event_type=row.started_by_event_type, state=state,
                       late=deadlines.outcome(row) == "elapsed",
                       changes=[{"old_due_on": m.old_due_on.isoformat(), "new_due_on": m.new_due_on.isoformat(),
                                 "old_provisional": m.old_provisional, "new_provisional": m.new_provisional, "reason": m.reason,
                                 "changed_at": m.changed_at.isoformat()} for m in moves or [] if m.deadline_id == row.id])


@router.get("/projects/{project_id}/deadlines", response_model=list[DeadlineOut], tags=["deadlines"])
async def project_deadlines(project_id: IdentifierPath, runtime: Runtime) -> list[DeadlineOut]:
    """Every deadline a project's events set running, with its rule and state (RULES.md §3.10.2)."""
    async with runtime.units() as uow:
        rows = await deadlines.deadlines(uow, project_id=project_id)
        moves = await deadlines.changes(uow, [r.id for r in rows])
        return [_deadline(row, moves) for row in rows]


@router.get("/units/{unit_id}/deadlines", response_model=list[DeadlineOut], tags=["deadlines"])
async def unit_deadlines(unit_id: IdentifierPath, runtime: Runtime) -> list[DeadlineOut]:
    """Every deadline of a unit's projects and of the unit itself."""
    async with runtime.units() as uow:
        return [_deadline(row) for row in await deadlines.deadlines(uow, unit_id=unit_id)]


@router.post("/units/{unit_id}/notifications/{notification_id}/read", response_model=NotificationOut)
async def mark_read(unit_id: IdentifierPath, notification_id: uuid.UUID, runtime: Runtime) -> NotificationOut:
    """Mark a notice of the unit's inbox read."""
    async with runtime.units() as uow:
        row = await handlers.mark_read(uow, unit_id, notification_id)
        await uow.commit()
        return NotificationOut.model_validate(row, from_attributes=True)


@router.get("/bureau/notifications", response_model=list[NotificationOut])
async def bureau_inbox(runtime: Runtime, unread_only: bool = False) -> list[NotificationOut]:
    """What is escalated to the bureau: units' deadlines that passed, newest first."""
    async with runtime.units() as uow:
        rows = await handlers.inbox(uow, None, unread_only, audience="bureau")
        return [NotificationOut.model_validate(row, from_attributes=True) for row in rows]


@router.get("/units/{unit_id}/deadlines.ics", response_class=Response, tags=["deadlines"],
            responses={200: {"content": {"text/calendar": {}}, "description": "iCalendar feed of the unit's open deadlines"}})
async def unit_calendar(unit_id: IdentifierPath, runtime: Runtime) -> Response:
    """The unit's open deadlines as an iCalendar feed (all-day events on the last day)."""
    async with runtime.units() as uow:
        rows = [r for r in await deadlines.deadlines(uow, unit_id=unit_id) if not r.fired_at and not r.stopped_at]
        entries = [Entry(uid=str(r.id), due_on=r.due_on, summary=f"{r.at_expiry_zh}（{r.project_id or unit_id}）",
                         description=f"{r.kind} · {', '.join(r.rule_ids)} · {r.at_expiry}") for r in rows]
        now = uow.clock.now()
    return Response(render(entries, f"{unit_id} 政务信息化项目期限", now), media_type="text/calendar; charset=utf-8")


async def _tally(runtime: Runtime, year: int) -> list[Tally]:
    async with runtime.units() as uow:
        rows = await deadlines.deadlines_due_in(uow, year)
        return tally(Outcome(r.unit_id or "", r.kind, deadlines.outcome(r)) for r in rows if r.unit_id)


@router.get("/bureau/assessment", tags=["assessment"])
async def assessment(year: Annotated[int, Query(ge=2000, le=2100)], runtime: Runtime) -> list[dict]:
    """Filing timeliness per unit for the year's assessment (BY-59, YF-21): filed in time, late, still open."""
    return [{"unit_id": t.unit_id, "on_time": t.on_time, "late": t.late, "open": t.open, "on_time_rate": t.rate}
            for t in await _tally(runtime, year)]


@router.get("/bureau/assessment.csv", response_class=Response, tags=["assessment"],
            responses={200: {"content": {"text/csv": {}}, "description": "The same table as CSV (UTF-8 with BOM)"}})
async def assessment_csv(year: Annotated[int, Query(ge=2000, le=2100)], runtime: Runtime) -> Response:
    """The assessment table as CSV for a spreadsheet."""
    return Response(as_csv(await _tally(runtime, year)), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="assessment-{year}.csv"'})


class ChannelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["email", "webhook"]
    address: str = Field(min_length=3, max_length=500, pattern=TEXT_PATTERN,
                         description="An e-mail address, or a webhook URL (https)")


class ChannelOut(BaseModel):
    channel_id: uuid.UUID
    unit_id: str
    kind: str
    address: str
    secret: str | None = Field(None, description="The webhook's HMAC key: shown only when the channel is made")
    created_at: datetime


class DeliveryOut(BaseModel):
    delivery_id: uuid.UUID
    notification_id: uuid.UUID
    channel_id: uuid.UUID
    kind: str
    attempts: int
    state: Literal["pending", "delivered", "failed"]
    last_error: str | None


@router.post("/units/{unit_id}/channels", response_model=ChannelOut, status_code=201, tags=["channels"])
async def add_channel(unit_id: IdentifierPath, body: ChannelIn, runtime: Runtime) -> ChannelOut:
    """Send the unit's notices also to an e-mail address or a signed webhook."""
    async with runtime.units() as uow:
        row = await channels.add_channel(uow, unit_id, body.kind, body.address)
        await uow.commit()
        return ChannelOut(channel_id=row.id, unit_id=row.unit_id, kind=row.kind, address=row.address, secret=row.secret,
                          created_at=row.created_at)


@router.get("/units/{unit_id}/channels", response_model=list[ChannelOut], tags=["channels"])
async def list_channels(unit_id: IdentifierPath, runtime: Runtime) -> list[ChannelOut]:
    async with runtime.units() as uow:
        return [ChannelOut(channel_id=r.id, unit_id=r.unit_id, kind=r.kind, address=r.address, created_at=r.created_at)
                for r in await channels.channels(uow, unit_id)]


@router.get("/units/{unit_id}/deliveries", response_model=list[DeliveryOut], tags=["channels"])
async def list_deliveries(unit_id: IdentifierPath, runtime: Runtime) -> list[DeliveryOut]:
    """Every notice sent or being sent to the unit's channels, with attempts and the last error."""
    async with runtime.units() as uow:
        return [DeliveryOut(delivery_id=d.id, notification_id=d.notification_id, channel_id=d.channel_id, kind=c.kind,
                            attempts=d.attempts, state="delivered" if d.delivered_at else "failed" if d.failed_at else "pending",
                            last_error=d.last_error) for d, c in await channels.deliveries(uow, unit_id)]
