import os
import pwd
from pathlib import Path

import asyncpg
import pytest

from devstack.childproc import pid_alive
from devstack.ports import accepts_connections
from devstack.runas import POSTGRES_SYSTEM_USER
from devstack.servers import PostgresServer, ServerStartError, free_port, start_postgres


async def _fetch(server: PostgresServer, query: str):
    connection = await asyncpg.connect(server.admin_url)
    try:
        return await connection.fetch(query)
    finally:
        await connection.close()


async def _execute(server: PostgresServer, script: str) -> None:
    connection = await asyncpg.connect(server.admin_url)
    try:
        await connection.execute(script)
    finally:
        await connection.close()


async def test_admin_connects_as_superuser_with_the_configured_settings(postgres: PostgresServer) -> None:
    assert postgres.admin_url.startswith("postgresql://postgres:")
    assert postgres.admin_url.endswith(f"@127.0.0.1:{postgres.port}/postgres")
    [row] = await _fetch(
        postgres,
        """
        SELECT current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
               current_setting('max_connections') AS max_connections, current_setting('fsync') AS fsync,
               current_setting('listen_addresses') AS listen, current_setting('server_encoding') AS encoding,
               (SELECT datcollate FROM pg_database WHERE datname = 'postgres') AS collate
        """,
    )
    assert dict(row) == {
        "current_user": "postgres",
        "superuser": True,
        "max_connections": "200",
        "fsync": "on",
        "listen": "127.0.0.1",
        "encoding": "UTF8",
        "collate": "C",
    }


async def test_every_login_needs_a_scram_password(postgres: PostgresServer) -> None:
    rules = await _fetch(postgres, "SELECT type, address, auth_method, error FROM pg_hba_file_rules")
    assert [tuple(rule) for rule in rules] == [("host", "127.0.0.1", "scram-sha-256", None)]
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(f"postgresql://postgres:wrong@127.0.0.1:{postgres.port}/postgres")


@pytest.mark.skipif(os.geteuid() != 0, reason="the unprivileged user is only used when running as root")
def test_runs_as_the_unprivileged_user_when_root(postgres: PostgresServer) -> None:
    owner = pwd.getpwuid(postgres.data_dir.stat().st_uid).pw_name
    assert owner == POSTGRES_SYSTEM_USER
    assert os.stat(f"/proc/{postgres.pid}").st_uid == postgres.data_dir.stat().st_uid


async def test_data_survives_restart(postgres: PostgresServer) -> None:
    await _execute(postgres, "CREATE TABLE survives_restart (note text); INSERT INTO survives_restart VALUES ('kept')")
    postgres.restart()
    assert [row["note"] for row in await _fetch(postgres, "SELECT note FROM survives_restart")] == ["kept"]


async def test_kill_leaves_a_stale_pid_file_that_restart_handles(postgres: PostgresServer) -> None:
    await _execute(postgres, "CREATE TABLE survives_kill (note text); INSERT INTO survives_kill VALUES ('committed')")
    postgres.kill()
    assert (postgres.data_dir / "postmaster.pid").exists()
    assert not accepts_connections("127.0.0.1", postgres.port)
    postgres.restart()
    assert [row["note"] for row in await _fetch(postgres, "SELECT note FROM survives_kill")] == ["committed"]


async def test_a_later_run_reuses_the_cluster_on_another_port(tmp_path: Path) -> None:
    first = start_postgres(tmp_path)
    await _execute(first, "CREATE TABLE from_first_run (id int)")
    first.stop()
    first.stop()  # idempotent
    initialised = (tmp_path / "pgdata" / "PG_VERSION").stat().st_mtime_ns

    second = start_postgres(tmp_path, free_port())
    try:
        assert second.port != first.port
        assert (tmp_path / "pgdata" / "PG_VERSION").stat().st_mtime_ns == initialised
        assert await _fetch(second, "SELECT * FROM from_first_run") == []
    finally:
        second.stop()


def test_a_state_dir_serves_one_owner_at_a_time(postgres: PostgresServer) -> None:
    with pytest.raises(ServerStartError, match="in use by another process"):
        start_postgres(postgres.state_dir)


async def test_orphan_of_a_crashed_launcher_is_replaced(tmp_path: Path, orphan_server) -> None:
    orphan = orphan_server("start_postgres", tmp_path)
    server = start_postgres(tmp_path)
    try:
        assert not pid_alive(orphan)
        assert len(await _fetch(server, "SELECT 1")) == 1
    finally:
        server.stop()


def test_missing_superuser_password_is_explained(tmp_path: Path) -> None:
    start_postgres(tmp_path).stop()
    (tmp_path / "postgres-superuser-password").unlink()
    with pytest.raises(ServerStartError, match="delete that pgdata directory"):
        start_postgres(tmp_path)
