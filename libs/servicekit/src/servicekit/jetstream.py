"""The JetStream connection, stream set-up and publishing.

Every service declares all streams on start with the same configuration, so the order in
which services start does not matter and a fresh NATS needs no separate set-up step.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError

from contracts.streams import DUPLICATE_WINDOW_SECONDS, STREAMS, StreamSpec

log = logging.getLogger(__name__)

MIN_SERVER_VERSION = (2, 10)
"""Consumers filter on several subjects, which JetStream supports from 2.10."""


def stream_config(spec: StreamSpec, replicas: int = 1) -> StreamConfig:
    return StreamConfig(
        name=spec.name,
        description=spec.description,
        subjects=spec.subjects,
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        duplicate_window=DUPLICATE_WINDOW_SECONDS,
        num_replicas=replicas,
    )


class Broker:
    """One NATS connection per process, with its JetStream context."""

    def __init__(self, url: str, name: str, *, user: str | None = None, password: str | None = None,
                 inbox_prefix: str = "_INBOX", replicas: int = 1) -> None:
        self.url = url
        self.replicas = replicas
        self.name = name
        self._credentials = {"user": user, "password": password} if user else {}
        self._inbox_prefix = inbox_prefix
        self.nc: Client | None = None
        self.js: JetStreamContext | None = None

    @property
    def connected(self) -> bool:
        return self.nc is not None and self.nc.is_connected

    async def connect(self) -> None:
        self.nc = await nats.connect(
            self.url,
            name=self.name,
            max_reconnect_attempts=-1,
            reconnect_time_wait=1,
            connect_timeout=5,
            inbox_prefix=self._inbox_prefix,
            **self._credentials,
        )
        version = self.nc.connected_server_version
        if (version.major, version.minor) < MIN_SERVER_VERSION:
            raise RuntimeError(
                f"NATS server {version} at {self.url} is too old: JetStream {'.'.join(map(str, MIN_SERVER_VERSION))}+ is required"
            )
        self.js = self.nc.jetstream()

    async def ensure_streams(self) -> None:
        assert self.js is not None
        for spec in STREAMS:
            config = stream_config(spec, self.replicas)
            try:
                await self.js.add_stream(config)
            except BadRequestError:
                # Exists with other settings (e.g. replicas chosen by the cluster's operator):
                # bring the settings we own up to date and leave the rest.
                info = await self.js.stream_info(spec.name)
                current = info.config
                current.subjects = config.subjects
                current.duplicate_window = config.duplicate_window
                # Raised to the configured count, never lowered: an operator may run more.
                current.num_replicas = max(current.num_replicas or 1, self.replicas)
                await self.js.update_stream(current)

    async def publish(self, subject: str, payload: bytes, headers: Mapping[str, str]) -> None:
        if self.js is None or not self.connected:
            raise ConnectionError("not connected to NATS")
        await self.js.publish(subject, payload, headers=dict(headers), timeout=5)

    async def close(self) -> None:
        if self.nc is not None and not self.nc.is_closed:
            try:
                await self.nc.drain()
            except Exception:
                await self.nc.close()
