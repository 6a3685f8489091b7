"""Tracing and JSON logs, set up the same way in every service.

Spans: FastAPI's HTTP spans, ``<subject> publish`` when the relay publishes, and
``<subject> process`` when a consumer handles a message. The W3C ``traceparent`` of the
request that caused an event is stored on its outbox row and travels in the message
headers, so one trace runs from a request through every reaction to it.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.propagate import extract, inject
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

_configured = False


def configure_tracing(service_name: str, otlp_endpoint: str | None) -> TracerProvider:
    """Install the tracer provider once per process; export over OTLP/HTTP when an endpoint is set."""
    global _configured
    provider = trace.get_tracer_provider()
    if _configured and isinstance(provider, TracerProvider):
        return provider
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{otlp_endpoint.rstrip('/')}/v1/traces")))
    trace.set_tracer_provider(provider)
    _configured = True
    return provider


def current_trace_headers() -> dict[str, str]:
    carrier: dict[str, str] = {}
    inject(carrier)
    return carrier


def trace_id_of(headers: Mapping[str, str]) -> str | None:
    parent = headers.get("traceparent")
    if not parent:
        return None
    parts = parent.split("-")
    return parts[1] if len(parts) == 4 else None


@contextmanager
def span_from_headers(
    tracer: trace.Tracer, name: str, headers: Mapping[str, str], kind: trace.SpanKind
) -> Iterator[trace.Span]:
    """A span whose parent is the trace context carried in ``headers``."""
    token = otel_context.attach(extract(dict(headers)))
    try:
        with tracer.start_as_current_span(name, kind=kind) as span:
            yield span
    finally:
        otel_context.detach(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per line with the trace and span ids of the current span."""

    def __init__(self, service_name: str) -> None:
        super().__init__()
        self.service_name = service_name

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
            "level": record.levelname,
            "service": self.service_name,
            "logger": record.name,
            "message": record.getMessage(),
        }
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            entry["trace_id"] = format(span_context.trace_id, "032x")
            entry["span_id"] = format(span_context.span_id, "016x")
        for key in ("event_id", "event_type", "subject", "consumer"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(service_name: str, level: str) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service_name))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).setLevel(logging.WARNING)
