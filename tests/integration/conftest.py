"""The platform under test: all five services as processes over one NATS and one Postgres."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from devstack.auth import DevIssuer
from devstack.processes import SERVICES, ServiceProcess, service_env, start_services
from devstack.servers import Infrastructure, free_port, provision_databases

from tests.integration.harness import BUREAU, KNOWN_DOCUMENTS, Api, ServiceDatabase, file_asset_catalogue, register_unit, upload

pytestmark = pytest.mark.integration

FAST_RETRIES = {
    "CLOCK_MODE": "movable",
    "CONSUMER_MAX_DELIVER": "3",
    "CONSUMER_BACKOFF_SECONDS": "[0.2, 0.2, 0.2]",
    "CONSUMER_ACK_WAIT_SECONDS": "3",
    "LOG_LEVEL": "INFO",
    # batches opened now close in 2027, a year the bundled holiday data does not cover yet
    "CALENDAR_ALLOW_PROVISIONAL": "true",
    # every new unit uploads each document the session's tests have named, well past one person's
    # sixty submissions a minute
    "SUBMISSION_RATE_PER_MINUTE": "100000",
}


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infrastructure]:
    infrastructure = Infrastructure.resolve(tmp_path_factory.mktemp("servers"))
    yield infrastructure
    infrastructure.close()


@pytest.fixture(scope="session")
async def databases(infra: Infrastructure) -> dict[str, str]:
    suffix = f"_t{uuid.uuid4().hex[:6]}"
    return await provision_databases(infra.postgres_admin_url, [*SERVICES, "kit"], None, database_suffix=suffix)


@pytest.fixture(scope="session")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> DevIssuer:
    return DevIssuer(tmp_path_factory.mktemp("auth"))


@pytest.fixture(scope="session")
def platform(infra: Infrastructure, databases: dict[str, str], issuer: DevIssuer,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ServiceProcess]]:
    log_dir = Path(os.environ.get("INTEGRATION_LOG_DIR") or tmp_path_factory.mktemp("logs"))
    env = service_env(infra.nats_url, {name: databases[name] for name in SERVICES}, infra.nats_passwords,
                      **FAST_RETRIES, **issuer.env())
    ports = {name: free_port() for name in SERVICES}
    processes = start_services(SERVICES, env, ports, log_dir)
    yield processes
    for process in processes.values():
        process.stop()


@pytest.fixture(scope="session")
def dbs(databases: dict[str, str]) -> dict[str, ServiceDatabase]:
    return {name: ServiceDatabase(url) for name, url in databases.items()}


@pytest.fixture
async def api(platform: dict[str, ServiceProcess], issuer: DevIssuer) -> AsyncIterator[dict[str, Api]]:
    clients = {name: Api(process.url, issuer) for name, process in platform.items()}
    yield clients
    for client in clients.values():
        await client.close()


@pytest.fixture
async def new_unit_id(api: dict[str, Api]) -> str:
    """A registered first-level budget unit (BY-5.2a) that has uploaded the documents the tests name
    but filed nothing yet."""
    unit = f"U-{uuid.uuid4().hex[:8]}"
    await register_unit(api, unit)
    await upload(api, unit, *({"sm3": digest} for digest in list(KNOWN_DOCUMENTS)))
    return unit


@pytest.fixture(scope="session")
async def open_batch(platform: dict[str, ServiceProcess], issuer: DevIssuer) -> str:
    """This year's declaration batch, its window open from today (BY-14a)."""
    client = Api(platform["intake"].url, issuer)
    try:
        response = await client.post("/batches", {"plan_year": 2027, "title": "2027年度政务信息化项目申报",
                                                  "notice_issued_on": "2026-11-23"}, as_=BUREAU)
        assert response.status_code == 201, response.text
        return response.json()["batch_id"]
    finally:
        await client.close()


@pytest.fixture
async def unit_id(api: dict[str, Api], new_unit_id: str, open_batch: str) -> str:
    """A unit ready to declare under the test platform's pack (BY): a batch is open and its asset
    catalogue is filed (BY-14a, BY-22.10)."""
    await file_asset_catalogue(api, new_unit_id)
    return new_unit_id


@pytest.fixture
def project_id() -> str:
    return f"P-{uuid.uuid4().hex[:8]}"
