"""What an operator does with parked messages: list them, read one, replay it.

A replay runs the message through the same consumer path as a delivery (inbox included),
in this process, so it reaches only the consumer that parked it and a message applied in
the meantime is not applied twice.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts.envelope import Envelope, EnvelopeError
from servicekit.consumer import Consumer
from servicekit.tables import ParkedMessage


class ReplayError(Exception):
    pass


class ParkingLot:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], consumers: list[Consumer]) -> None:
        self._sessions = sessions
        self._consumers = {consumer.name: consumer for consumer in consumers}

    async def list(self, include_replayed: bool = False, limit: int = 100) -> list[ParkedMessage]:
        query = select(ParkedMessage).order_by(ParkedMessage.id).limit(limit)
        if not include_replayed:
            query = query.where(ParkedMessage.replayed_at.is_(None))
        async with self._sessions() as session:
            return list((await session.execute(query)).scalars().all())

    async def get(self, parked_id: int) -> ParkedMessage | None:
        async with self._sessions() as session:
            return await session.get(ParkedMessage, parked_id)

    async def replay(self, parked_id: int) -> ParkedMessage:
        """Apply a parked message again; raises :class:`ReplayError` and keeps it parked on failure."""
        parked = await self.get(parked_id)
        if parked is None:
            raise LookupError(parked_id)
        if parked.replayed_at is not None:
            raise ReplayError(f"parked message {parked_id} was already replayed at {parked.replayed_at.isoformat()}")
        consumer = self._consumers.get(parked.consumer)
        if consumer is None:
            raise ReplayError(f"no consumer {parked.consumer!r} in this service")
        error: str | None = None
        try:
            await consumer.apply(Envelope.from_message(parked.headers, parked.payload))
        except EnvelopeError as exc:
            error = f"still not a valid event: {exc}"
        except Exception as exc:
            error = repr(exc)
        async with self._sessions() as session, session.begin():
            row = await session.get(ParkedMessage, parked_id, with_for_update=True)
            assert row is not None
            if error is None:
                row.replayed_at = datetime.now(timezone.utc)
                row.replay_error = None
            else:
                row.replay_error = error
        if error is not None:
            raise ReplayError(error)
        return await self.get(parked_id)  # type: ignore[return-value]
