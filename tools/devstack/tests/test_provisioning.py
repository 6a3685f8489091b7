import json
import stat
from pathlib import Path

import asyncpg
import pytest

from devstack.servers import PostgresServer, drop_databases, provision_databases


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _whoami(url: str) -> tuple[str, str]:
    connection = await asyncpg.connect(_dsn(url))
    try:
        row = await connection.fetchrow("SELECT current_user, current_database()")
        return row[0], row[1]
    finally:
        await connection.close()


async def test_each_service_gets_its_own_role_and_database(postgres: PostgresServer, tmp_path: Path) -> None:
    urls = await provision_databases(postgres.admin_url, ["intake", "review"], tmp_path / "secrets.json")
    assert set(urls) == {"intake", "review"}
    assert urls["intake"].startswith("postgresql+asyncpg://intake:")
    assert urls["intake"].endswith(f"@127.0.0.1:{postgres.port}/intake")
    assert await _whoami(urls["intake"]) == ("intake", "intake")
    assert await _whoami(urls["review"]) == ("review", "review")

    # The owner may create tables in its database.
    connection = await asyncpg.connect(_dsn(urls["intake"]))
    try:
        await connection.execute("CREATE TABLE projects (id int primary key)")
    finally:
        await connection.close()


async def test_a_service_cannot_connect_to_another_services_database(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    urls = await provision_databases(postgres.admin_url, ["procurement", "acceptance"], tmp_path / "secrets.json")
    trespass = _dsn(urls["procurement"]).rsplit("/", 1)[0] + "/acceptance"
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await asyncpg.connect(trespass)


async def test_wrong_password_is_rejected(postgres: PostgresServer) -> None:
    urls = await provision_databases(postgres.admin_url, ["notify"], None)
    forged = _dsn(urls["notify"]).replace("notify:", "notify:x", 1)
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(forged)


async def test_secrets_file_gives_the_same_passwords_next_time(postgres: PostgresServer, tmp_path: Path) -> None:
    secrets_file = tmp_path / "state" / "db-secrets.json"
    first = await provision_databases(postgres.admin_url, ["ledger"], secrets_file)
    second = await provision_databases(postgres.admin_url, ["ledger"], secrets_file)
    assert first == second
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    stored = json.loads(secrets_file.read_text())
    assert list(stored) == ["ledger"] and stored["ledger"] in first["ledger"]
    assert await _whoami(second["ledger"]) == ("ledger", "ledger")


async def test_without_secrets_file_every_run_sets_a_new_password(postgres: PostgresServer) -> None:
    first = await provision_databases(postgres.admin_url, ["audit"], None)
    second = await provision_databases(postgres.admin_url, ["audit"], None)
    assert first != second
    assert await _whoami(second["audit"]) == ("audit", "audit")
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(_dsn(first["audit"]))


async def test_suffixed_run_leaves_the_unsuffixed_one_alone(postgres: PostgresServer, tmp_path: Path) -> None:
    secrets_file = tmp_path / "secrets.json"
    plain = await provision_databases(postgres.admin_url, ["billing"], secrets_file)
    suffixed = await provision_databases(postgres.admin_url, ["billing"], secrets_file, database_suffix="_t3f9")
    assert await _whoami(suffixed["billing"]) == ("billing_t3f9", "billing_t3f9")
    assert await _whoami(plain["billing"]) == ("billing", "billing")
    assert set(json.loads(secrets_file.read_text())) == {"billing", "billing_t3f9"}

    await drop_databases(postgres.admin_url, ["billing"], database_suffix="_t3f9")
    with pytest.raises(asyncpg.InvalidAuthorizationSpecificationError):  # role no longer exists
        await asyncpg.connect(_dsn(suffixed["billing"]))
    assert await _whoami(plain["billing"]) == ("billing", "billing")


@pytest.mark.parametrize(
    ("services", "suffix"),
    [(["Intake"], ""), (["1st"], ""), (["a-b"], ""), (['x"; DROP'], ""), (["postgres"], ""),
     (["pg_monitor"], ""), (["template"], "1"), (["intake"], "-t"), (["a" * 60], "_long")],
)
async def test_invalid_names_are_refused_before_touching_the_server(services: list[str], suffix: str) -> None:
    with pytest.raises(ValueError):
        await provision_databases("postgresql://nobody@127.0.0.1:1/none", services, None, database_suffix=suffix)
