"""Receipts and idempotent submissions at the declaration peak: a retry never makes a second application."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from servicekit.audit import sm3_hex
from tests.integration.harness import PLAN_DOCUMENTS, applicant, file_asset_catalogue

pytestmark = pytest.mark.integration


def body_for(unit_id: str, name: str = "数据共享交换平台") -> dict:
    return {"unit_id": unit_id, "project_name": name, "declared_amount_yuan": 3_000_000, "project_class": "build_develop",
            "documents": PLAN_DOCUMENTS}


async def post(api, unit_id, body, key):
    return await api["intake"].client.post("/declarations", json=body, headers={
        **api["intake"].headers(applicant(unit_id)), "Idempotency-Key": key})


async def test_a_receipt_proves_when_and_what_was_submitted(api, unit_id):
    sent = json.dumps(body_for(unit_id), ensure_ascii=False).encode("utf-8")
    response = await api["intake"].client.post("/declarations", content=sent, headers={
        **api["intake"].headers(applicant(unit_id)), "content-type": "application/json"})
    receipt = response.json()["receipt"]
    assert receipt["request_sm3"] == sm3_hex(sent)  # the unit can recompute it from what it sent
    assert receipt["received_at"] == response.json()["submitted_at"]


async def test_a_retry_with_the_same_key_gets_the_first_answer(api, dbs, unit_id):
    key = uuid.uuid4().hex
    first = await post(api, unit_id, body_for(unit_id), key)
    again = await post(api, unit_id, body_for(unit_id), key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert await dbs["intake"].value("SELECT count(*) FROM declaration WHERE unit_id = $1", unit_id) == 1
    assert await dbs["intake"].value(
        "SELECT count(*) FROM outbox WHERE event_type = 'intake.application.submitted.v1' AND convert_from(payload, 'UTF8') LIKE $1",
        f"%{unit_id}%") == 1


async def test_concurrent_retries_make_one_application(api, dbs, unit_id):
    key = uuid.uuid4().hex
    answers = await asyncio.gather(*(post(api, unit_id, body_for(unit_id), key) for _ in range(6)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["application_id"] for a in answers}) == 1
    assert await dbs["intake"].value("SELECT count(*) FROM declaration WHERE unit_id = $1", unit_id) == 1


async def test_the_same_key_for_another_submission_is_refused(api, dbs, unit_id):
    key = uuid.uuid4().hex
    assert (await post(api, unit_id, body_for(unit_id), key)).status_code == 201
    other = await post(api, unit_id, body_for(unit_id, "另一个项目"), key)
    assert other.status_code == 422 and other.json()["field"] == "Idempotency-Key" and other.json()["message_zh"]
    assert await dbs["intake"].value("SELECT count(*) FROM declaration WHERE unit_id = $1", unit_id) == 1


async def test_a_refused_attempt_does_not_hold_its_key(api, new_unit_id):
    key = uuid.uuid4().hex
    refused = await post(api, new_unit_id, body_for(new_unit_id), key)
    assert refused.status_code == 409  # BY-22.10: no asset catalogue yet
    await file_asset_catalogue(api, new_unit_id)
    accepted = await post(api, new_unit_id, body_for(new_unit_id), key)
    assert accepted.status_code == 201 and "idempotent-replayed" not in accepted.headers
