"""NATS and PostgreSQL in Docker containers, for machines that have a Docker engine.

testcontainers is a development dependency of the workspace root, so it and
the docker SDK are imported only when a container is really wanted.
"""

from __future__ import annotations

import secrets
from typing import Any

NATS_IMAGE = "nats:2.10"
POSTGRES_IMAGE = "postgres:16"


def docker_available(timeout: float = 2.0) -> bool:
    """True only when a Docker engine answers a ping within ``timeout`` seconds; never raises.

    Asks through the docker SDK, the same client testcontainers will use, so
    True means testcontainers can reach the engine too. Without the SDK: False.
    """
    try:
        import docker

        client = docker.from_env(timeout=timeout)
        try:
            return client.ping() is True
        finally:
            client.close()
    except Exception:
        return False


def start_containers() -> tuple[str, str, list[Any]]:
    """Start NATS (JetStream, monitoring) and PostgreSQL; return (nats_url, postgres_admin_url, containers)."""
    try:
        from testcontainers.community.nats import NatsContainer
        from testcontainers.community.postgres import PostgresContainer
    except ImportError:  # testcontainers before the "community" namespace
        from testcontainers.nats import NatsContainer
        from testcontainers.postgres import PostgresContainer

    started: list[Any] = []
    try:
        # The command replaces the image's default (a config enabling monitoring), so ask for it again.
        nats = NatsContainer(NATS_IMAGE).with_command("-js -m 8222")
        nats.start()
        started.append(nats)
        postgres = PostgresContainer(
            POSTGRES_IMAGE,
            username="postgres",
            password=secrets.token_urlsafe(24),
            dbname="postgres",
            driver=None,
        )
        postgres.start()
        started.append(postgres)
    except BaseException:
        stop_containers(started)
        raise
    return nats.nats_uri(), postgres.get_connection_url(), started


def stop_containers(containers: list[Any]) -> None:
    for container in reversed(containers):
        container.stop()
    containers.clear()
