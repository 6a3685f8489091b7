"""Durable pull consumers: at-least-once delivery made effectively-once by the inbox.

One durable consumer per (service, source stream), filtered to the event types the service
handles; every replica of the service pulls from the same durable, so JetStream spreads the
work and a message held by a dead replica is redelivered after ``ack_wait``.

Per message: the handler's effect and the inbox row commit in one transaction, then the
message is acked. A redelivery finds the inbox row and is acked with no second effect. A
failure is nak'ed with a growing delay; after ``max_deliver`` attempts the message is parked
with its error and terminated, so the consumer moves on and an operator can replay it.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from opentelemetry import trace
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from contracts.base import Event
from contracts.envelope import Envelope, EnvelopeError
from contracts.streams import StreamSpec
from servicekit import failpoints
from servicekit.db import UnitOfWork, UnitOfWorkFactory
from servicekit.jetstream import Broker
from servicekit.tables import InboxMessage, ParkedMessage
from servicekit.telemetry import span_from_headers, trace_id_of

log = logging.getLogger(__name__)
tracer = trace.get_tracer("servicekit.consumer")

Handler = Callable[[UnitOfWork, Envelope], Awaitable[None]]
"""Applies one event inside the given unit of work; the consumer commits."""


@dataclass(frozen=True)
class Subscription:
    """The events of one stream a service reacts to, each routed to its handler."""

    stream: StreamSpec
    handlers: Mapping[type[Event], Handler]


@dataclass(frozen=True)
class ConsumerPolicy:
    max_deliver: int = 5
    backoff_seconds: tuple[float, ...] = (0.5, 2, 5, 15, 30)
    ack_wait_seconds: float = 30
    fetch_batch: int = 20

    def delay_after(self, deliveries: int) -> float:
        index = min(deliveries, len(self.backoff_seconds)) - 1
        return self.backoff_seconds[max(index, 0)]


TRANSIENT_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")
"""Connection failures, shutdowns, "the database system is starting up", too many connections."""


def infrastructure_unavailable(exc: BaseException) -> bool:
    """The database cannot be reached or is restarting: nothing the message could change."""
    for error in (exc, getattr(exc, "orig", None), exc.__cause__):
        if error is None:
            continue
        if isinstance(error, (ConnectionError, OSError, asyncio.TimeoutError)) and not isinstance(error, FileNotFoundError):
            return True
        if getattr(error, "connection_invalidated", False):
            return True
        state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
        if isinstance(state, str) and state.startswith(TRANSIENT_SQLSTATES):
            return True
        if type(error).__name__ in ("CannotConnectNowError", "ConnectionDoesNotExistError", "InterfaceError",
                                    "ConnectionFailureError", "AdminShutdownError", "CrashShutdownError"):
            return True
    return False


class Consumer:
    def __init__(
        self,
        service: str,
        subscription: Subscription,
        broker: Broker,
        units: UnitOfWorkFactory,
        policy: ConsumerPolicy,
    ) -> None:
        self.service = service
        self.stream = subscription.stream
        self.name = f"{service}-from-{subscription.stream.context}"
        self.handlers = {cls.TYPE: handler for cls, handler in subscription.handlers.items()}
        self._broker = broker
        self._units = units
        self._policy = policy
        self._task: asyncio.Task[None] | None = None
        self.last_fetch_ok: float | None = None
        self.processed_total = 0
        self.duplicates_total = 0
        self.parked_total = 0

    def config(self) -> ConsumerConfig:
        return ConsumerConfig(
            name=self.name,
            durable_name=self.name,
            description=f"{self.service} reacting to {self.stream.name}",
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self._policy.ack_wait_seconds,
            # Beyond the attempts after which we park, a few spare deliveries cover a process
            # that died mid-handling, so the message still reaches the parking step.
            max_deliver=self._policy.max_deliver + 3,
            filter_subjects=sorted(self.handlers),
            max_ack_pending=1000,
        )

    @property
    def healthy(self) -> bool:
        running = self._task is not None and not self._task.done()
        recent = self.last_fetch_ok is not None and time.monotonic() - self.last_fetch_ok < 15
        return running and recent

    async def start(self) -> None:
        assert self._broker.js is not None
        await self._broker.js.add_consumer(self.stream.name, self.config())
        self._sub = await self._broker.js.pull_subscribe_bind(durable=self.name, stream=self.stream.name)
        self.last_fetch_ok = time.monotonic()
        self._task = asyncio.create_task(self._run(), name=f"consumer-{self.name}")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        if getattr(self, "_sub", None) is not None:
            try:
                await self._sub.unsubscribe()
            except Exception:
                pass

    async def _run(self) -> None:
        while True:
            try:
                messages = await self._sub.fetch(self._policy.fetch_batch, timeout=2)
            except (NatsTimeoutError, asyncio.TimeoutError):
                self.last_fetch_ok = time.monotonic()
                continue
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("fetch from %s failed; retrying", self.name)
                await asyncio.sleep(1)
                continue
            self.last_fetch_ok = time.monotonic()
            for message in messages:
                try:
                    await self.handle(message)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("handling a message of %s failed; it will be redelivered", self.name)
                    try:
                        await message.nak(delay=self._policy.delay_after(message.metadata.num_delivered))
                    except Exception:
                        pass

    async def handle(self, message: Msg) -> None:
        headers = message.headers or {}
        deliveries = message.metadata.num_delivered
        with span_from_headers(tracer, f"{message.subject} process", headers, trace.SpanKind.CONSUMER) as span:
            span.set_attribute("messaging.consumer.group.name", self.name)
            span.set_attribute("messaging.message.id", headers.get("ce-id", ""))
            try:
                envelope = Envelope.from_message(headers, message.data)
            except EnvelopeError as exc:
                # It will never parse, so retrying cannot help: park it now.
                await self._park(message, f"poison message: {exc}", deliveries)
                return
            expected = f"/services/{envelope.data.producer()}"
            if envelope.source != expected:
                # Only the owning context publishes a type: an event from anywhere else is not
                # believed, whatever it says about who acted (the subject permissions of the
                # NATS users keep other services from publishing it in the first place).
                await self._park(message, f"untrusted source: {envelope.type} must come from {expected}, "
                                          f"not {envelope.source}", deliveries)
                return
            failure = await self._apply_through_outages(message, envelope)
            if failure is not None:
                exc = failure
                span.record_exception(exc)
                if deliveries >= self._policy.max_deliver:
                    await self._park(message, "".join(traceback.format_exception(exc)), deliveries)
                else:
                    delay = self._policy.delay_after(deliveries)
                    log.warning(
                        "handling %s failed (delivery %d of %d), retrying in %.1fs: %r",
                        envelope.type, deliveries, self._policy.max_deliver, delay, exc,
                        extra={"event_id": envelope.id, "consumer": self.name},
                    )
                    await message.nak(delay=delay)
                return
        failpoints.reach("consumer.after_effect")
        await message.ack()

    async def _apply_through_outages(self, message: Msg, envelope: Envelope) -> Exception | None:
        """Apply ``envelope``, waiting out an unavailable database with the delivery kept alive: its
        attempts are for faults of the message, and spending them on an outage would let JetStream
        give up on a message nobody parked. Returns the message's own failure, if any."""
        waited = 0
        while True:
            try:
                await self.apply(envelope)
                return None
            except Exception as exc:
                if not infrastructure_unavailable(exc):
                    return exc
                waited += 1
                delay = min(30.0, 0.25 * 2 ** min(waited, 7))
                log.warning("handling %s waits for the database (attempt %d, next in %.1fs): %r",
                            envelope.type, waited, delay, exc, extra={"event_id": envelope.id, "consumer": self.name})
                try:
                    await message.in_progress()
                except Exception:
                    pass  # NATS away too: a redelivery after ack_wait is applied once (the inbox)
                await asyncio.sleep(delay)

    async def apply(self, envelope: Envelope) -> bool:
        """Apply ``envelope`` once; returns False when it had already been applied."""
        handler = self.handlers.get(envelope.type)
        async with self._units() as uow:
            claimed = await uow.session.execute(
                insert(InboxMessage)
                .values(
                    consumer=self.name,
                    event_id=envelope.id,
                    event_type=envelope.type,
                    trace_id=trace_id_of(envelope.trace_headers),
                )
                .on_conflict_do_nothing()
                .returning(InboxMessage.event_id)
            )
            if claimed.first() is None:
                self.duplicates_total += 1
                log.info("%s %s already applied; skipping", envelope.type, envelope.id, extra={"event_id": envelope.id})
                return False
            if handler is not None:
                uow.caused_by(envelope)
                await handler(uow, envelope)
            await uow.commit()
        self.processed_total += 1
        return True

    async def _park(self, message: Msg, error: str, deliveries: int) -> None:
        headers = dict(message.headers or {})
        sequence = message.metadata.sequence.stream
        async with self._units() as uow:
            # A crash between parking and term() redelivers the message: it is parked once.
            already = (await uow.session.execute(select(ParkedMessage.id).where(
                ParkedMessage.consumer == self.name, ParkedMessage.stream == self.stream.name,
                ParkedMessage.stream_sequence == sequence))).first()
            if already is not None:
                await message.term()
                return
            uow.session.add(
                ParkedMessage(
                    consumer=self.name,
                    stream=self.stream.name,
                    subject=message.subject,
                    stream_sequence=sequence,
                    event_id=headers.get("ce-id"),
                    event_type=headers.get("ce-type"),
                    headers=headers,
                    payload=message.data,
                    error=error[-8000:],
                    deliveries=deliveries,
                )
            )
            await uow.commit()
        self.parked_total += 1
        log.error("parked %s from %s after %d deliveries: %s", message.subject, self.name, deliveries, error.splitlines()[-1] if error else "")
        await message.term()
