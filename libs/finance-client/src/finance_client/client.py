"""What the finance bureau's system does with the platform: keep the holds in force, and ask before paying.

It reads the ``FINANCE`` stream through its own durable consumer (``finance-system-from-finance``)
as the ``finance-system`` NATS user, believes hold and answer events only from procurement, and
asks by publishing ``PaymentClearanceRequested``; the answer comes back on the same stream. Every
message is a CloudEvents 1.0 event (``ce-*`` headers, JSON body) whose schema is in
``docs/asyncapi.yaml``, so a system in another language does the same with any NATS client.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

import nats
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from contracts.envelope import Envelope, EnvelopeError
from contracts.events import FinanceHoldPlaced, FinanceHoldReleased, PaymentClearanceAnswered, PaymentClearanceRequested
from contracts.streams import FINANCE

PARTY = "finance-system"
DURABLE = f"{PARTY}-from-finance"
TRUSTED_SOURCE = "/services/procurement"
FOLLOWED = (FinanceHoldPlaced, FinanceHoldReleased, PaymentClearanceAnswered)


@dataclass
class HoldBook:
    """The holds in force, built from the events alone: what a finance system keeps beside its ledger."""

    placed: dict[str, FinanceHoldPlaced] = field(default_factory=dict)
    released: dict[str, FinanceHoldReleased] = field(default_factory=dict)
    answers: dict[str, PaymentClearanceAnswered] = field(default_factory=dict)

    def apply(self, envelope: Envelope) -> None:
        event = envelope.data
        if isinstance(event, FinanceHoldPlaced):
            self.placed[event.hold_id] = event
        elif isinstance(event, FinanceHoldReleased):
            self.released[event.hold_id] = event
        elif isinstance(event, PaymentClearanceAnswered):
            self.answers[event.request_id] = event

    def in_force(self, project_id: str, today: date | None = None) -> list[FinanceHoldPlaced]:
        day = today or datetime.now(timezone.utc).date()
        return [h for h in self.placed.values() if h.project_id == project_id and h.hold_id not in self.released
                and (h.expires_on is None or day <= h.expires_on)]


class FinanceClient:
    def __init__(self, nats_url: str, *, user: str | None = PARTY, password: str | None = None) -> None:
        self._url, self._user, self._password = nats_url, user, password
        self.book = HoldBook()
        self.untrusted: list[str] = []
        """Ids of events refused because they did not come from procurement."""
        self._nc: nats.NATS | None = None
        self._sub = None

    async def connect(self) -> FinanceClient:
        options = {"user": self._user, "password": self._password} if self._password else {}
        self._nc = await nats.connect(self._url, name=PARTY, inbox_prefix=f"_INBOX_{PARTY.replace('-', '_')}", **options)
        js = self._nc.jetstream()
        await js.add_consumer(FINANCE.name, ConsumerConfig(
            name=DURABLE, durable_name=DURABLE, deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.EXPLICIT,
            ack_wait=30, filter_subjects=sorted(cls.TYPE for cls in FOLLOWED)))
        self._sub = await js.pull_subscribe_bind(durable=DURABLE, stream=FINANCE.name)
        return self

    async def close(self) -> None:
        if self._sub is not None:
            await self._sub.unsubscribe()
        if self._nc is not None:
            await self._nc.close()

    async def __aenter__(self) -> FinanceClient:
        return await self.connect()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def sync(self, wait: float = 0.5) -> int:
        """Apply what the stream holds for us now; returns how many events were applied."""
        assert self._sub is not None, "connect() first"
        applied = 0
        while True:
            try:
                messages = await self._sub.fetch(100, timeout=wait)
            except (NatsTimeoutError, asyncio.TimeoutError):
                return applied
            for message in messages:
                try:
                    envelope = Envelope.from_message(message.headers, message.data)
                except EnvelopeError:
                    await message.term()  # never readable: a finance system logs it for its operators
                    continue
                if envelope.source != TRUSTED_SOURCE:
                    self.untrusted.append(envelope.id)
                else:
                    self.book.apply(envelope)
                    applied += 1
                await message.ack()

    async def ask(self, project_id: str, milestone: str, amount_fen: int, *, contract_id: str | None = None,
                  request_id: str | None = None, timeout: float = 20) -> PaymentClearanceAnswered:
        """Ask whether a payment may be made now and wait for procurement's answer."""
        assert self._nc is not None, "connect() first"
        request = PaymentClearanceRequested(
            request_id=request_id or f"pay-{uuid.uuid4().hex}", project_id=project_id, contract_id=contract_id,
            milestone=milestone, amount_fen=amount_fen, requested_at=datetime.now(timezone.utc))  # type: ignore[arg-type]
        envelope = Envelope(data=request, source=f"/services/{PARTY}")
        await self._nc.jetstream().publish(envelope.nats_subject, envelope.body(), headers=envelope.headers())
        deadline = asyncio.get_running_loop().time() + timeout
        while request.request_id not in self.book.answers:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"no answer to {request.request_id} within {timeout}s")
            await self.sync(wait=0.3)
        return self.book.answers.pop(request.request_id)

    async def until(self, probe: Callable[[HoldBook], Any], timeout: float = 20) -> Any:
        """Sync until ``probe(book)`` is truthy; returns its value."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            await self.sync(wait=0.3)
            value = probe(self.book)
            if value:
                return value
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError("the finance stream did not show what was expected")
