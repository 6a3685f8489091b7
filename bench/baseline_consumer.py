"""The event path's baseline: a bare JetStream pull consumer whose effect is one committed row.

It is what an event hop costs with nothing of the platform around it (no envelope, no inbox, no
handler, no audit, no outbox relay): JetStream with the platform's stream settings, a durable
pull consumer with explicit acks fetching as the services do, one INSERT per message committed
before the ack, against the same PostgreSQL and NATS in the same run.

    BASELINE_DSN=postgresql://… BASELINE_NATS_URL=nats://… python bench/baseline_consumer.py
"""

from __future__ import annotations

import asyncio
import os
import signal
import time

import asyncpg
import nats
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from contracts.streams import StreamSpec
from servicekit.jetstream import stream_config

STREAM = StreamSpec("BENCH", "bench", "Benchmark baseline events")
DURABLE = "bench-baseline"
FETCH_BATCH = 20  # the services' consumer_fetch_batch default, so both fetch alike

TABLE = """
CREATE TABLE IF NOT EXISTS baseline_effect (event_id text PRIMARY KEY, run text NOT NULL,
                                            published_at timestamptz NOT NULL, received_at timestamptz NOT NULL);
CREATE INDEX IF NOT EXISTS baseline_effect_run ON baseline_effect (run);
"""


async def main() -> None:
    connection = await asyncpg.connect(os.environ["BASELINE_DSN"])
    await connection.execute(TABLE)
    nc = await nats.connect(os.environ["BASELINE_NATS_URL"])
    js = nc.jetstream()
    await js.add_stream(stream_config(STREAM))
    await js.add_consumer(STREAM.name, ConsumerConfig(durable_name=DURABLE, deliver_policy=DeliverPolicy.ALL,
                                                      ack_policy=AckPolicy.EXPLICIT, ack_wait=30, max_ack_pending=1000))
    subscription = await js.pull_subscribe_bind(durable=DURABLE, stream=STREAM.name)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    try:
        while not stop.is_set():
            try:
                messages = await subscription.fetch(FETCH_BATCH, timeout=1)
            except (NatsTimeoutError, asyncio.TimeoutError):
                continue
            for message in messages:
                received = time.time()
                headers = message.headers or {}
                async with connection.transaction():
                    await connection.execute(
                        "INSERT INTO baseline_effect (event_id, run, published_at, received_at) "
                        "VALUES ($1, $2, to_timestamp($3), to_timestamp($4)) ON CONFLICT DO NOTHING",
                        headers["Nats-Msg-Id"], headers["bench-run"], float(headers["bench-published"]), received)
                await message.ack()
    finally:
        await nc.close()
        await connection.close()


if __name__ == "__main__":
    asyncio.run(main())
