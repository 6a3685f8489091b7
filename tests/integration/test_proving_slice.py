"""The proving slice across real processes: a failed final acceptance (BY-47.3) blocks the
unit in intake and holds payments in procurement, as the project's pack says."""

from __future__ import annotations

import asyncio
import json

import nats
import pytest
from nats.js.api import ConsumerConfig, DeliverPolicy

from contracts.envelope import Envelope

from tests.integration.harness import BUREAU, FINANCE, PLAN_DOCUMENTS, applicant, eventually, leader, sample, scrape

pytestmark = pytest.mark.integration


def final_review(unit_id: str, result: str, day: str, pack: str | None = None, **extra):
    body = {"unit_id": unit_id, "result": result, "concluded_on": day, **extra}
    if pack:
        body["pack_id"] = pack
    if result == "failed":
        body.setdefault("reasons", ["系统性能未达到合同约定指标"])
    return body


def declaration(unit_id: str, upgrade_of: str | None = None, amount: int = 1_200_000):
    body = {"unit_id": unit_id, "project_name": "政务服务事项管理系统", "declared_amount_yuan": amount,
            "project_class": "build_develop", "documents": PLAN_DOCUMENTS}
    if upgrade_of:
        body["upgrade_of_project_id"] = upgrade_of
    return body


async def blocks_of(api, unit_id):
    return (await api["intake"].get(f"/units/{unit_id}/standing", as_=leader(unit_id))).json()["blocks"]


async def holds_of(api, project_id):
    return (await api["procurement"].get(f"/projects/{project_id}/holds", as_=FINANCE)).json()


async def finance_messages(nats_url: str, subject: str, project_id: str) -> list[Envelope]:
    """Read the FINANCE stream as the finance system would: an ephemeral consumer, CloudEvents headers."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        sub = await js.pull_subscribe(subject, stream="FINANCE", config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL))
        found = []
        try:
            while True:
                for message in await sub.fetch(100, timeout=1):
                    envelope = Envelope.from_message(message.headers, message.data)
                    if envelope.subject == project_id:
                        found.append(envelope)
                    await message.ack()
        except (nats.errors.TimeoutError, asyncio.TimeoutError):
            # nats-py raises the bare asyncio error when its deadline runs out between its two pull
            # requests, which a loaded machine reaches: either way, the stream has nothing more
            pass
        await sub.unsubscribe()
        return found
    finally:
        await nc.close()


async def test_bz_30_failed_acceptance_blocks_new_projects_and_om_funds_until_passed(api, infra, platform, unit_id, project_id):
    failed = await api["acceptance"].post(f"/projects/{project_id}/final-reviews", final_review(unit_id, "failed", "2026-11-02", "BZ"), as_=leader(unit_id))
    assert failed.status_code == 201, failed.text
    cause = failed.json()["event_id"]

    blocks = await eventually(lambda: blocks_of(api, unit_id), what="unit block")
    assert [(b["scope"], b["rule_ids"], b["cause_event_id"]) for b in blocks] == [("all_new_projects", ["BZ-30"], cause)]

    refused = await api["intake"].post("/declarations", declaration(unit_id), as_=applicant(unit_id))
    assert refused.status_code == 409
    body = refused.json()
    assert body["error"] == "declaration_refused" and body["rule_ids"] == ["BZ-30"]
    assert cause in body["message"] and "BZ-30" in body["message_zh"]
    violation = body["details"]["violations"][0]
    assert violation["cause"] == {"event_id": cause, "event_type": "AcceptanceFailed", "project_id": project_id,
                                  "placed_at": violation["cause"]["placed_at"]}
    assert "AcceptancePassed" in violation["lifted_by"]

    holds = await eventually(lambda: holds_of(api, project_id), what="finance hold")
    assert [(h["scope"], h["rule_ids"], h["cause_event_id"]) for h in holds] == [("no_om_funding", ["BZ-30"], cause)]
    assert sample(await scrape(platform["procurement"]), "govit_holds_active", scope="no_om_funding", mode="hard") >= 1
    placed = await eventually(lambda: finance_messages(infra.nats_admin_url, "finance.hold.placed.v1", project_id), what="FinanceHoldPlaced on FINANCE")
    assert [e.data.hold_id for e in placed] == [holds[0]["hold_id"]]
    assert placed[0].source == "/services/procurement" and placed[0].data.rule_ids == ["BZ-30"]

    passed = await api["acceptance"].post(f"/projects/{project_id}/final-reviews", final_review(unit_id, "passed", "2026-11-20"), as_=leader(unit_id))
    assert passed.status_code == 201 and passed.json()["attempt"] == 2

    assert await eventually(lambda: _empty(blocks_of(api, unit_id)), what="block lifted")
    assert await eventually(lambda: _empty(holds_of(api, project_id)), what="hold released")
    released = await eventually(lambda: finance_messages(infra.nats_admin_url, "finance.hold.released.v1", project_id))
    assert released[0].data.release_event_id == passed.json()["event_id"]

    accepted = await api["intake"].post("/declarations", declaration(unit_id), as_=applicant(unit_id))
    assert accepted.status_code == 201, accepted.text
    new_project = accepted.json()["project_id"]

    async def case_opened():
        return [c for c in (await api["review"].get("/cases", unit_id=unit_id, as_=BUREAU)).json() if c["project_id"] == new_project]

    assert (await eventually(case_opened, what="review case"))[0]["declared_amount_fen"] == 120_000_000


async def _empty(coroutine):
    return (await coroutine) == []


async def test_by_47_3b_second_failure_terminates_recovers_funds_and_blocks_upgrades(api, dbs, unit_id, project_id):
    first = await api["acceptance"].post(f"/projects/{project_id}/final-reviews", final_review(unit_id, "failed", "2026-10-09", "BY"), as_=leader(unit_id))
    assert first.status_code == 201 and first.json()["rule_id"] == "BY-47.3a" and not first.json()["terminal"]

    blocks = await eventually(lambda: blocks_of(api, unit_id), what="BY-22.8 block")
    assert [(b["scope"], b["rule_ids"], b["project_id"]) for b in blocks] == [("upgrade_of_project", ["BY-22.8"], project_id)]
    upgrade = await api["intake"].post("/declarations", declaration(unit_id, upgrade_of=project_id), as_=applicant(unit_id))
    assert upgrade.status_code == 409 and upgrade.json()["rule_ids"] == ["BY-22.8"]
    unrelated = await api["intake"].post("/declarations", declaration(unit_id), as_=applicant(unit_id))
    assert unrelated.status_code == 201, "BY-22.8 blocks only upgrades of the failed project"
    assert await holds_of(api, project_id) == [], "a first failure under BY sets off no hold"

    second = await api["acceptance"].post(f"/projects/{project_id}/final-reviews", final_review(unit_id, "failed", "2026-11-06"), as_=leader(unit_id))
    assert second.status_code == 201
    assert (second.json()["attempt"], second.json()["terminal"], second.json()["rule_id"]) == (2, True, "BY-47.3b")

    holds = await eventually(lambda: holds_of(api, project_id), what="recovery hold")
    assert [(h["scope"], h["rule_ids"], h["release_condition"]) for h in holds] == [("recover_remaining", ["BY-38b"], None)]
    terminations = (await api["procurement"].get(f"/projects/{project_id}/terminations", as_=FINANCE)).json()
    assert [(t["reason"], t["rule_ids"]) for t in terminations] == [("acceptance_failed", ["BY-47.3b", "BY-37.2"])]

    third = await api["acceptance"].post(f"/projects/{project_id}/final-reviews", final_review(unit_id, "passed", "2026-11-20"), as_=leader(unit_id))
    assert third.status_code == 409 and third.json()["rule_ids"] == ["BY-47.3b"]
    assert await dbs["acceptance"].value("SELECT count(*) FROM final_review r JOIN acceptance_case c ON c.id = r.case_id WHERE c.project_id = $1", project_id) == 2

    async def notices():
        rows = (await api["notify"].get(f"/units/{unit_id}/notifications", as_=leader(unit_id))).json()
        return {n["event_type"] for n in rows} >= {"AcceptanceFailed", "UnitStandingChanged", "ProjectTerminated", "FinanceHoldPlaced"}

    await eventually(notices, what="the unit's inbox")


async def test_dy_24_failure_holds_remaining_funds_and_leaves_declarations_open(api, unit_id, project_id):
    failed = await api["acceptance"].post(f"/projects/{project_id}/final-reviews", final_review(unit_id, "failed", "2026-11-02", "DY"), as_=BUREAU)
    assert failed.status_code == 201 and failed.json()["rule_id"] == "DY-22"
    holds = await eventually(lambda: holds_of(api, project_id), what="DY-24 hold")
    assert [(h["scope"], h["rule_ids"]) for h in holds] == [("remaining", ["DY-24"])]
    assert (await api["intake"].post("/declarations", declaration(unit_id), as_=applicant(unit_id))).status_code == 201
    assert await blocks_of(api, unit_id) == []


async def test_the_trace_runs_from_the_request_to_the_reaction(api, dbs, unit_id, project_id):
    failed = await api["acceptance"].post(f"/projects/{project_id}/final-reviews", final_review(unit_id, "failed", "2026-11-02", "BZ"), as_=leader(unit_id))
    event_id = failed.json()["event_id"]
    headers = json.loads(await dbs["acceptance"].value("SELECT headers::text FROM outbox WHERE event_id = $1", event_id))
    trace_id = headers["traceparent"].split("-")[1]
    assert headers["ce-id"] == headers["Nats-Msg-Id"] == event_id and headers["ce-subject"] == project_id

    async def traced():
        return await dbs["intake"].value("SELECT trace_id FROM inbox WHERE event_id = $1", event_id)

    assert await eventually(traced, what="intake inbox row") == trace_id
