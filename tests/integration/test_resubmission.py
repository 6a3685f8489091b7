"""After a review opinion the unit resubmits within the pack's period (BY-16c), up to the round
limit (BY-16d, BY-22.11); a passed plan review lets later steps start (BY-15c)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from contracts.envelope import Envelope
from contracts.events import PlanReviewed
from tests.integration.harness import BY, PLAN_DOCUMENTS, applicant, eventually, leader, publish_event

pytestmark = pytest.mark.integration



async def declared(api, unit_id) -> dict:
    body = {"unit_id": unit_id, "project_name": "公共信用信息平台", "declared_amount_yuan": 1_500_000,
            "project_class": "build_develop", "documents": PLAN_DOCUMENTS}
    response = await api["intake"].post("/declarations", body, as_=applicant(unit_id))
    assert response.status_code == 201, response.text
    return response.json()


async def opinion(infra, declaration: dict, round_: int, result: str, issued_at: datetime) -> None:
    await publish_event(infra.nats_admin_url, Envelope(PlanReviewed(
        project_id=declaration["project_id"], application_id=declaration["application_id"], unit_id=declaration["unit_id"],
        pack=BY, round=round_, result=result, final=False, rule_ids=["BY-16a"], reasons=["必要性论证不充分"],
        opinion_issued_at=issued_at), source="/services/review"))


async def status_becomes(api, declaration: dict, status: str) -> dict:
    async def probe():
        row = (await api["intake"].get(f"/declarations/{declaration['project_id']}", as_=leader(declaration["unit_id"]))).json()
        return row if row["status"] == status else None
    return await eventually(probe, what=f"declaration {status}")


async def resubmit(api, declaration: dict):
    return await api["intake"].post(f"/declarations/{declaration['project_id']}/resubmissions",
                                    {"adjustment_note": "已补充必要性论证和建设内容说明"}, as_=applicant(declaration["unit_id"]))


async def test_by_16c_a_returned_plan_is_resubmitted_as_the_next_round(api, infra, dbs, unit_id):
    declaration = await declared(api, unit_id)
    await opinion(infra, declaration, 1, "failed", datetime.now(timezone.utc))
    await status_becomes(api, declaration, "returned")
    again = await resubmit(api, declaration)
    assert again.status_code == 201 and (again.json()["round"], again.json()["status"]) == (2, "submitted")
    assert await dbs["intake"].value(
        "SELECT count(*) FROM outbox WHERE event_type = 'intake.application.submitted.v1' AND convert_from(payload, 'UTF8') LIKE $1",
        f"%{declaration['project_id']}%\"round\":2%") == 1
    twice = await resubmit(api, declaration)
    assert twice.status_code == 409 and twice.json()["error"] == "not_returned"


async def test_by_16c_late_resubmission_counts_as_not_adjusted(api, infra, unit_id):
    declaration = await declared(api, unit_id)
    await opinion(infra, declaration, 1, "failed", datetime(2026, 9, 1, 2, tzinfo=timezone.utc))  # due 2026-09-08
    await status_becomes(api, declaration, "returned")
    late = await resubmit(api, declaration)
    assert late.status_code == 409 and late.json()["rule_ids"] == ["BY-16c", "BY-20.1b", "BY-16d"]
    assert "2026-09-08" in late.json()["message"] and late.json()["message_zh"]


async def test_by_22_11_the_third_failed_plan_review_ends_it(api, infra, unit_id):
    declaration = await declared(api, unit_id)
    await opinion(infra, declaration, 3, "failed", datetime.now(timezone.utc) - timedelta(hours=1))
    await status_becomes(api, declaration, "rejected")
    assert (await resubmit(api, declaration)).status_code == 409


async def test_by_15c_a_passed_plan_review_is_recorded(api, infra, unit_id):
    declaration = await declared(api, unit_id)
    await opinion(infra, declaration, 1, "passed", datetime.now(timezone.utc))
    assert (await status_becomes(api, declaration, "plan_passed"))["round"] == 1
