"""The audit trail: every state change a unit of work commits, chained by SM3.

The unit of work collects what its flushes changed (rows added, changed, removed, apart from the
runtime's own tables) and, in the same transaction, appends one record per changed row with who
acted (the request's principal, or the service acting on a consumed event, named by the event's
source), the object, the project and unit it belongs to, the rule IDs it carries and the request
and trace ids. Appends are serialised by a transaction-scoped advisory lock so the chain has
one order; verification recomputes every hash and reports the first link that does not hold.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from enum import Enum
from typing import Any

from cryptography.hazmat.primitives import hashes
from sqlalchemy import inspect, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.envelope import Envelope
from servicekit.security.context import current_principal, current_request_id
from servicekit.security.principal import Principal
from servicekit.tables import AuditRecord

GENESIS = "0" * 64
_LOCK_KEY = 0x6175646974  # "audit": one chain per service database
RUNTIME_TABLES = frozenset({"outbox", "inbox", "parked_message", "clock_state", "audit_record", "idempotency_record"})
HASHED_FIELDS = ("seq", "recorded_at", "service", "actor", "role", "unit_id", "action", "object_type", "object_id",
                 "project_id", "object_unit_id", "rule_ids", "request_id", "trace_id", "cause_event_id", "source",
                 "details", "prev_hash")


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def plain(value: Any) -> Any:
    """A JSON value that reads back identically from JSONB."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, Decimal, Enum)):
        return str(value.value if isinstance(value, Enum) else value)
    if isinstance(value, bytes):
        return {"bytes": len(value), "sm3": sm3_hex(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if isinstance(value, float):
        return repr(value)  # floats never reach money fields; keep them exact in the hash anyway
    return value


def record_hash(fields: dict[str, Any]) -> str:
    content = {name: plain(fields.get(name)) for name in HASHED_FIELDS}
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return sm3_hex(canonical.encode("utf-8"))


@dataclass
class Change:
    action: str
    object_type: str
    object_id: str
    project_id: str | None
    unit_id: str | None
    rule_ids: list[str]
    details: dict[str, Any]


@dataclass
class AuditCollector:
    """Listens to a session's flushes and keeps what they changed, in order."""

    changes: list[Change] = field(default_factory=list)

    def after_flush(self, session: Any, flush_context: Any) -> None:
        for action, objects in (("insert", session.new), ("update", session.dirty), ("delete", session.deleted)):
            for obj in objects:
                table = getattr(obj, "__tablename__", None)
                if table is None or table in RUNTIME_TABLES:
                    continue
                change = self._describe(action, table, obj)
                if change is not None:
                    self.changes.append(change)

    @staticmethod
    def _describe(action: str, table: str, obj: Any) -> Change | None:
        state = inspect(obj)
        mapper = state.mapper
        # a secret the trail must not give away before its time (a draw's seed) is recorded by its digest
        redacted = getattr(type(obj), "__audit_redact__", frozenset())

        def shown(key: str, value: Any) -> Any:
            return {"sm3": sm3_hex(str(value).encode("utf-8"))} if key in redacted and value is not None else plain(value)

        if action == "update":
            changed = {}
            for attr in mapper.column_attrs:
                history = state.attrs[attr.key].history
                if history.has_changes():
                    changed[attr.key] = {"from": shown(attr.key, history.deleted[0] if history.deleted else None),
                                         "to": shown(attr.key, history.added[0] if history.added else None)}
            if not changed:
                return None
            details: dict[str, Any] = {"changed": changed}
        else:
            details = {"values": {attr.key: shown(attr.key, getattr(obj, attr.key, None)) for attr in mapper.column_attrs}}
        identity = mapper.primary_key_from_instance(obj)
        rules = getattr(obj, "rule_ids", None) or ([obj.rule_id] if getattr(obj, "rule_id", None) else [])
        return Change(
            action=action, object_type=table, object_id="/".join(str(part) for part in identity),
            project_id=getattr(obj, "project_id", None), unit_id=getattr(obj, "unit_id", None),
            rule_ids=[str(r) for r in rules], details=details,
        )


@dataclass(frozen=True)
class Actor:
    actor: str
    role: str
    unit_id: str | None
    request_id: str | None
    cause_event_id: str | None
    source: str | None


def actor_for(service: str, cause: Envelope | None) -> Actor:
    """The person behind the request, or the service acting on an event another service published."""
    if cause is not None:
        return Actor(f"system:{service}", "system", None, None, cause.id, cause.source)
    principal: Principal | None = current_principal.get()
    if principal is None:
        return Actor(f"system:{service}", "system", None, current_request_id.get(), None, None)
    return Actor(principal.username, principal.primary_role, principal.unit_id, current_request_id.get(), None, None)


async def append(session: AsyncSession, service: str, changes: Iterable[Change], actor: Actor,
                 trace_id: str | None, now: datetime) -> list[AuditRecord]:
    """Append records for ``changes`` inside the caller's transaction, extending the chain."""
    changes = list(changes)
    if not changes:
        return []
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    last = (await session.execute(select(AuditRecord.seq, AuditRecord.hash).order_by(AuditRecord.seq.desc()).limit(1))).first()
    seq, prev = (last[0], last[1]) if last else (0, GENESIS)
    # rows of one transaction that do not name their project (a review row under its case) take the one the others name
    project = next((c.project_id for c in changes if c.project_id), None)
    unit = next((c.unit_id for c in changes if c.unit_id), None)
    records = []
    for change in changes:
        seq += 1
        fields: dict[str, Any] = {
            "seq": seq, "recorded_at": now, "service": service, "actor": actor.actor, "role": actor.role,
            "unit_id": actor.unit_id, "action": change.action, "object_type": change.object_type,
            "object_id": change.object_id, "project_id": change.project_id or project,
            "object_unit_id": change.unit_id or unit, "rule_ids": change.rule_ids, "request_id": actor.request_id,
            "trace_id": trace_id, "cause_event_id": actor.cause_event_id, "source": actor.source,
            "details": plain(change.details), "prev_hash": prev,
        }
        fields["hash"] = prev = record_hash(fields)
        record = AuditRecord(**fields)
        session.add(record)
        records.append(record)
    return records


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str | None = None
    last_hash: str | None = None


async def stream_records(session: AsyncSession, batch: int = 1000) -> AsyncIterator[AuditRecord]:
    after = 0
    while True:
        rows = (await session.execute(
            select(AuditRecord).where(AuditRecord.seq > after).order_by(AuditRecord.seq).limit(batch))).scalars().all()
        if not rows:
            return
        for row in rows:
            yield row
        after = rows[-1].seq


async def verify(session: AsyncSession) -> Verification:
    """Walk the chain from the start; the first row whose link or content does not hold is named."""
    expected_seq, prev, checked = 1, GENESIS, 0
    async for row in stream_records(session):
        fields = {name: getattr(row, name) for name in HASHED_FIELDS}
        if row.seq != expected_seq:
            return Verification(False, checked, expected_seq, f"record {expected_seq} is missing (next is {row.seq})")
        if row.prev_hash != prev:
            return Verification(False, checked, row.seq, f"record {row.seq} does not link to record {row.seq - 1}")
        if record_hash(fields) != row.hash:
            return Verification(False, checked, row.seq, f"record {row.seq} was changed after it was written")
        prev, expected_seq, checked = row.hash, expected_seq + 1, checked + 1
    return Verification(True, checked, last_hash=prev if checked else None)


def as_dict(row: AuditRecord) -> dict[str, Any]:
    return {name: plain(getattr(row, name)) for name in (*HASHED_FIELDS, "hash")}
