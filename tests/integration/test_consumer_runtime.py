"""The shared consumer and relay over real NATS and Postgres, with handlers made to fail."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

import nats
import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

from contracts.base import PackRef
from contracts.envelope import Envelope
from contracts.events import AcceptanceFailed
from contracts.streams import ACCEPTANCE
from servicekit.consumer import Subscription
from servicekit.jetstream import Broker
from servicekit.outbox import OutboxRelay, backlog
from servicekit.parking import ReplayError
from servicekit.db import UnitOfWorkFactory
from servicekit.runtime import ServiceRuntime
from servicekit.settings import ServiceSettings
from servicekit.tables import OutboxMessage, ParkedMessage  # noqa: F401  (tables for create_all)

from tests.integration.harness import eventually

pytestmark = pytest.mark.integration


def failure(project_id: str) -> AcceptanceFailed:
    # YF sets off no sanction, so the platform's own consumers of this stream do nothing with it.
    return AcceptanceFailed(
        project_id=project_id, unit_id="U-kit", pack=PackRef(id="YF", version="2020.1"), attempt=1, terminal=False,
        rule_id="YF-18b", concluded_on=date(2026, 11, 2), recorded_at=datetime.now(timezone.utc), reasons=["x"],
    )


class Recorder:
    """A handler that records the events of its own test, and fails for projects named POISON until fixed.

    A new durable consumer reads the stream from its start, so events of earlier tests arrive
    too; they are acknowledged without effect.
    """

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.fixed = False

    def project(self, label: str = "P") -> str:
        return f"{self.prefix}-{label}-{uuid.uuid4().hex[:6]}"

    async def __call__(self, uow, envelope: Envelope) -> None:
        if not envelope.data.project_id.startswith(self.prefix):
            return
        if "-POISON-" in envelope.data.project_id and not self.fixed:
            raise RuntimeError("handler always fails for this project")
        await uow.session.execute(
            text("INSERT INTO kit_effect (event_id, project_id) VALUES (:e, :p)"),
            {"e": envelope.id, "p": envelope.data.project_id},
        )


@pytest.fixture
async def kit(infra, databases, issuer):
    name = f"kit{uuid.uuid4().hex[:6]}"
    settings = ServiceSettings.for_service(name, 8999)(
        database_url=databases["kit"], nats_url=infra.nats_admin_url, consumer_max_deliver=3,
        auth_issuer=issuer.env()["AUTH_ISSUER"], auth_jwks_file=issuer.jwks_file,
        consumer_backoff_seconds=(0.1, 0.1, 0.1), outbox_retry_seconds=(0.1,),
    )
    recorder = Recorder(name)
    runtime = ServiceRuntime(settings, [Subscription(ACCEPTANCE, {AcceptanceFailed: recorder})])
    async with runtime.engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all, tables=[
            SQLModel.metadata.tables[t] for t in ("outbox", "inbox", "parked_message", "clock_state")])
        await connection.execute(text("CREATE TABLE IF NOT EXISTS kit_effect (event_id text, project_id text)"))
    await runtime.start()
    yield runtime, recorder
    await runtime.stop()


async def publish(nats_url: str, envelope: Envelope, msg_id: str | None = None, body: bytes | None = None) -> None:
    headers = envelope.headers()
    if msg_id:
        headers["Nats-Msg-Id"] = msg_id
    nc = await nats.connect(nats_url)
    try:
        await nc.jetstream().publish(envelope.nats_subject, body if body is not None else envelope.body(), headers=headers)
    finally:
        await nc.close()


async def effects(runtime: ServiceRuntime, project_id: str) -> int:
    async with runtime.sessions() as session:
        return (await session.execute(text("SELECT count(*) FROM kit_effect WHERE project_id = :p"), {"p": project_id})).scalar_one()


async def parked(runtime: ServiceRuntime, event_id: str) -> list[ParkedMessage]:
    return [row for row in await runtime.parking.list(include_replayed=True) if row.event_id == event_id]


async def test_a_handler_that_always_fails_is_parked_while_the_next_message_is_processed(infra, kit):
    runtime, recorder = kit
    poison = Envelope(failure(recorder.project("POISON")), source="/services/acceptance")
    good = Envelope(failure(recorder.project()), source="/services/acceptance")
    await publish(infra.nats_admin_url, poison)
    await publish(infra.nats_admin_url, good)

    assert await eventually(lambda: effects(runtime, good.data.project_id), what="the next message applied") == 1
    rows = await eventually(lambda: parked(runtime, poison.id), what="the failing message parked")
    assert rows[0].deliveries == 3 and "handler always fails" in rows[0].error
    assert rows[0].consumer == runtime.consumers[0].name and rows[0].replayed_at is None
    assert await effects(runtime, poison.data.project_id) == 0

    with pytest.raises(ReplayError):
        await runtime.parking.replay(rows[0].id)  # still failing: stays parked, error kept
    assert (await runtime.parking.get(rows[0].id)).replay_error

    recorder.fixed = True
    replayed = await runtime.parking.replay(rows[0].id)
    assert replayed.replayed_at is not None and await effects(runtime, poison.data.project_id) == 1
    with pytest.raises(ReplayError):
        await runtime.parking.replay(rows[0].id)
    assert await effects(runtime, poison.data.project_id) == 1


async def test_a_redelivered_event_is_applied_once(infra, kit):
    runtime, recorder = kit
    envelope = Envelope(failure(recorder.project()), source="/services/acceptance")
    await publish(infra.nats_admin_url, envelope)
    await publish(infra.nats_admin_url, envelope)  # same Nats-Msg-Id: JetStream drops it
    await publish(infra.nats_admin_url, envelope, msg_id=str(uuid.uuid4()))  # gets past JetStream: the inbox stops it
    await eventually(lambda: _at_least(runtime.consumers[0], "duplicates_total", 1), what="the copy skipped")
    assert await effects(runtime, envelope.data.project_id) == 1


async def _at_least(consumer, attribute: str, value: int) -> bool:
    return getattr(consumer, attribute) >= value


async def test_a_message_that_is_not_an_event_is_parked_at_once(infra, kit):
    runtime, recorder = kit
    envelope = Envelope(failure(recorder.project()), source="/services/acceptance")
    await publish(infra.nats_admin_url, envelope, body=b'{"project_id": 42')
    rows = await eventually(lambda: parked(runtime, envelope.id), what="the poison message parked")
    assert rows[0].deliveries == 1 and rows[0].error.startswith("poison message")


async def test_the_relay_keeps_what_it_cannot_publish_and_publishes_it_later(infra, kit):
    runtime, recorder = kit
    await runtime.relay.stop()
    project_id = recorder.project()
    # the kit stands in for the acceptance service here: only acceptance's AcceptanceFailed is believed
    as_acceptance = UnitOfWorkFactory(runtime.sessions, "/services/acceptance", runtime.clock)
    async with as_acceptance() as uow:
        envelope = uow.emit(failure(project_id))
        await uow.commit()

    unreachable = OutboxRelay(runtime.sessions, Broker("nats://127.0.0.1:9", "nowhere"), retry_seconds=(0.1,))
    assert await unreachable.publish_batch() == 0
    state = await backlog(runtime.sessions)
    assert state["unpublished"] >= 1 and state["failing"] >= 1
    async with runtime.sessions() as session:
        row = (await session.execute(text("SELECT attempts, last_error FROM outbox WHERE event_id = :e"), {"e": envelope.id})).one()
    assert row.attempts == 1 and "not connected" in row.last_error

    runtime.relay.start()
    assert await eventually(lambda: effects(runtime, project_id), what="the event published and consumed") == 1
    assert (await backlog(runtime.sessions))["unpublished"] == 0


async def test_an_event_from_a_service_that_does_not_own_its_type_is_not_believed(infra, kit):
    runtime, recorder = kit
    forged = Envelope(failure(recorder.project("FORGED")), source="/services/intake")
    await publish(infra.nats_admin_url, forged)
    rows = await eventually(lambda: parked(runtime, forged.id), what="the forged event parked")
    assert "untrusted source" in rows[0].error and "/services/acceptance" in rows[0].error
    assert await effects(runtime, forged.data.project_id) == 0
