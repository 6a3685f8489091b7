"""The outbox relay: publishes committed events to JetStream, in order, and retries failures.

Several replicas may relay from one database: each batch is claimed with
``FOR UPDATE SKIP LOCKED``, so a row is published by one replica at a time. The
``Nats-Msg-Id`` header (= event id) makes a republish after a crash a duplicate that
JetStream drops, so a row published but not yet marked costs nothing.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone

from opentelemetry import trace
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from servicekit import failpoints
from servicekit.jetstream import Broker
from servicekit.tables import OutboxMessage
from servicekit.telemetry import span_from_headers

log = logging.getLogger(__name__)
tracer = trace.get_tracer("servicekit.outbox")


class OutboxRelay:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        broker: Broker,
        *,
        batch_size: int = 100,
        poll_seconds: float = 1.0,
        retry_seconds: tuple[float, ...] = (0.5, 1, 2, 5, 10, 30),
    ) -> None:
        self._sessions = sessions
        self._broker = broker
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._retry_seconds = retry_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.published_total = 0
        self.failed_total = 0
        self.last_error: str | None = None

    def wake(self) -> None:
        self._wake.set()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def _run(self) -> None:
        while True:
            try:
                published = await self.publish_batch()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database may be away; keep the loop alive
                self.last_error = repr(exc)
                log.exception("outbox relay batch failed")
                published = 0
            if published >= self._batch_size:
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll_seconds)
            except TimeoutError:
                pass
            self._wake.clear()

    def _retry_delay(self, attempts: int) -> timedelta:
        index = min(attempts, len(self._retry_seconds)) - 1
        return timedelta(seconds=self._retry_seconds[max(index, 0)])

    async def publish_batch(self) -> int:
        """Publish one batch of due rows; returns how many were published."""
        now = datetime.now(timezone.utc)
        published = 0
        async with self._sessions() as session, session.begin():
            rows = (
                await session.execute(
                    select(OutboxMessage)
                    .where(OutboxMessage.published_at.is_(None))
                    .order_by(OutboxMessage.id)
                    .limit(self._batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).scalars().all()
            for row in rows:
                if row.next_attempt_at is not None and row.next_attempt_at > now:
                    break  # a later row must not overtake one waiting for its retry
                failpoints.reach("outbox.before_publish")
                try:
                    with span_from_headers(tracer, f"{row.subject} publish", row.headers, trace.SpanKind.PRODUCER):
                        await self._broker.publish(row.subject, row.payload, row.headers)
                except Exception as exc:
                    row.attempts += 1
                    row.last_error = repr(exc)
                    row.next_attempt_at = now + self._retry_delay(row.attempts)
                    self.failed_total += 1
                    self.last_error = row.last_error
                    log.warning("publishing %s %s failed (attempt %d): %r", row.event_type, row.event_id, row.attempts, exc)
                    # NATS is most likely away: the rest of the batch waits for the next round.
                    break
                failpoints.reach("outbox.after_publish")
                row.published_at = datetime.now(timezone.utc)
                row.attempts += 1
                published += 1
        self.published_total += published
        return published


async def backlog(sessions: async_sessionmaker[AsyncSession]) -> dict[str, object]:
    """Unpublished rows, how old the oldest is, and how many have failed at least once."""
    async with sessions() as session:
        count, oldest, failing = (
            await session.execute(
                select(
                    func.count(),
                    func.min(OutboxMessage.created_at),
                    func.count().filter(OutboxMessage.attempts > 0),
                ).where(OutboxMessage.published_at.is_(None))
            )
        ).one()
    age = (datetime.now(timezone.utc) - oldest).total_seconds() if oldest else 0.0
    return {"unpublished": count, "oldest_age_seconds": round(age, 3), "failing": failing}

