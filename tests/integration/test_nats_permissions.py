"""Each service's NATS user publishes only its own event types and reads only its own consumers,
so no service can forge another's events or take its deliveries."""

from __future__ import annotations

import asyncio

import nats
import pytest
from nats.errors import Error as NatsError

from servicekit.nats_auth import inbox_prefix

pytestmark = pytest.mark.integration


async def connect_as(infra, party: str):
    if infra.nats_passwords is None:
        pytest.skip("the NATS server of this run was not started by the harness, so its users are not ours")
    errors: list[str] = []

    async def on_error(exc: Exception) -> None:
        errors.append(str(exc))

    nc = await nats.connect(infra.nats_url, user=party, password=infra.nats_passwords[party],
                            inbox_prefix=inbox_prefix(party), error_cb=on_error, max_reconnect_attempts=0)
    return nc, errors


async def violations(errors: list[str]) -> list[str]:
    for _ in range(50):
        if errors:
            break
        await asyncio.sleep(0.05)
    return [e for e in errors if "permissions violation" in e.lower()]


async def test_a_service_cannot_publish_another_contexts_event(infra):
    nc, errors = await connect_as(infra, "intake")
    try:
        await nc.publish("acceptance.project.failed.v1", b"{}")
        await nc.flush()
        assert await violations(errors), errors
    finally:
        await nc.close()


async def test_a_service_cannot_pull_from_another_services_consumer(infra):
    nc, errors = await connect_as(infra, "intake")
    try:
        with pytest.raises(NatsError):
            await nc.request("$JS.API.CONSUMER.MSG.NEXT.ACCEPTANCE.procurement-from-acceptance", b'{"batch":1}', timeout=1)
        assert await violations(errors), errors
    finally:
        await nc.close()


async def test_a_service_cannot_read_another_services_replies(infra):
    nc, errors = await connect_as(infra, "intake")
    try:
        await nc.subscribe(f"{inbox_prefix('procurement')}.>")
        await nc.flush()
        assert await violations(errors), errors
    finally:
        await nc.close()


async def test_a_service_cannot_delete_a_stream(infra):
    nc, errors = await connect_as(infra, "notify")
    try:
        with pytest.raises(NatsError):
            await nc.request("$JS.API.STREAM.DELETE.ACCEPTANCE", b"", timeout=1)
        assert await violations(errors), errors
    finally:
        await nc.close()


async def test_a_service_reads_its_own_consumer(infra, platform):
    nc, errors = await connect_as(infra, "procurement")
    try:
        reply = await nc.request("$JS.API.CONSUMER.INFO.ACCEPTANCE.procurement-from-acceptance", b"", timeout=5)
        assert b"procurement-from-acceptance" in reply.data
        assert not await violations(errors)
    finally:
        await nc.close()
