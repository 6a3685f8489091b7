"""Health and operator endpoints every service exposes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import or_, select

from servicekit import audit, metrics
from servicekit.deps import Runtime
from servicekit.errors import DomainError, NotFound
from servicekit.identifiers import IdentifierQuery
from servicekit.outbox import backlog
from servicekit.parking import ReplayError
from servicekit.tables import AuditRecord
from servicekit.security.access import PUBLIC, Allow, policy, query_unit

BIGINT_MAX = 2**63 - 1
RowId = Annotated[int, Path(ge=1, le=BIGINT_MAX, description="a row id (PostgreSQL bigint)")]
"""Bounded like the column, so an out-of-range id is a 422 naming the field, not a database error."""

health = APIRouter(tags=["health"])
ops = APIRouter(prefix="/ops", tags=["operations"])
clock = APIRouter(prefix="/ops/clock", tags=["operations"])
audit_trail = APIRouter(prefix="/audit", tags=["audit"])

ACCESS = policy([
    ("GET", "/healthz", PUBLIC),  # probes carry no token
    ("GET", "/readyz", PUBLIC),
    # Counts only, no names or amounts; NetworkPolicy lets only Prometheus reach it in a cluster.
    ("GET", "/metrics", PUBLIC),
    ("GET", "/ops/outbox", Allow.of("administrator")),
    ("GET", "/ops/consumers", Allow.of("administrator")),
    ("GET", "/ops/parked", Allow.of("administrator")),
    ("GET", "/ops/parked/{parked_id}", Allow.of("administrator")),
    ("POST", "/ops/parked/{parked_id}/replay", Allow.of("administrator")),
    ("GET", "/ops/clock", Allow.of("administrator")),
    ("POST", "/ops/clock/advance", Allow.of("administrator")),
    ("GET", "/audit/verify", Allow.of("administrator")),
    # The bureau supervises every project; a unit reads the trail of its own projects (the portal's timeline).
    ("GET", "/audit/records", Allow.of("administrator", "bureau_reviewer", "unit_applicant", "unit_leader",
                                       units=query_unit())),
])


@health.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@health.get("/readyz")
async def readyz(runtime: Runtime) -> JSONResponse:
    """Readiness: database, NATS, outbox relay and every consumer are up."""
    checks: dict[str, Any] = {
        "database": await runtime.database_ok(),
        "nats": runtime.broker.connected,
        "outbox_relay": runtime.relay.running,
        "consumers": {consumer.name: consumer.healthy for consumer in runtime.consumers},
    }
    ready = checks["database"] and checks["nats"] and checks["outbox_relay"] and all(checks["consumers"].values())
    return JSONResponse({"status": "ready" if ready else "not_ready", "checks": checks}, status_code=200 if ready else 503)


@health.get("/metrics", response_class=Response)
async def prometheus_metrics(runtime: Runtime) -> Response:
    """Prometheus text format: outbox backlog, consumer lag, parked messages and the service's own."""
    return Response(await metrics.render(runtime, runtime.metric_sources), media_type=metrics.CONTENT_TYPE)


@ops.get("/outbox")
async def outbox_status(runtime: Runtime) -> dict[str, Any]:
    """Outbox backlog: events committed but not yet published."""
    return {
        **await backlog(runtime.sessions),
        "published_total": runtime.relay.published_total,
        "failed_total": runtime.relay.failed_total,
        "last_error": runtime.relay.last_error,
    }


@ops.get("/consumers")
async def consumer_status(runtime: Runtime) -> list[dict[str, Any]]:
    """Each durable consumer: what this process handled and what JetStream still holds for it."""
    result = []
    for consumer in runtime.consumers:
        entry: dict[str, Any] = {
            "name": consumer.name,
            "stream": consumer.stream.name,
            "healthy": consumer.healthy,
            "processed_total": consumer.processed_total,
            "duplicates_total": consumer.duplicates_total,
            "parked_total": consumer.parked_total,
        }
        try:
            info = await runtime.broker.js.consumer_info(consumer.stream.name, consumer.name)  # type: ignore[union-attr]
            entry["num_pending"] = info.num_pending
            entry["num_ack_pending"] = info.num_ack_pending
            entry["num_redelivered"] = info.num_redelivered
        except Exception as exc:
            entry["error"] = repr(exc)
        result.append(entry)
    return result


class ParkedView(BaseModel):
    id: int
    consumer: str
    stream: str
    subject: str
    stream_sequence: int | None
    event_id: str | None
    event_type: str | None
    error: str
    deliveries: int
    parked_at: datetime
    replayed_at: datetime | None
    replay_error: str | None
    payload: str


def _view(row: Any) -> ParkedView:
    return ParkedView(**{k: getattr(row, k) for k in ParkedView.model_fields if k != "payload"},
                      payload=row.payload.decode("utf-8", errors="replace"))


@ops.get("/parked", response_model=list[ParkedView])
async def list_parked(runtime: Runtime, include_replayed: bool = False) -> list[ParkedView]:
    """Messages that kept failing and wait for an operator."""
    return [_view(row) for row in await runtime.parking.list(include_replayed)]


@ops.get("/parked/{parked_id}", response_model=ParkedView)
async def get_parked(parked_id: RowId, runtime: Runtime) -> ParkedView:
    """One parked message with its error."""
    row = await runtime.parking.get(parked_id)
    if row is None:
        raise NotFound("parked message", "挂起消息", str(parked_id))
    return _view(row)


@ops.post("/parked/{parked_id}/replay", response_model=ParkedView)
async def replay_parked(parked_id: RowId, runtime: Runtime) -> ParkedView:
    """Apply a parked message again (once; the inbox keeps a replay from applying twice)."""
    try:
        return _view(await runtime.parking.replay(parked_id))
    except LookupError:
        raise NotFound("parked message", "挂起消息", str(parked_id)) from None
    except ReplayError as exc:
        raise DomainError("replay_failed", f"Replay failed: {exc}", f"重放失败：{exc}") from exc


class ClockAdvance(BaseModel):
    days: int = Field(0, ge=0, le=3660)
    seconds: int = Field(0, ge=0)
    to: datetime | None = Field(None, description="Move to this instant instead (timezone-aware)")

    @model_validator(mode="after")
    def _one_way(self) -> "ClockAdvance":
        if self.to is not None and (self.days or self.seconds):
            raise ValueError("give either 'to' or 'days'/'seconds', not both")
        if self.to is not None and self.to.tzinfo is None:
            raise ValueError("'to' must carry a timezone offset")
        return self


@clock.get("")
async def read_clock(runtime: Runtime) -> dict[str, Any]:
    """The service's current business time."""
    now = runtime.clock.now()
    return {"now": now.isoformat(), "mode": runtime.settings.clock_mode}


@clock.post("/advance")
async def advance_clock(body: ClockAdvance, runtime: Runtime) -> dict[str, Any]:
    """Move a movable clock forward (demos and tests only; CLOCK_MODE=movable)."""
    delta = (body.to - runtime.clock.now()) if body.to else timedelta(days=body.days, seconds=body.seconds)
    if delta < timedelta(0):
        raise DomainError("clock_backwards", "The clock only moves forward", "时钟只能向前调整", field="to", status_code=422)
    await runtime.advance_clock(delta)
    return {"now": runtime.clock.now().isoformat(), "mode": runtime.settings.clock_mode}


@audit_trail.get("/verify")
async def verify_audit_trail(runtime: Runtime) -> dict[str, Any]:
    """Recompute the audit chain; names the first record whose link or content does not hold."""
    async with runtime.sessions() as session:
        result = await audit.verify(session)
    return {"service": runtime.name, "ok": result.ok, "checked": result.checked,
            "first_broken_seq": result.first_broken_seq, "reason": result.reason, "last_hash": result.last_hash}


@audit_trail.get("/records")
async def audit_records(
    runtime: Runtime,
    project_id: IdentifierQuery | None = None,
    unit_id: IdentifierQuery | None = None,
    after_seq: Annotated[int, Query(ge=0, le=BIGINT_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> list[dict[str, Any]]:
    """Audit records in chain order, optionally of one project or of what one unit did or owns; page with ``after_seq``."""
    query = select(AuditRecord).where(AuditRecord.seq > after_seq).order_by(AuditRecord.seq).limit(limit)
    if project_id is not None:
        query = query.where(AuditRecord.project_id == project_id)
    if unit_id is not None:
        query = query.where(or_(AuditRecord.object_unit_id == unit_id, AuditRecord.unit_id == unit_id))
    async with runtime.sessions() as session:
        rows = (await session.execute(query)).scalars().all()
    return [audit.as_dict(row) for row in rows]
