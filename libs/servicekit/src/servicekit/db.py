"""Async database access and the unit of work every write goes through.

A unit of work is one transaction: the handler changes state and emits events; on commit,
the events' outbox rows commit with the change, and the relay is woken to publish them.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from contracts.base import Event
from contracts.envelope import Envelope
from servicekit import audit
from servicekit.clock import Clock
from servicekit.tables import OutboxMessage
from servicekit.telemetry import current_trace_headers, trace_id_of


def make_engine(url: str, pool_size: int = 10) -> AsyncEngine:
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


class UnitOfWork:
    """``async with uow_factory() as uow: …; uow.emit(event); await uow.commit()``.

    Leaving the block without commit rolls everything back, events included.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        source: str,
        clock: Clock,
        on_commit: Callable[[], None],
    ) -> None:
        self._sessions = sessions
        self._source = source
        self.clock = clock
        self._on_commit = on_commit
        self.session: AsyncSession
        self.emitted: list[Envelope] = []
        self.cause: Envelope | None = None
        self._audit = audit.AuditCollector()

    async def __aenter__(self) -> "UnitOfWork":
        self.session = self._sessions()
        event.listen(self.session.sync_session, "after_flush", self._audit.after_flush)
        await self.session.begin()
        return self

    def caused_by(self, envelope: Envelope) -> None:
        """This unit of work applies a consumed event: the audit trail names it and its source."""
        self.cause = envelope

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.session.in_transaction():
            await self.session.rollback()
        await self.session.close()

    def emit(self, event: Event) -> Envelope:
        """Stage ``event`` in the outbox of this transaction; it is published only if we commit."""
        envelope = Envelope(data=event, source=self._source, time=self.clock.now(), trace_headers=current_trace_headers())
        self.session.add(
            OutboxMessage(
                event_id=envelope.id,
                event_type=envelope.type,
                subject=envelope.nats_subject,
                headers=envelope.headers(),
                payload=envelope.body(),
            )
        )
        self.emitted.append(envelope)
        return envelope

    async def commit(self) -> None:
        # Every change is in the audit trail of the same transaction, or neither is.
        await self.session.flush()
        if self._audit.changes:
            service = self._source.rstrip("/").rsplit("/", 1)[-1]
            trace = trace_id_of(self.cause.trace_headers) if self.cause else trace_id_of(current_trace_headers())
            await audit.append(self.session, service, self._audit.changes, audit.actor_for(service, self.cause),
                               trace, self.clock.now())
            self._audit.changes = []
        await self.session.commit()
        if self.emitted:
            self._on_commit()


class UnitOfWorkFactory:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], source: str, clock: Clock) -> None:
        self.sessions = sessions
        self.source = source
        self.clock = clock
        self._listeners: list[Callable[[], None]] = []

    def on_commit(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def _committed(self) -> None:
        for listener in self._listeners:
            listener()

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, self.source, self.clock, self._committed)
