"""How many delivered-or-waiting events about a subject a service has not applied yet.

A service that answers from a projection (procurement's hold ledger) must not say "nothing
stands in the way" while an event that would change the answer sits in its stream unapplied.
A consumer with nothing pending or unacknowledged has applied all it was given. For one that has,
this reads the stream from the consumer's ack floor, type by type (``next_by_subj`` skips the
types it does not take), and counts the messages whose CloudEvents subject is one asked about and
that the inbox has not recorded; parked messages about the subject count too, as they were never
applied. Beyond ``limit`` messages it stops and says "unknown" (-1), so the caller fails closed
instead of scanning a backlog at the annual peak.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

from nats.js.errors import NotFoundError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts.envelope import H_ID, H_SUBJECT
from servicekit.consumer import Consumer
from servicekit.jetstream import Broker
from servicekit.tables import InboxMessage, ParkedMessage

UNKNOWN = -1
log = logging.getLogger(__name__)


class Backlog:
    def __init__(self, broker: Broker, consumers: Sequence[Consumer], sessions: async_sessionmaker[AsyncSession],
                 limit: int = 500) -> None:
        self._broker = broker
        self._consumers = consumers
        self._sessions = sessions
        self.limit = limit

    async def unapplied(self, contexts: Iterable[str], subjects: Iterable[str]) -> int:
        """Events of the consumers reading ``contexts`` about any of ``subjects`` not applied yet,
        or ``UNKNOWN`` when the broker cannot say or the backlog is past ``limit``."""
        wanted, contexts = set(subjects), set(contexts)
        consumers = [c for c in self._consumers if c.stream.context in contexts]
        js = self._broker.js
        if js is None:
            return UNKNOWN
        candidates: dict[str, set[str]] = {}
        looked = 0
        try:
            for consumer in consumers:
                info = await js.consumer_info(consumer.stream.name, consumer.name)
                if not info.num_pending and not info.num_ack_pending:
                    continue
                ids = candidates.setdefault(consumer.name, set())
                floor = info.ack_floor.stream_seq or 0 if info.ack_floor else 0
                # Only the types the consumer takes, jumping over the rest of the stream (next_by_subj).
                for event_type in sorted(consumer.handlers):
                    seq = floor + 1
                    while True:
                        try:
                            message = await js.get_msg(consumer.stream.name, seq=seq, subject=event_type, next=True)
                        except NotFoundError:
                            break
                        headers = message.headers or {}
                        if headers.get(H_SUBJECT) in wanted and headers.get(H_ID):
                            ids.add(headers[H_ID])
                        seq = (message.seq or seq) + 1
                        looked += 1
                        if looked > self.limit:
                            return UNKNOWN
        except Exception:
            log.warning("could not read the backlog of %s; answering unknown", [c.name for c in consumers], exc_info=True)
            return UNKNOWN
        count = 0
        async with self._sessions() as session:
            for name, ids in candidates.items():
                if ids:
                    applied = set((await session.execute(select(InboxMessage.event_id).where(
                        InboxMessage.consumer == name, InboxMessage.event_id.in_(ids)))).scalars())
                    count += len(ids - applied)
            parked = (await session.execute(select(ParkedMessage.headers).where(
                ParkedMessage.consumer.in_([c.name for c in consumers]), ParkedMessage.replayed_at.is_(None)))).scalars()
            count += sum(1 for headers in parked if headers.get(H_SUBJECT) in wanted)
        return count

    async def last_applied(self, contexts: Iterable[str]) -> datetime | None:
        """When the consumers reading ``contexts`` last applied an event."""
        contexts = set(contexts)
        names = [c.name for c in self._consumers if c.stream.context in contexts]
        async with self._sessions() as session:
            return (await session.execute(select(func.max(InboxMessage.processed_at)).where(
                InboxMessage.consumer.in_(names)))).scalar_one_or_none()
