"""The metrics an operator watches move with the events: a consumer that falls behind shows its
lag, an outbox that cannot reach NATS shows its backlog, and both return to zero once the
platform catches up.

Intake and review run here against a NATS server of their own, so the test can pause a consumer
and stop the server without disturbing the other tests' platform.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nats
import pytest

from devstack.auth import DevIssuer
from devstack.nats_server import NatsServer, platform_passwords, start_nats
from devstack.processes import ServiceProcess, service_env, start_services
from devstack.servers import Infrastructure, free_port, provision_databases
from tests.integration.conftest import FAST_RETRIES
from tests.integration.harness import (BUREAU, KNOWN_DOCUMENTS, PLAN_DOCUMENTS, Api, applicant, eventually,
                                       file_asset_catalogue, register_unit, sample, scrape, upload)

pytestmark = pytest.mark.integration

SERVICES = ("intake", "review")
REVIEW_CONSUMER = ("INTAKE", "review-from-intake")


@pytest.fixture(scope="module")
def own_nats(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    state = tmp_path_factory.mktemp("metrics-nats")
    server = start_nats(state, passwords=platform_passwords(state))
    yield server
    server.stop()


@pytest.fixture(scope="module")
async def own_platform(infra: Infrastructure, own_nats: NatsServer, issuer: DevIssuer,
                       tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[dict[str, ServiceProcess]]:
    databases = await provision_databases(infra.postgres_admin_url, list(SERVICES), None,
                                          database_suffix=f"_m{uuid.uuid4().hex[:6]}")
    env = service_env(own_nats.url, databases, own_nats.passwords, **FAST_RETRIES, **issuer.env())
    processes = start_services(SERVICES, env, {name: free_port() for name in SERVICES},
                               Path(tmp_path_factory.mktemp("metrics-logs")))
    yield processes
    for process in processes.values():
        process.stop()


@pytest.fixture
async def own_api(own_platform: dict[str, ServiceProcess], issuer: DevIssuer) -> AsyncIterator[dict[str, Api]]:
    clients = {name: Api(process.url, issuer) for name, process in own_platform.items()}
    yield clients
    for client in clients.values():
        await client.close()


async def ready_unit(api: dict[str, Api]) -> str:
    unit = f"U-{uuid.uuid4().hex[:8]}"
    await register_unit(api, unit)
    await upload(api, unit, *({"sm3": digest} for digest in list(KNOWN_DOCUMENTS)))
    await file_asset_catalogue(api, unit)
    return unit


async def declare(api: dict[str, Api], unit: str, batch_id: str) -> str:
    response = await api["intake"].post("/declarations", {
        "unit_id": unit, "batch_id": batch_id, "project_name": "城市运行监测平台", "declared_amount_yuan": 900_000,
        "project_class": "build_develop", "documents": PLAN_DOCUMENTS}, as_=applicant(unit))
    assert response.status_code == 201, response.text
    return response.json()["project_id"]


async def cases_for(api: dict[str, Api], project_ids: list[str]) -> bool:
    for project_id in project_ids:
        if (await api["review"].get(f"/cases/{project_id}", as_=BUREAU)).status_code != 200:
            return False
    return True


async def test_consumer_lag_and_outbox_backlog_follow_the_events(own_platform, own_api, own_nats):
    batch = await own_api["intake"].post("/batches", {"plan_year": 2027, "title": "2027年度政务信息化项目申报",
                                                      "notice_issued_on": "2026-11-23"}, as_=BUREAU)
    assert batch.status_code == 201, batch.text
    batch_id = batch.json()["batch_id"]
    units = [await ready_unit(own_api) for _ in range(3)]
    intake, review = own_platform["intake"], own_platform["review"]

    idle = await scrape(review)
    assert sample(idle, "govit_consumer_pending", consumer=REVIEW_CONSUMER[1]) == 0
    assert sample(await scrape(intake), "govit_outbox_backlog", service="intake") == 0

    # An operator pauses review's consumer (as before maintenance): declarations keep arriving
    # and the lag shows them waiting.
    admin = await nats.connect(own_nats.admin_url)
    try:
        until = (datetime.now(timezone.utc) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
        await admin.jetstream().pause_consumer(*REVIEW_CONSUMER, until)
        projects = [await declare(own_api, unit, batch_id) for unit in units]

        async def lag() -> float | None:
            value = sample(await scrape(review), "govit_consumer_pending", consumer=REVIEW_CONSUMER[1])
            return value if value and value >= len(projects) else None

        assert await eventually(lag, timeout=20, what="review's lag to show the waiting declarations") >= 3
        await admin.jetstream().resume_consumer(*REVIEW_CONSUMER)
    finally:
        await admin.close()

    async def caught_up() -> bool:
        return sample(await scrape(review), "govit_consumer_pending", consumer=REVIEW_CONSUMER[1]) == 0
    await eventually(caught_up, timeout=30, what="review's lag back to zero")
    await eventually(lambda: cases_for(own_api, projects), timeout=30, what="a review case for every declaration")
    handled = sample(await scrape(review), "govit_events_handled_total", consumer=REVIEW_CONSUMER[1], outcome="applied")
    assert handled is not None and handled >= 3

    # NATS goes away: declarations are still taken, their events wait in intake's outbox ...
    own_nats.stop()
    try:
        late = await declare(own_api, units[0], batch_id)

        async def backlog() -> float | None:
            value = sample(await scrape(intake), "govit_outbox_backlog", service="intake")
            return value if value and value >= 1 else None
        assert await eventually(backlog, timeout=20, what="intake's outbox backlog to show the unsent event") >= 1
    finally:
        own_nats._start()

    # ... and leave it once NATS is back, reaching review.
    async def drained() -> bool:
        return sample(await scrape(intake), "govit_outbox_backlog", service="intake") == 0
    await eventually(drained, timeout=60, what="intake's outbox backlog back to zero")
    await eventually(lambda: cases_for(own_api, [late]), timeout=60, what="the late declaration's review case")
    assert sample(await scrape(intake), "govit_events_published_total", service="intake") >= 4
