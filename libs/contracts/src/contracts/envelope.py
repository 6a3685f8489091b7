"""The CloudEvents 1.0 envelope and its NATS binding in binary content mode.

Attributes travel as ``ce-*`` message headers and the body is the JSON of the event data,
so a consumer written with any CloudEvents SDK reads our messages. The event id is also the
``Nats-Msg-Id``, which lets JetStream drop a republished duplicate.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone

from contracts.base import Event
from contracts.registry import event_class

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"
SCHEMA_BASE = "/schemas/"

H_ID = "ce-id"
H_TYPE = "ce-type"
H_SOURCE = "ce-source"
H_SUBJECT = "ce-subject"
H_TIME = "ce-time"
H_SPECVERSION = "ce-specversion"
H_DATASCHEMA = "ce-dataschema"
H_CONTENT_TYPE = "content-type"
H_MSG_ID = "Nats-Msg-Id"
H_TRACEPARENT = "traceparent"
H_TRACESTATE = "tracestate"


class EnvelopeError(ValueError):
    """A message that is not a well-formed event of a known type (a poison message)."""


def dataschema_for(event_type: str) -> str:
    return f"{SCHEMA_BASE}{event_type}.json"


def _ascii(name: str, value: str) -> str:
    if not value.isascii() or "\n" in value or "\r" in value:
        raise EnvelopeError(f"header {name} must be single-line ASCII, got {value!r}")
    return value


def _format_time(value: datetime) -> str:
    text = value.astimezone(timezone.utc).isoformat()
    return text.replace("+00:00", "Z")


def _parse_time(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise EnvelopeError(f"ce-time {value!r} is not a time") from exc
    if parsed.tzinfo is None:
        raise EnvelopeError(f"ce-time {value!r} has no offset")
    return parsed


@dataclass(frozen=True)
class Envelope:
    """One event with its CloudEvents context attributes."""

    data: Event
    source: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    trace_headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def type(self) -> str:
        return self.data.TYPE

    @property
    def subject(self) -> str:
        """The CloudEvents subject: the aggregate (usually the project) the event is about."""
        return self.data.ce_subject()

    @property
    def nats_subject(self) -> str:
        return self.data.TYPE

    @property
    def dataschema(self) -> str:
        return dataschema_for(self.type)

    def headers(self) -> dict[str, str]:
        if self.time.tzinfo is None:
            raise EnvelopeError("event time must be timezone-aware")
        headers = {
            H_SPECVERSION: SPECVERSION,
            H_ID: _ascii(H_ID, self.id),
            H_TYPE: self.type,
            H_SOURCE: _ascii(H_SOURCE, self.source),
            H_SUBJECT: _ascii(H_SUBJECT, self.subject),
            H_TIME: _format_time(self.time),
            H_DATASCHEMA: self.dataschema,
            H_CONTENT_TYPE: CONTENT_TYPE,
            H_MSG_ID: self.id,
        }
        for name in (H_TRACEPARENT, H_TRACESTATE):
            if self.trace_headers.get(name):
                headers[name] = _ascii(name, self.trace_headers[name])
        return headers

    def body(self) -> bytes:
        return self.data.model_dump_json().encode()

    @classmethod
    def from_message(cls, headers: Mapping[str, str] | None, body: bytes) -> "Envelope":
        """Read a message; raises :class:`EnvelopeError` for anything that is not a known event."""
        headers = {k.lower(): v for k, v in (headers or {}).items()}
        missing = [h for h in (H_ID, H_TYPE, H_SOURCE, H_TIME, H_SPECVERSION) if not headers.get(h)]
        if missing:
            raise EnvelopeError(f"missing CloudEvents headers: {', '.join(missing)}")
        if headers[H_SPECVERSION] != SPECVERSION:
            raise EnvelopeError(f"unsupported ce-specversion {headers[H_SPECVERSION]!r}")
        try:
            model = event_class(headers[H_TYPE])
        except KeyError as exc:
            raise EnvelopeError(f"unknown event type {headers[H_TYPE]!r}") from exc
        try:
            payload = json.loads(body)
            data = model.model_validate(payload)
        except (ValueError, TypeError) as exc:
            raise EnvelopeError(f"{headers[H_TYPE]} data does not match its schema: {exc}") from exc
        trace = {k: headers[k] for k in (H_TRACEPARENT, H_TRACESTATE) if headers.get(k)}
        return cls(
            data=data,
            source=headers[H_SOURCE],
            id=headers[H_ID],
            time=_parse_time(headers[H_TIME]),
            trace_headers=trace,
        )
