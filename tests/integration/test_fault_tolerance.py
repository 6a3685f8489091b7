"""Crashes between a commit and what follows it lose nothing and duplicate nothing."""

from __future__ import annotations

import asyncio
import json
import uuid

import nats
import pytest

from contracts.envelope import H_MSG_ID

from tests.integration.harness import ADMIN, eventually, leader

pytestmark = pytest.mark.integration


def failed_review(unit_id: str) -> dict:
    return {"unit_id": unit_id, "pack_id": "BZ", "result": "failed", "concluded_on": "2026-11-02", "reasons": ["数据未汇聚"]}


async def counts(dbs, unit_id: str, project_id: str) -> tuple[int, int]:
    blocks = await dbs["intake"].value("SELECT count(*) FROM unit_block WHERE unit_id = $1", unit_id)
    holds = await dbs["procurement"].value("SELECT count(*) FROM finance_hold WHERE project_id = $1", project_id)
    return blocks, holds


async def settled_exactly_once(dbs, unit_id: str, project_id: str) -> None:
    async def both():
        return await counts(dbs, unit_id, project_id) == (1, 1)

    await eventually(both, what="one block and one hold")
    # A late duplicate would land within the consumers' retry window; give it that time.
    for _ in range(10):
        assert await counts(dbs, unit_id, project_id) == (1, 1)
        await asyncio.sleep(0.2)


async def duplicates_skipped(api, service: str) -> int:
    return sum(c["duplicates_total"] for c in (await api[service].get("/ops/consumers", as_=ADMIN)).json())


@pytest.mark.parametrize("point", ["outbox.before_publish", "outbox.after_publish"])
async def test_acceptance_killed_around_publishing_still_blocks_and_holds_exactly_once(platform, api, dbs, unit_id, project_id, point):
    acceptance = platform["acceptance"]
    acceptance.restart({"FAILPOINTS": f"{point}=kill"})
    response = await api["acceptance"].post(f"/projects/{project_id}/final-reviews", failed_review(unit_id), as_=leader(unit_id))
    assert response.status_code == 201, "the state change committed before the crash"
    event_id = response.json()["event_id"]
    assert acceptance.wait_exit(timeout=30) == -9, "the relay reached the failpoint and was SIGKILLed"

    published = await dbs["acceptance"].value("SELECT published_at IS NOT NULL FROM outbox WHERE event_id = $1", event_id)
    assert published is False, "the crash came before the row was marked published"
    if point == "outbox.before_publish":
        assert await counts(dbs, unit_id, project_id) == (0, 0)

    acceptance.restart({"FAILPOINTS": ""})
    await settled_exactly_once(dbs, unit_id, project_id)
    assert await dbs["acceptance"].value("SELECT published_at IS NOT NULL FROM outbox WHERE event_id = $1", event_id)


async def test_intake_killed_after_its_effect_before_the_ack_applies_the_event_once(platform, api, dbs, unit_id, project_id):
    intake = platform["intake"]
    intake.restart({"FAILPOINTS": "consumer.after_effect=kill"})
    response = await api["acceptance"].post(f"/projects/{project_id}/final-reviews", failed_review(unit_id), as_=leader(unit_id))
    assert response.status_code == 201
    assert intake.wait_exit(timeout=30) == -9
    assert await dbs["intake"].value("SELECT count(*) FROM unit_block WHERE unit_id = $1", unit_id) == 1

    intake.restart({"FAILPOINTS": ""})
    await settled_exactly_once(dbs, unit_id, project_id)

    async def redelivered_and_skipped():
        return await duplicates_skipped(api, "intake") >= 1

    await eventually(redelivered_and_skipped, what="the redelivery to be skipped by the inbox")


async def test_a_redelivered_event_has_no_second_effect(infra, api, dbs, unit_id, project_id):
    response = await api["acceptance"].post(f"/projects/{project_id}/final-reviews", failed_review(unit_id), as_=leader(unit_id))
    event_id = response.json()["event_id"]
    await settled_exactly_once(dbs, unit_id, project_id)

    row = (await dbs["acceptance"].fetch("SELECT subject, headers::text AS headers, payload FROM outbox WHERE event_id = $1", event_id))[0]
    skipped_before = {s: await duplicates_skipped(api, s) for s in ("intake", "procurement")}
    headers = json.loads(row["headers"])
    # A new Nats-Msg-Id gets the copy past JetStream's de-duplication, as a redelivery after
    # the window would; the inbox alone must stop it.
    headers[H_MSG_ID] = str(uuid.uuid4())
    nc = await nats.connect(infra.nats_admin_url)
    try:
        ack = await nc.jetstream().publish(row["subject"], bytes(row["payload"]), headers=headers)
        assert not ack.duplicate
    finally:
        await nc.close()

    for service in ("intake", "procurement"):
        async def skipped(service=service):
            return await duplicates_skipped(api, service) > skipped_before[service]

        await eventually(skipped, what=f"{service} to skip the copy")
    await settled_exactly_once(dbs, unit_id, project_id)
