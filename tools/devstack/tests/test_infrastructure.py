import socket
from pathlib import Path

import asyncpg
import nats
import pytest

from devstack import infrastructure
from devstack.ports import accepts_connections
from devstack.servers import Infrastructure, docker_available, free_port


def test_environment_wins_and_starts_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NATS_URL", "nats://nats.example:4222")
    monkeypatch.setenv("POSTGRES_ADMIN_URL", "postgresql://admin:pw@db.example:5432/postgres")
    with Infrastructure.resolve(tmp_path) as infra:
        assert (infra.source, infra.nats, infra.postgres) == ("environment", None, None)
        assert infra.nats_url == "nats://nats.example:4222"
        assert infra.postgres_admin_url == "postgresql://admin:pw@db.example:5432/postgres"
    assert list(tmp_path.iterdir()) == []


def test_half_an_environment_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NATS_URL", "nats://nats.example:4222")
    with pytest.raises(ValueError, match="both"):
        Infrastructure.resolve(tmp_path)


def test_docker_available_never_raises(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-such.sock")
    assert docker_available() is False
    monkeypatch.setenv("DOCKER_HOST", "not a url at all")
    assert docker_available() is False


async def test_embedded_servers_when_docker_is_off(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DEVSTACK_NO_DOCKER", "1")
    infra = Infrastructure.resolve(tmp_path)
    try:
        assert infra.source == "embedded"
        assert infra.nats is not None and infra.postgres is not None
        assert infra.nats_url == infra.nats.url and infra.postgres_admin_url == infra.postgres.admin_url
        client = await nats.connect(infra.nats_admin_url)
        await client.close()
        # the embedded server has users: no anonymous connection, each service has its own password
        with pytest.raises(Exception, match="Authorization Violation"):
            await nats.connect(infra.nats_url, max_reconnect_attempts=0, allow_reconnect=False)
        assert set(infra.nats_passwords) >= {"intake", "review", "procurement", "acceptance", "notify", "admin"}
        connection = await asyncpg.connect(infra.postgres_admin_url)
        await connection.close()
    finally:
        infra.close()
        infra.close()
    assert not accepts_connections("127.0.0.1", infra.nats.port)
    assert not accepts_connections("127.0.0.1", infra.postgres.port)


def test_preferred_ports_are_used_when_free_and_skipped_when_taken(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DEVSTACK_NO_DOCKER", "1")
    free = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        monkeypatch.setattr(infrastructure, "DEFAULT_NATS_PORT", busy)
        monkeypatch.setattr(infrastructure, "DEFAULT_POSTGRES_PORT", free)
        with Infrastructure.resolve(tmp_path, prefer_default_ports=True) as infra:
            assert infra.nats is not None and infra.nats.port != busy
            # NATS starts first and takes any free port: rarely the very one kept for Postgres.
            assert infra.postgres is not None and (infra.postgres.port == free or infra.nats.port == free)
