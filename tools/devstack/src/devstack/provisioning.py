"""One role and one database per service, on any PostgreSQL we hold a superuser URL for.

Each service owns its database and nobody else may connect to it (CONNECT
is revoked from PUBLIC). Passwords are sent as SCRAM-SHA-256 verifiers
computed here, so plaintext never reaches the server or its logs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote, urlsplit

import asyncpg

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
_SUFFIX = re.compile(r"^[a-z0-9_]*$")
# Printable ASCII without spaces: SASLprep leaves it unchanged, so our verifier matches the server's.
_PASSWORD = re.compile(r"^[\x21-\x7e]+$")
_MAX_IDENTIFIER = 63  # PostgreSQL truncates longer names (NAMEDATALEN - 1)
_RESERVED = {"postgres", "template0", "template1", "public"}
_SCRAM_ITERATIONS = 4096  # the server's default scram_iterations


def _role_names(services: Sequence[str], suffix: str) -> dict[str, str]:
    if not _SUFFIX.match(suffix):
        raise ValueError(f"invalid database suffix {suffix!r}: only a-z, 0-9 and _ are allowed")
    names = {}
    for service in services:
        name = service + suffix
        if not _IDENTIFIER.match(service) or len(name) > _MAX_IDENTIFIER:
            raise ValueError(
                f"invalid service name {service!r}: must match {_IDENTIFIER.pattern} "
                f"and stay within {_MAX_IDENTIFIER} characters with its suffix"
            )
        # Altering "postgres" would strip the superuser; pg_* names are reserved for system roles.
        if name in _RESERVED or name.startswith("pg_"):
            raise ValueError(f"service name {name!r} is reserved by PostgreSQL")
        names[service] = name
    return names


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def scram_sha256_verifier(password: str, *, iterations: int = _SCRAM_ITERATIONS) -> str:
    """The string PostgreSQL stores for a scram-sha-256 password (RFC 5802/7677), as psql's \\password makes it."""
    salt = secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.digest(salted, b"Client Key", "sha256")
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.digest(salted, b"Server Key", "sha256")

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def _load_secrets(path: Path | None) -> dict[str, str]:
    if path is None or not path.exists():
        return {}
    stored = json.loads(path.read_text())
    if not isinstance(stored, dict) or not all(
        isinstance(value, str) and _PASSWORD.match(value) for value in stored.values()
    ):
        raise ValueError(f"{path} must be a JSON object of role name -> printable ASCII password")
    return stored


def _save_secrets(path: Path, stored: dict[str, str]) -> None:
    # Written to a 0600 file from the start and renamed into place: never briefly world-readable, never half-written.
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(stored, handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.replace(tmp, path)


def _asyncpg_dsn(url: str) -> str:
    # Accept SQLAlchemy-style URLs too ("postgresql+asyncpg://").
    scheme, sep, rest = url.partition("://")
    return scheme.split("+", 1)[0] + sep + rest


def _server_address(admin_url: str) -> str:
    parts = urlsplit(_asyncpg_dsn(admin_url))
    host = parts.hostname or "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{parts.port or 5432}"


async def provision_databases(
    admin_url: str,
    services: Sequence[str],
    secrets_file: Path | None = None,
    *,
    database_suffix: str = "",
) -> dict[str, str]:
    """Create or update a login role and an owned database per service; return their asyncpg URLs.

    Role and database are both named ``<service><database_suffix>``: a suffixed
    run (tests) gets its own roles as well, so it never changes the password of
    a role that another stack on the same server is using.
    Passwords come from ``secrets_file`` when it has them; new ones are
    generated and, given a file, stored there (JSON, mode 0600).
    Without a file every call sets fresh passwords.
    """
    names = _role_names(services, database_suffix)
    stored = _load_secrets(secrets_file)
    passwords = {name: stored.get(name) or secrets.token_urlsafe(24) for name in names.values()}
    if secrets_file is not None and any(stored.get(name) != pw for name, pw in passwords.items()):
        # Saved before touching the server, so a failure halfway cannot leave passwords nobody knows.
        _save_secrets(secrets_file, {**stored, **passwords})

    connection = await asyncpg.connect(_asyncpg_dsn(admin_url), timeout=15)
    try:
        for name in names.values():
            await _provision_one(connection, name, passwords[name])
    finally:
        await connection.close()

    address = _server_address(admin_url)
    return {
        service: f"postgresql+asyncpg://{name}:{quote(passwords[name], safe='')}@{address}/{name}"
        for service, name in names.items()
    }


async def _provision_one(connection: asyncpg.Connection, name: str, password: str) -> None:
    ident = _quote_ident(name)
    # Explicit NOSUPERUSER etc.: a pre-existing role of that name is brought back to a plain login role.
    attributes = (
        f"LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS "
        f"PASSWORD {_quote_literal(scram_sha256_verifier(password))}"
    )
    role_exists = await connection.fetchval("SELECT true FROM pg_roles WHERE rolname = $1", name)
    if role_exists:
        await connection.execute(f"ALTER ROLE {ident} WITH {attributes}")
    else:
        try:
            await connection.execute(f"CREATE ROLE {ident} WITH {attributes}")
        except asyncpg.DuplicateObjectError:  # created concurrently by another provisioner
            await connection.execute(f"ALTER ROLE {ident} WITH {attributes}")

    database_exists = await connection.fetchval("SELECT true FROM pg_database WHERE datname = $1", name)
    if not database_exists:
        try:
            # CREATE DATABASE cannot run in a transaction; asyncpg's execute() runs it on its own.
            await connection.execute(f"CREATE DATABASE {ident} OWNER {ident} ENCODING 'UTF8' TEMPLATE template0")
        except asyncpg.DuplicateDatabaseError:
            pass
    await connection.execute(f"ALTER DATABASE {ident} OWNER TO {ident}")
    # PUBLIC may connect to any new database by default; only the owner may connect here.
    await connection.execute(f"REVOKE ALL ON DATABASE {ident} FROM PUBLIC")


async def drop_databases(admin_url: str, services: Sequence[str], *, database_suffix: str = "") -> None:
    """Drop what provision_databases created for these services (sessions still connected are terminated)."""
    names = _role_names(services, database_suffix)
    connection = await asyncpg.connect(_asyncpg_dsn(admin_url), timeout=15)
    try:
        for name in names.values():
            ident = _quote_ident(name)
            await connection.execute(f"DROP DATABASE IF EXISTS {ident} WITH (FORCE)")
            await connection.execute(f"DROP ROLE IF EXISTS {ident}")
    finally:
        await connection.close()
