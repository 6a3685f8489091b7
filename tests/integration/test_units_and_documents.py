"""The unit registry (BY-5.2a, BY-10), the document store, and the findings a declaration carries to
the reviewer (BY-19.1b, BY-22.3, BY-22.5)."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import date, datetime, timezone

import asyncpg
import pytest

from contracts.base import PackRef
from contracts.envelope import Envelope
from contracts.events import ProjectApproved
from tests.integration.harness import (
    BUREAU,
    PLAN_DOCUMENTS,
    applicant,
    doc,
    eventually,
    file_asset_catalogue,
    leader,
    publish_event,
    register_unit,
    upload,
)

pytestmark = pytest.mark.integration


def declaration(unit_id: str, **extra) -> dict:
    return {"unit_id": unit_id, "project_name": "基层治理项目", "declared_amount_yuan": 300_000, "project_class": "build_develop",
            "documents": PLAN_DOCUMENTS, **extra}


async def test_by_5_2a_a_subordinate_is_declared_for_by_its_first_level_unit(api, unit_id):
    school = f"{unit_id}-S"
    await register_unit(api, school, parent=unit_id)
    unit = (await api["intake"].get(f"/units/{unit_id}", as_=leader(unit_id))).json()
    assert unit["level"] == "first_level" and unit["subordinates"] == [school]

    await upload(api, school, *[d["document"] for d in PLAN_DOCUMENTS])
    itself = await api["intake"].post("/declarations", declaration(school), as_=applicant(school))
    assert itself.status_code == 409 and itself.json()["rule_ids"] == ["BY-5.2a"] and itself.json()["field"] == "unit_id"
    assert unit_id in itself.json()["message"] and itself.json()["message_zh"]

    for_it = await api["intake"].post("/declarations", declaration(unit_id, using_unit_id=school), as_=applicant(unit_id))
    assert for_it.status_code == 201 and for_it.json()["using_unit_id"] == school


async def test_by_5_2a_a_unit_declares_only_for_its_own_subordinates(api, unit_id):
    other = f"U-{uuid.uuid4().hex[:8]}"
    theirs = f"{other}-S"
    await register_unit(api, other)
    await register_unit(api, theirs, parent=other)
    refused = await api["intake"].post("/declarations", declaration(unit_id, using_unit_id=theirs), as_=applicant(unit_id))
    assert refused.status_code == 409 and refused.json()["field"] == "using_unit_id"


async def test_an_unregistered_unit_is_told_to_register_and_nothing_is_stored(api, dbs):
    stranger = f"U-{uuid.uuid4().hex[:8]}"
    refused = await api["intake"].post("/declarations", declaration(stranger), as_=applicant(stranger))
    assert refused.status_code == 422 and refused.json()["field"] == "unit_id"
    assert await dbs["intake"].value("SELECT count(*) FROM declaration WHERE unit_id = $1", stranger) == 0


async def test_a_subordinate_registers_under_a_first_level_unit_only(api, unit_id):
    body = {"unit_id": f"{unit_id}-X", "name": "下属单位", "level": "subordinate", "parent_unit_id": f"U-{uuid.uuid4().hex[:8]}"}
    assert (await api["intake"].post("/units", body, as_=BUREAU)).json()["field"] == "parent_unit_id"
    again = await api["intake"].post("/units", {"unit_id": unit_id, "name": "重复登记", "level": "first_level"}, as_=BUREAU)
    assert again.status_code == 409


async def test_by_10_the_chief_data_officer_is_named_and_replaced(api, unit_id, dbs):
    first = {"name": "张三", "title": "副局长", "appointed_on": "2026-01-05"}
    second = {"name": "李四", "title": "局长", "appointed_on": "2026-11-02"}
    assert (await api["intake"].put(f"/units/{unit_id}/chief-data-officer", first, as_=leader(unit_id))).status_code == 200
    assert (await api["intake"].put(f"/units/{unit_id}/chief-data-officer", second, as_=leader(unit_id))).status_code == 200
    unit = (await api["intake"].get(f"/units/{unit_id}", as_=BUREAU)).json()
    assert unit["chief_data_officer"] == second
    # the audit trail keeps who held it before
    changes = await dbs["intake"].fetch("SELECT details FROM audit_record WHERE object_type = 'unit' AND object_id = $1 "
                                        "ORDER BY seq", unit_id)
    assert any("张三" in json.dumps(json.loads(r["details"]) if isinstance(r["details"], str) else r["details"], ensure_ascii=False)
               for r in changes)


async def test_documents_keep_every_version_and_their_content(api, unit_id, dbs):
    url = f"/units/{unit_id}/documents"
    body = {"name": "可行性研究报告.pdf", "content_base64": base64.b64encode("第一稿".encode()).decode()}
    first = await api["intake"].post(url, body, as_=applicant(unit_id))
    assert first.status_code == 201 and first.json()["version"] == 1 and first.json()["created"]
    retry = await api["intake"].post(url, body, as_=applicant(unit_id))
    assert retry.status_code == 200 and retry.json()["document_id"] == first.json()["document_id"] and not retry.json()["created"]
    second = await api["intake"].post(url, {**body, "content_base64": base64.b64encode("第二稿".encode()).decode()},
                                      as_=applicant(unit_id))
    assert second.json()["version"] == 2 and second.json()["sm3"] != first.json()["sm3"]

    listed = [d for d in (await api["intake"].get(url, as_=BUREAU)).json() if d["name"] == "可行性研究报告.pdf"]
    assert [d["version"] for d in listed] == [1, 2]
    earlier = await api["intake"].get(f"{url}/{first.json()['document_id']}/content", as_=leader(unit_id))
    assert earlier.content == "第一稿".encode() and earlier.headers["x-content-sm3"] == first.json()["sm3"]

    # an earlier version cannot be overwritten or removed, even from inside the database
    conn = await asyncpg.connect(dbs["intake"].dsn)
    try:
        for statement in ("UPDATE document SET content = 'x' WHERE id = $1", "DELETE FROM document WHERE id = $1"):
            with pytest.raises(asyncpg.RaiseError, match="document versions are kept"):
                await conn.execute(statement, uuid.UUID(first.json()["document_id"]))
    finally:
        await conn.close()


async def test_a_submission_names_only_uploaded_documents_and_changes_nothing_otherwise(api, unit_id, dbs):
    stray = doc("未上传的申报表.pdf", f"从未上传 {uuid.uuid4()}")
    documents = [{"kind": "plan_declaration_form", "document": stray}, PLAN_DOCUMENTS[1]]
    refused = await api["intake"].post("/declarations", declaration(unit_id, documents=documents), as_=applicant(unit_id))
    assert refused.status_code == 422 and refused.json()["field"] == "documents[0].document.sm3"
    assert refused.json()["message_zh"]
    assert await dbs["intake"].value("SELECT count(*) FROM declaration WHERE unit_id = $1", unit_id) == 0
    bad = await api["intake"].post(f"/units/{unit_id}/documents", {"name": "x.pdf", "content_base64": "@@"}, as_=applicant(unit_id))
    assert bad.status_code == 422


async def test_by_19_1b_a_second_micro_part_of_the_same_purpose_carries_the_finding(api, unit_id, dbs):
    purpose = "街道网格化巡查终端采购"
    first = await api["intake"].post("/declarations", declaration(unit_id, purpose=purpose, declared_amount_yuan=300_000,
                                                                  planned_start="2027-03-01", planned_end="2027-09-30"),
                                     as_=applicant(unit_id))
    assert first.status_code == 201 and first.json()["findings"] == []
    second = await api["intake"].post("/declarations", declaration(unit_id, purpose="街道网格化巡查终端采购（二批）",
                                                                   declared_amount_yuan=250_000, planned_start="2027-06-01",
                                                                   planned_end="2027-12-31"),
                                      as_=applicant(unit_id))
    (finding,) = second.json()["findings"]
    assert finding["rule_ids"] == ["BY-19.1b"] and finding["evidence"]["combined_yuan"] == 550_000
    assert [p["project_id"] for p in finding["evidence"]["projects"]] == [first.json()["project_id"]]
    # the reviewer sees it: the finding travels in ApplicationSubmitted
    payload = await dbs["intake"].value("SELECT convert_from(payload, 'UTF8') FROM outbox WHERE event_id = $1",
                                        second.json()["event_id"])
    assert "BY-19.1b" in payload and first.json()["project_id"] in payload


async def test_by_22_3_a_system_in_the_asset_catalogue_carries_the_duplicate_finding(api, new_unit_id, open_batch):
    systems = [{"name": "网格化管理系统", "function": "街道网格事件上报与处置"}]
    await file_asset_catalogue(api, new_unit_id, systems)
    plans = (await api["intake"].get(f"/units/{new_unit_id}/plans", as_=BUREAU)).json()
    assert plans[-1]["systems"][0]["name"] == "网格化管理系统"
    dup = await api["intake"].post("/declarations", declaration(new_unit_id, system_name="网格化管理平台", declared_amount_yuan=900_000),
                                   as_=applicant(new_unit_id))
    (finding,) = dup.json()["findings"]
    assert finding["rule_ids"] == ["BY-22.3", "BY-11"] and finding["evidence"]["systems"][0]["name"] == "网格化管理系统"
    assert finding["evidence"]["catalogue"]["revision"] == plans[-1]["revision"]
    fresh = await api["intake"].post("/declarations", declaration(new_unit_id, system_name="排水管网监测系统", declared_amount_yuan=900_000),
                                     as_=applicant(new_unit_id))
    assert fresh.json()["findings"] == []


async def test_only_an_asset_catalogue_lists_systems(api, unit_id):
    body = {"kind": "dev_plan", "document": PLAN_DOCUMENTS[0]["document"], "systems": [{"name": "网格化管理系统"}]}
    response = await api["intake"].post(f"/units/{unit_id}/plans", body, as_=applicant(unit_id))
    assert response.status_code == 422 and response.json()["field"] == "systems"


async def test_by_22_5_an_earlier_project_behind_schedule_is_shown_to_the_reviewer(api, infra, unit_id, dbs):
    earlier = f"P-{uuid.uuid4().hex[:8]}"
    await publish_event(infra.nats_admin_url, Envelope(ProjectApproved(
        project_id=earlier, approval_id=str(uuid.uuid4()), unit_id=unit_id, pack=PackRef(id="BY", version="2024.1"),
        project_class="build_develop", approved_amount_fen=150_000_000, approved_on=date(2026, 3, 2), rule_ids=["BY-20.4b"],
        approved_at=datetime.now(timezone.utc)), source="/services/review"))

    async def procured():
        return (await api["procurement"].get(f"/projects/{earlier}", as_=BUREAU)).status_code == 200 or None
    await eventually(procured, what="procurement knows the earlier project")
    reported = await api["procurement"].post(f"/projects/{earlier}/progress-reports", {
        "period_end": "2026-09-30", "schedule_status": "behind_schedule", "milestones_due": 4, "milestones_done": 1,
        "delay_reason": "供应商人员不到位"}, as_=applicant(unit_id))
    assert reported.status_code == 201, reported.text

    async def heard():
        return await dbs["intake"].value("SELECT count(*) FROM project_progress WHERE project_id = $1", earlier) or None
    await eventually(heard, what="intake hears of the progress report")
    declared = await api["intake"].post("/declarations", declaration(unit_id, declared_amount_yuan=900_000), as_=applicant(unit_id))
    (finding,) = [f for f in declared.json()["findings"] if f["key"] == "reasonable_cause"]
    assert finding["rule_ids"] == ["BY-22.5"]
    assert finding["evidence"]["projects"][0] | {"report_id": None} == {
        "project_id": earlier, "report_id": None, "period_end": "2026-09-30", "milestones_due": 4, "milestones_done": 1,
        "delay_reason": "供应商人员不到位"}


async def test_by_9_a_development_plan_covers_its_state_model_processes_tasks_and_architecture(api, unit_id):
    plan = {"kind": "dev_plan", "document": PLAN_DOCUMENTS[0]["document"], "contents": ["current_state", "planned_tasks"]}
    short = await api["intake"].post(f"/units/{unit_id}/plans", plan, as_=applicant(unit_id))
    assert short.status_code == 422 and short.json()["field"] == "contents" and short.json()["rule_ids"] == ["BY-9"]
    assert "数据架构" in short.json()["message_zh"]
    plan["contents"] = ["current_state", "business_model", "business_processes", "planned_tasks", "overall_architecture",
                        "data_architecture", "application_architecture"]
    filed = await api["intake"].post(f"/units/{unit_id}/plans", plan, as_=applicant(unit_id))
    assert filed.status_code == 201, filed.text
