"""Where NATS and PostgreSQL come from for a test session or a launcher run.

In order: servers named by the environment, Docker containers when an engine
answers, else embedded child processes (pip-installed binaries).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from devstack.containers import docker_available, start_containers, stop_containers
from devstack.nats_server import NatsServer, platform_passwords, start_nats
from devstack.ports import free_port
from devstack.postgres_server import PostgresServer, start_postgres

DEFAULT_NATS_PORT = 4222
DEFAULT_POSTGRES_PORT = 5432


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in {"", "0", "false", "no"}


@dataclass(eq=False)
class Infrastructure:
    nats_url: str
    postgres_admin_url: str
    source: Literal["environment", "docker", "embedded"]
    nats: NatsServer | None = None  # set when embedded, so fault tests can kill/restart
    nats_passwords: dict[str, str] | None = None
    """Per-party NATS passwords when this run started the server with users; None for outside servers."""
    postgres: PostgresServer | None = None
    _containers: list[Any] = field(default_factory=list, repr=False)

    @classmethod
    def resolve(cls, state_dir: Path, *, prefer_default_ports: bool = False) -> Infrastructure:
        """Find or start NATS and PostgreSQL.

        1. ``NATS_URL`` and ``POSTGRES_ADMIN_URL`` both set: used as they are.
        2. A Docker engine answers and ``DEVSTACK_NO_DOCKER`` is unset: testcontainers.
        3. Embedded servers with their data in ``state_dir``; ``prefer_default_ports``
           tries 4222/5432 first (containers always get random host ports).
        """
        nats_url = os.environ.get("NATS_URL")
        admin_url = os.environ.get("POSTGRES_ADMIN_URL")
        if nats_url and admin_url:
            return cls(nats_url=nats_url, postgres_admin_url=admin_url, source="environment")
        if nats_url or admin_url:
            # Half a configuration is a mistake; silently starting the other half would hide it.
            raise ValueError("set both NATS_URL and POSTGRES_ADMIN_URL, or neither")

        if not _flag("DEVSTACK_NO_DOCKER") and docker_available():
            nats_url, admin_url, containers = start_containers()
            return cls(nats_url=nats_url, postgres_admin_url=admin_url, source="docker", _containers=containers)

        nats_port = free_port(DEFAULT_NATS_PORT) if prefer_default_ports else None
        postgres_port = free_port(DEFAULT_POSTGRES_PORT) if prefer_default_ports else None
        passwords = platform_passwords(state_dir)
        nats = start_nats(state_dir, nats_port, passwords=passwords)
        try:
            postgres = start_postgres(state_dir, postgres_port)
        except BaseException:
            nats.stop()
            raise
        return cls(
            nats_url=nats.url,
            postgres_admin_url=postgres.admin_url,
            source="embedded",
            nats=nats,
            postgres=postgres,
            nats_passwords=passwords,
        )

    @property
    def nats_admin_url(self) -> str:
        """For tests and tooling that talk to NATS directly, with every permission."""
        return self.nats.admin_url if self.nats is not None else self.nats_url

    def close(self) -> None:
        """Stop whatever resolve() started (PostgreSQL first: services use it last); idempotent."""
        if self.postgres is not None:
            self.postgres.stop()
        if self.nats is not None:
            self.nats.stop()
        stop_containers(self._containers)

    def __enter__(self) -> Infrastructure:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
