"""The unit-standing projection (不予立项): blocks raised by events of the project's pack, a refused
declaration naming each rule and cause, and the releasing event letting the next one through."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

import pytest

from contracts.base import PackRef
from contracts.envelope import Envelope
from contracts.events import (
    AcceptanceFiled,
    AcceptanceFilingRejected,
    DeadlineElapsed,
    EvaluationCompleted,
    RectificationCompleted,
    SupervisionFindingRecorded,
)
from tests.integration.harness import PLAN_DOCUMENTS, applicant, doc, eventually, leader, publish_event

pytestmark = pytest.mark.integration

CATALOGUE_2026 = doc("信息化资产目录2026.xlsx")
CATALOGUE_2026_REVISED = doc("信息化资产目录2026.xlsx", "修订后的资产目录")

BY, BZ = PackRef(id="BY", version="2024.1"), PackRef(id="BZ", version="2022.1")
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)


def from_acceptance(event) -> Envelope:
    return Envelope(event, source="/services/acceptance")


async def standing(api, unit_id):
    return (await api["intake"].get(f"/units/{unit_id}/standing", as_=leader(unit_id))).json()


async def declare(api, unit_id, project_class="build_develop", name="政务服务事项管理系统"):
    body = {"unit_id": unit_id, "project_name": name, "declared_amount_yuan": 1_200_000, "project_class": project_class,
            "documents": PLAN_DOCUMENTS}
    return await api["intake"].post("/declarations", body, as_=applicant(unit_id))


async def blocks_by(api, unit_id, rule):
    async def found():
        rows = [b for b in (await standing(api, unit_id))["blocks"] if rule in b["rule_ids"]]
        return rows or None
    return await eventually(found, what=f"{rule} block on {unit_id}")


async def lifted(api, unit_id):
    async def gone():
        return (await standing(api, unit_id))["blocks"] == [] or None
    await eventually(gone, what=f"blocks on {unit_id} lifted")


async def test_by_48d_final_filing_rejection_blocks_suspends_reviews_and_filing_lifts(api, infra, unit_id):
    project_id = f"P-{uuid.uuid4().hex[:8]}"
    rejected = from_acceptance(AcceptanceFilingRejected(
        project_id=project_id, filing_id="F-1", unit_id=unit_id, pack=BY, attempt=2, final=True,
        rule_ids=["BY-48c", "BY-48d"], rejected_at=NOW))
    await publish_event(infra.nats_admin_url, rejected)
    await blocks_by(api, unit_id, "BY-22.7")
    state = await standing(api, unit_id)
    assert state["reviews_suspended"] is True
    assert {b["scope"] for b in state["blocks"]} == {"all_new_projects", "reviews_suspended"}

    refused = await declare(api, unit_id)
    assert refused.status_code == 409 and refused.json()["rule_ids"] == ["BY-22.7"]
    (violation,) = refused.json()["details"]["violations"]
    assert violation["cause"] == {"event_id": rejected.id, "event_type": "AcceptanceFilingRejected", "project_id": project_id,
                                  "placed_at": violation["cause"]["placed_at"]}
    assert "AcceptanceFiled" in violation["lifted_by"] and violation["lifted_by_zh"]

    await publish_event(infra.nats_admin_url, from_acceptance(AcceptanceFiled(
        project_id=project_id, filing_id="F-2", unit_id=unit_id, pack=BY, filed_on=date(2026, 11, 25),
        rule_ids=["BY-48a"], filed_at=NOW)))
    await lifted(api, unit_id)
    assert (await standing(api, unit_id))["reviews_suspended"] is False
    assert (await declare(api, unit_id)).status_code == 201


async def test_by_53_2_a_fail_grade_bans_the_same_class_through_next_year(api, infra, unit_id):
    earlier = await declare(api, unit_id, "service", "政务热线运营服务")
    assert earlier.status_code == 201
    await publish_event(infra.nats_admin_url, from_acceptance(EvaluationCompleted(
        project_id=earlier.json()["project_id"], evaluation_id="E-1", unit_id=unit_id, pack=BY, kind="third_party",
        grade="unqualified", rule_ids=["BY-53a"], completed_on=date(2026, 11, 20), completed_at=NOW)))
    (ban,) = await blocks_by(api, unit_id, "BY-53.2")
    assert (ban["scope"], ban["project_class"]) == ("same_type_next_year", "service")
    assert ban["until"] == "2027-12-31"
    same = await declare(api, unit_id, "service", "政务热线运营服务二期")
    assert same.status_code == 409 and same.json()["rule_ids"] == ["BY-53.2"]
    assert (await declare(api, unit_id, "build_develop")).status_code == 201


async def test_bz_47_security_finding_blocks_new_systems_until_rectified(api, infra, unit_id):
    finding = from_acceptance(SupervisionFindingRecorded(
        finding_id="SF-1", unit_id=unit_id, pack=BZ, kind="security", severity="major", authority="cyberspace",
        description="等保测评发现高危漏洞未整改", rule_ids=["BZ-47"], recorded_at=NOW))
    await publish_event(infra.nats_admin_url, finding)
    await blocks_by(api, unit_id, "BZ-47")
    refused = await declare(api, unit_id)
    assert refused.status_code == 409 and "BZ-47" in refused.json()["rule_ids"]
    await publish_event(infra.nats_admin_url, from_acceptance(RectificationCompleted(
        unit_id=unit_id, pack=BZ, source="supervision", finding_id="SF-1", cause_event_id=finding.id,
        rule_ids=["BZ-47"], completed_on=date(2026, 11, 30), confirmed_at=NOW)))
    await lifted(api, unit_id)
    assert (await declare(api, unit_id)).status_code == 201


async def test_by_22_7_a_missed_filing_deadline_from_notify_blocks_the_unit(api, infra, unit_id):
    project_id = f"P-{uuid.uuid4().hex[:8]}"
    await publish_event(infra.nats_admin_url, Envelope(DeadlineElapsed(
        deadline_id="D-1", kind="acceptance_filing", project_id=project_id, unit_id=unit_id, pack=BY,
        rule_ids=["BY-48a"], due_at=NOW), source="/services/notify"))
    (block,) = await blocks_by(api, unit_id, "BY-22.7")
    assert block["lifted_by"] == "AcceptanceFiled" and block["project_id"] == project_id
    assert block["lifted_by_zh"] == f"项目 {project_id} 完成验收备案" and project_id in block["lifted_by_text"]
    assert (await declare(api, unit_id)).status_code == 409


async def test_a_declaration_names_a_class_of_the_pack(api, unit_id):
    response = await declare(api, unit_id, "software_development")  # a YL/YF/DY class, not one of BY-4
    assert response.status_code == 422 and response.json()["field"] == "project_class"
    assert "BY-4" in response.json()["rule_ids"] and response.json()["message_zh"]


async def test_by_22_10_a_unit_without_its_asset_catalogue_may_not_declare_until_it_files_one(api, new_unit_id):
    refused = await declare(api, new_unit_id)
    assert refused.status_code == 409 and refused.json()["rule_ids"] == ["BY-10", "BY-22.10"]
    (violation,) = refused.json()["details"]["violations"]
    assert violation["cause"] is None and "asset_catalogue" in violation["lifted_by"] and violation["message_zh"]

    body = {"kind": "asset_catalogue", "document": CATALOGUE_2026}
    filed = await api["intake"].post(f"/units/{new_unit_id}/plans", body, as_=applicant(new_unit_id))
    assert filed.status_code == 201 and filed.json()["revision"] == 1 and filed.json()["rule_ids"] == ["BY-10", "BY-22.10"]
    assert (await declare(api, new_unit_id)).status_code == 201

    # BY-12 及时重新备案: a re-filing is the next revision and the earlier one is kept
    again = await api["intake"].post(f"/units/{new_unit_id}/plans", {**body, "document": CATALOGUE_2026_REVISED},
                                     as_=applicant(new_unit_id))
    assert again.json()["revision"] == 2
    plans = (await api["intake"].get(f"/units/{new_unit_id}/plans", as_=leader(new_unit_id))).json()
    assert [(p["kind"], p["revision"], p["document_sm3"]) for p in plans] == [
        ("asset_catalogue", 1, CATALOGUE_2026["sm3"]), ("asset_catalogue", 2, CATALOGUE_2026_REVISED["sm3"])]


async def test_a_plan_the_pack_does_not_ask_for_is_refused_naming_the_kind(api, new_unit_id):
    body = {"kind": "annual_plan", "plan_year": 2027, "document": doc("2027年度计划.docx")}
    response = await api["intake"].post(f"/units/{new_unit_id}/plans", body, as_=applicant(new_unit_id))
    assert response.status_code == 422 and response.json()["field"] == "kind"  # YF-6's annual plan is not a BY duty
    bad = {"kind": "asset_catalogue", "document": {"name": "目录", "sm3": "not-a-digest"}}
    response = await api["intake"].post(f"/units/{new_unit_id}/plans", bad, as_=applicant(new_unit_id))
    assert response.status_code == 422 and response.json()["field"] == "document.sm3"
    assert (await api["intake"].get(f"/units/{new_unit_id}/plans", as_=leader(new_unit_id))).json() == []


async def test_by_22_8_an_upgrade_waits_for_its_predecessors_acceptance(api, infra, unit_id):
    from contracts.events import AcceptancePassed

    earlier = (await declare(api, unit_id, "build_develop", "城管综合执法系统")).json()["project_id"]
    body = {"unit_id": unit_id, "project_name": "城管综合执法系统升级改造", "declared_amount_yuan": 900_000,
            "project_class": "build_develop", "upgrade_of_project_id": earlier, "documents": PLAN_DOCUMENTS}
    refused = await api["intake"].post("/declarations", body, as_=applicant(unit_id))
    assert refused.status_code == 409 and refused.json()["rule_ids"] == ["BY-22.8"]
    assert refused.json()["details"]["violations"][0]["lifted_by"] == f"AcceptancePassed for project {earlier}"

    await publish_event(infra.nats_admin_url, from_acceptance(AcceptancePassed(
        project_id=earlier, unit_id=unit_id, pack=BY, attempt=1, concluded_on=date(2026, 11, 20), recorded_at=NOW)))

    async def accepted():
        response = await api["intake"].post("/declarations", body, as_=applicant(unit_id))
        return response if response.status_code == 201 else None
    await eventually(accepted, what="the upgrade accepted once the predecessor passed")


async def test_by_22_8_concerns_build_projects_only(api, unit_id):
    earlier = (await declare(api, unit_id, "operation_maintenance", "视频会议系统运维")).json()["project_id"]
    body = {"unit_id": unit_id, "project_name": "视频会议系统运维（续）", "declared_amount_yuan": 600_000,
            "project_class": "operation_maintenance", "upgrade_of_project_id": earlier, "documents": PLAN_DOCUMENTS}
    assert (await api["intake"].post("/declarations", body, as_=applicant(unit_id))).status_code == 201


async def test_by_22_15_a_rectification_lifts_only_the_block_of_the_finding_it_answers(api, infra, unit_id):
    project_id = f"P-{uuid.uuid4().hex[:8]}"
    findings = [from_acceptance(SupervisionFindingRecorded(
        finding_id=f"SF-{n}", unit_id=unit_id, project_id=project_id, pack=BZ, kind="security", severity="major",
        authority="cyberspace", description=f"第{n}项高危漏洞未整改", rule_ids=["BZ-47"], recorded_at=NOW)) for n in (1, 2)]
    for finding in findings:
        await publish_event(infra.nats_admin_url, finding)

    async def both():
        standing = (await api["intake"].get(f"/units/{unit_id}/standing", as_=leader(unit_id))).json()["blocks"]
        return len([b for b in standing if b["rule_ids"] == ["BZ-47"]]) == 2 or None
    await eventually(both, what="a BZ-47 block for each finding")
    await publish_event(infra.nats_admin_url, from_acceptance(RectificationCompleted(
        unit_id=unit_id, project_id=project_id, pack=BZ, source="supervision", finding_id="SF-1", cause_event_id=findings[0].id,
        rule_ids=["BZ-47"], completed_on=date(2026, 11, 30), confirmed_at=NOW)))

    async def one_left():
        standing = (await api["intake"].get(f"/units/{unit_id}/standing", as_=leader(unit_id))).json()["blocks"]
        left = [b["cause_event_id"] for b in standing if b["rule_ids"] == ["BZ-47"]]
        return left == [findings[1].id] or None
    await eventually(one_left, what="only the unrectified finding's block left")
    assert (await declare(api, unit_id)).status_code == 409  # the second finding still stands (BZ-47)
