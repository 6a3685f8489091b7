"""The command line every service has: ``python -m <service> migrate | serve``.

``serve`` migrates first, so a service never answers on a schema older than its code.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI
from pydantic import ValidationError

from policy.calendar import CalendarDataError
from policy.packs import PackError, UnknownPack
from servicekit import audit
from servicekit.db import make_engine, make_session_factory
from servicekit.migrate import upgrade
from servicekit.policy import load_policy
from servicekit.settings import SHARED_NAMES, ServiceSettings


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    settings_class: type[ServiceSettings]
    create_app: Callable[[ServiceSettings], FastAPI]
    migrations_package: str


def _load_settings(service: ServiceDefinition) -> ServiceSettings:
    try:
        return service.settings_class()
    except ValidationError as exc:
        prefix = service.settings_class.model_config.get("env_prefix", "")
        lines = [f"{service.name}: invalid settings"]
        for error in exc.errors():
            if not error["loc"]:
                lines.append(f"  {error['msg']}")
                continue
            name = str(error["loc"][0]).upper()
            env = name if name in SHARED_NAMES else f"{prefix}{name}"
            lines.append(f"  {env}: {error['msg']}")
        raise SystemExit("\n".join(lines)) from None


async def _audit_verify(name: str, database_url: str) -> int:
    engine = make_engine(database_url, 1)
    try:
        async with make_session_factory(engine)() as session:
            result = await audit.verify(session)
    finally:
        await engine.dispose()
    if result.ok:
        print(f"{name}: audit trail intact, {result.checked} records, last hash {result.last_hash or '-'}")
        return 0
    print(f"{name}: audit trail BROKEN at record {result.first_broken_seq}: {result.reason} "
          f"({result.checked} records before it hold)", file=sys.stderr)
    return 1


def run(service: ServiceDefinition, argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m {service.name}")
    parser.add_argument("command", choices=["migrate", "serve", "audit-verify"])
    parser.add_argument("--no-migrate", action="store_true", help="serve without migrating (migrations ran as a separate step)")
    args = parser.parse_args(argv)
    settings = _load_settings(service)
    try:
        # Checked before migrating or binding a port: nothing starts on a broken pack or calendar file.
        load_policy(settings)
    except (PackError, UnknownPack, CalendarDataError) as exc:
        raise SystemExit(f"{service.name}: {exc}") from None
    if args.command == "audit-verify":
        raise SystemExit(asyncio.run(_audit_verify(service.name, settings.database_url)))
    if args.command == "migrate" or not args.no_migrate:
        upgrade(settings.database_url, service.migrations_package)
    if args.command == "migrate":
        print(f"{service.name}: database is at the latest revision", file=sys.stderr)
        return
    app = service.create_app(settings)
    uvicorn.run(app, host=settings.http_host, port=settings.port, log_config=None, timeout_graceful_shutdown=10)
