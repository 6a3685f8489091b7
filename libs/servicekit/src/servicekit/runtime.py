"""Everything one service process runs besides its own routes: database, clock, broker,
outbox relay, consumers and parking lot, started and stopped together."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from sqlalchemy import text

from servicekit.backlog import Backlog
from servicekit.clock import Clock, MovableClock, SystemClock
from servicekit.consumer import Consumer, ConsumerPolicy, Subscription
from servicekit.db import UnitOfWorkFactory, make_engine, make_session_factory
from servicekit.jetstream import Broker
from servicekit.metrics import MetricSource
from servicekit.nats_auth import inbox_prefix
from servicekit.outbox import OutboxRelay
from servicekit.parking import ParkingLot
from servicekit.policy import load_policy
from servicekit.settings import ServiceSettings
from servicekit.tables import ClockState

log = logging.getLogger(__name__)

_current: ServiceRuntime | None = None


def current() -> ServiceRuntime:
    """This process's runtime: an event handler that must ask the broker (``backlog``) reaches it here."""
    if _current is None:
        raise RuntimeError("no service runtime in this process")
    return _current


class ServiceRuntime:
    def __init__(self, settings: ServiceSettings, subscriptions: Sequence[Subscription] = (),
                 background: Sequence[Callable[[ServiceRuntime], Awaitable[None]]] = (),
                 metric_sources: Sequence[MetricSource] = ()) -> None:
        self.settings = settings
        self.name = settings.service_name
        self.policy = load_policy(settings)
        self.clock: Clock = MovableClock() if settings.clock_mode == "movable" else SystemClock()
        self.engine = make_engine(settings.database_url, settings.database_pool_size)
        self.sessions = make_session_factory(self.engine)
        self.units = UnitOfWorkFactory(self.sessions, settings.source, self.clock)
        self.broker = Broker(settings.nats_url, f"{self.name}@{settings.instance_id}", user=settings.nats_user,
                             password=settings.nats_password, inbox_prefix=inbox_prefix(self.name),
                             replicas=settings.jetstream_replicas)
        self.relay = OutboxRelay(
            self.sessions,
            self.broker,
            batch_size=settings.outbox_batch_size,
            poll_seconds=settings.outbox_poll_seconds,
            retry_seconds=settings.outbox_retry_seconds,
        )
        self.units.on_commit(self.relay.wake)
        policy = ConsumerPolicy(
            max_deliver=settings.consumer_max_deliver,
            backoff_seconds=settings.consumer_backoff_seconds,
            ack_wait_seconds=settings.consumer_ack_wait_seconds,
            fetch_batch=settings.consumer_fetch_batch,
        )
        self.consumers = [Consumer(self.name, sub, self.broker, self.units, policy) for sub in subscriptions]
        self.parking = ParkingLot(self.sessions, self.consumers)
        self.backlog = Backlog(self.broker, self.consumers, self.sessions)
        self._background = list(background)
        self.metric_sources = list(metric_sources)
        self._tasks: list[asyncio.Task[None]] = []
        global _current
        _current = self

    async def start(self) -> None:
        if isinstance(self.clock, MovableClock):
            await self._load_clock()
        await self.broker.connect()
        await self.broker.ensure_streams()
        self.relay.start()
        for consumer in self.consumers:
            await consumer.start()
        self._tasks = [asyncio.create_task(self._keep_running(work), name=f"{self.name}-{work.__name__}")
                       for work in self._background]
        log.info("%s started with %d consumer(s)", self.name, len(self.consumers))

    async def _keep_running(self, work: Callable[[ServiceRuntime], Awaitable[None]]) -> None:
        """A background loop that fails is logged and started again: a scheduler must not die quietly."""
        while True:
            try:
                await work(self)
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s: background %s failed; restarting it", self.name, work.__name__)
                await asyncio.sleep(1)

    async def _stop_background(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass

    async def stop(self, step_timeout: float = 10) -> None:
        """Stop in order; each step is bounded so a stuck connection cannot hold a shutdown past
        the orchestrator's grace period (what is unacked is redelivered; the outbox keeps the rest)."""
        steps = [self._stop_background(), *(consumer.stop() for consumer in self.consumers), self.relay.stop(), self.broker.close(), self.engine.dispose()]
        for step in steps:
            try:
                await asyncio.wait_for(step, step_timeout)
            except (TimeoutError, asyncio.TimeoutError):
                log.warning("%s: a shutdown step took over %.0fs; moving on", self.name, step_timeout)

    async def database_ok(self) -> bool:
        try:
            async with self.sessions() as session:
                await session.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    async def _load_clock(self) -> None:
        assert isinstance(self.clock, MovableClock)
        async with self.sessions() as session:
            state = await session.get(ClockState, 1)
        if state is not None:
            self.clock.offset = timedelta(seconds=state.offset_seconds)

    async def advance_clock(self, delta: timedelta) -> None:
        if not isinstance(self.clock, MovableClock):
            raise RuntimeError("the clock is not movable (CLOCK_MODE=system)")
        self.clock.advance(delta)
        async with self.sessions() as session, session.begin():
            state = await session.get(ClockState, 1, with_for_update=True)
            if state is None:
                session.add(ClockState(id=1, offset_seconds=self.clock.offset.total_seconds()))
            else:
                state.offset_seconds = self.clock.offset.total_seconds()
