"""Alembic migrations, run before a service serves (``python -m <service> migrate``).

Each service keeps its own revisions in ``<service>/migrations/versions``; the runtime
tables (outbox, inbox, parked messages, clock) come from the shared ``servicekit`` branch in
``servicekit/schema_versions``, which every service's first revision depends on. Replicas
starting together take a Postgres advisory lock so only one migrates at a time.
"""

from __future__ import annotations

import asyncio
import importlib
import os
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

SHARED_VERSIONS = Path(__file__).parent / "schema_versions"
MIGRATION_LOCK = 7_734_221  # arbitrary, constant across services: one lock per database


def alembic_config(database_url: str, migrations_package: str) -> Config:
    package_dir = Path(importlib.import_module(migrations_package).__file__).parent  # type: ignore[arg-type]
    config = Config()
    config.set_main_option("script_location", str(package_dir))
    config.set_main_option("version_path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join([str(SHARED_VERSIONS), str(package_dir / "versions")]))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, migrations_package: str) -> None:
    command.upgrade(alembic_config(database_url, migrations_package), "heads")


def run_env(metadata: MetaData, url_env: str) -> None:
    """Body of every service's ``migrations/env.py``; ``url_env`` names the URL variable for the alembic CLI."""
    url = context.config.get_main_option("sqlalchemy.url") or os.environ.get(url_env)
    if not url:
        raise SystemExit(f"set {url_env} to the service's database URL")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    def migrate(connection: Connection) -> None:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.configure(connection=connection, target_metadata=metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()

    async def run() -> None:
        engine = create_async_engine(url, poolclass=NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(migrate)
            await connection.commit()
        await engine.dispose()

    asyncio.run(run())
