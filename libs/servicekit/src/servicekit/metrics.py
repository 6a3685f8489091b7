"""Prometheus metrics every service exposes at ``GET /metrics``.

Values are read when Prometheus scrapes, from the database and from JetStream, not counted
in process: the outbox backlog and a consumer's pending messages are facts of the shared
state, so every replica reports the same numbers and a restarted pod loses nothing. Only the
``_total`` counters are per process, as Prometheus expects counters to be.

The names are the contract with dashboards, alerts and the KEDA scaler (docs/operations.md):
``govit_outbox_backlog``, ``govit_outbox_oldest_age_seconds``, ``govit_outbox_failing``,
``govit_consumer_pending``, ``govit_consumer_ack_pending``, ``govit_consumer_redelivered``,
``govit_parked_messages``, ``govit_events_published_total``, ``govit_events_handled_total``,
plus what a service adds (procurement: ``govit_holds_active``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlalchemy import func, select

from servicekit.outbox import backlog
from servicekit.tables import ParkedMessage

if TYPE_CHECKING:
    from servicekit.runtime import ServiceRuntime

log = logging.getLogger(__name__)

MetricSource = Callable[["ServiceRuntime"], Awaitable[Iterable[Metric]]]
"""A service's own metrics, read at scrape time like the shared ones."""

CONTENT_TYPE = CONTENT_TYPE_LATEST
JETSTREAM_TIMEOUT_SECONDS = 1.0


class _Snapshot:
    """A registry collector over metric families gathered before ``generate_latest`` runs
    (collectors are synchronous; the reads behind them are not)."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterable[Metric]:
        return self.families


async def _outbox(runtime: ServiceRuntime) -> list[Metric]:
    state = await backlog(runtime.sessions)
    labels = ["service"]
    unpublished = GaugeMetricFamily("govit_outbox_backlog", "Events committed but not yet published", labels=labels)
    unpublished.add_metric([runtime.name], state["unpublished"])
    oldest = GaugeMetricFamily("govit_outbox_oldest_age_seconds", "Age of the oldest unpublished event", labels=labels)
    oldest.add_metric([runtime.name], state["oldest_age_seconds"])
    failing = GaugeMetricFamily("govit_outbox_failing", "Unpublished events that failed at least once", labels=labels)
    failing.add_metric([runtime.name], state["failing"])
    published = CounterMetricFamily("govit_events_published", "Events this process published", labels=labels)
    published.add_metric([runtime.name], runtime.relay.published_total)
    return [unpublished, oldest, failing, published]


async def _consumers(runtime: ServiceRuntime) -> list[Metric]:
    labels = ["service", "stream", "consumer"]
    pending = GaugeMetricFamily("govit_consumer_pending", "Messages JetStream holds for the consumer, not yet delivered", labels=labels)
    ack_pending = GaugeMetricFamily("govit_consumer_ack_pending", "Messages delivered and not yet acknowledged", labels=labels)
    redelivered = GaugeMetricFamily("govit_consumer_redelivered", "Messages delivered more than once and still unacknowledged", labels=labels)
    handled = CounterMetricFamily("govit_events_handled", "Messages this process handled, by outcome",
                                  labels=[*labels, "outcome"])
    for consumer in runtime.consumers:
        key = [runtime.name, consumer.stream.name, consumer.name]
        handled.add_metric([*key, "applied"], consumer.processed_total)
        handled.add_metric([*key, "duplicate"], consumer.duplicates_total)
        handled.add_metric([*key, "parked"], consumer.parked_total)
        if not runtime.broker.connected:
            # Asking a broker that is away would hold the scrape past Prometheus's timeout, and the
            # outbox backlog is what the operator needs to see then.
            continue
        try:
            info = await runtime.broker.js.consumer_info(  # type: ignore[union-attr]
                consumer.stream.name, consumer.name, timeout=JETSTREAM_TIMEOUT_SECONDS)
        except Exception as exc:
            # A scrape with one consumer missing beats a failed scrape: readiness reports the broker.
            log.warning("metrics: no consumer info for %s: %r", consumer.name, exc)
            continue
        pending.add_metric(key, info.num_pending or 0)
        ack_pending.add_metric(key, info.num_ack_pending or 0)
        redelivered.add_metric(key, info.num_redelivered or 0)
    return [pending, ack_pending, redelivered, handled]


async def _parked(runtime: ServiceRuntime) -> list[Metric]:
    parked = GaugeMetricFamily("govit_parked_messages", "Messages parked for an operator and not replayed",
                               labels=["service", "consumer"])
    async with runtime.sessions() as session:
        rows = (await session.execute(
            select(ParkedMessage.consumer, func.count()).where(ParkedMessage.replayed_at.is_(None))
            .group_by(ParkedMessage.consumer))).all()
    counts = {consumer: count for consumer, count in rows}
    for consumer in runtime.consumers:
        counts.setdefault(consumer.name, 0)
    for consumer, count in sorted(counts.items()):
        parked.add_metric([runtime.name, consumer], count)
    return [parked]


SHARED_SOURCES: tuple[MetricSource, ...] = (_outbox, _consumers, _parked)


async def render(runtime: ServiceRuntime, extra: Iterable[MetricSource] = ()) -> bytes:
    families: list[Metric] = []
    for source in (*SHARED_SOURCES, *extra):
        families.extend(await source(runtime))
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot(families))  # type: ignore[arg-type]
    return generate_latest(registry)
