"""Review along another pack's path, and co-review: 巴中's written opinions before the committee
(BZ-20), the committee's share of experts (BZ-5b), the 发改委's decision recorded (BZ-21b); in 白云,
bodies asked by topic (BY-5.5) whose objection holds the approval."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from contracts.base import PackRef
from contracts.envelope import Envelope
from contracts.events import ApplicationSubmitted, SchemeSubmitted
from tests.integration.harness import BUREAU, eventually, leader, publish_event

pytestmark = pytest.mark.integration

BZ_BODIES = {"cyberspace", "secrecy_cryptography", "finance", "public_security", "industry_information"}


async def declared_under(infra, api, pack: PackRef, project_class: str, yuan: int) -> tuple[str, str]:
    """A declaration as the intake of a deployment running ``pack`` publishes it."""
    project_id, unit_id = f"P-{pack.id}-{uuid.uuid4().hex[:8]}", f"U-{uuid.uuid4().hex[:8]}"
    await publish_event(infra.nats_admin_url, Envelope(ApplicationSubmitted(
        project_id=project_id, application_id=str(uuid.uuid4()), unit_id=unit_id, pack=pack, project_name="智慧医保结算系统",
        declared_amount_fen=yuan * 100, submitted_at=datetime.now(timezone.utc), project_class=project_class), source="/services/intake"))

    async def opened():
        response = await api["review"].get(f"/cases/{project_id}", as_=BUREAU)
        return response.json() if response.status_code == 200 else None
    await eventually(opened, what=f"{pack.id} case")
    return project_id, unit_id


async def opinion(api, project_id, stage, result="passed", **extra):
    body = {"stage": stage, "round": 1, "result": result, "reasons": [] if result == "passed" else ["需补充"], **extra}
    return await api["review"].post(f"/cases/{project_id}/opinions", body, as_=BUREAU)


def members(experts: int, officials: int) -> list[dict]:
    return ([{"name": f"专家{n}", "kind": "expert"} for n in range(experts)]
            + [{"name": f"委员{n}", "kind": "official", "body": "市财政局"} for n in range(officials)])


async def test_bz_20_bz_5b_a_bazhong_project_through_opinions_committee_and_external_approval(api, infra):
    project_id, unit_id = await declared_under(infra, api, PackRef(id="BZ", version="2022.1"), "application_system", 800_000)
    case = (await api["review"].get(f"/cases/{project_id}", as_=BUREAU)).json()
    assert case["path"] == ["co_review", "initial_review", "committee_review", "finance_review", "external_approval"]
    asked = (await api["review"].get(f"/cases/{project_id}/co-reviews", as_=BUREAU)).json()
    assert {a["body"] for a in asked} == BZ_BODIES and all(a["rule_ids"] == ["BZ-20"] and a["due_on"] for a in asked)

    early = await opinion(api, project_id, "co_review")
    assert early.status_code == 409 and early.json()["rule_ids"] == ["BZ-20"] and set(early.json()["details"]["missing"]) == BZ_BODIES
    for body in sorted(BZ_BODIES):
        recorded = await api["review"].post(f"/cases/{project_id}/co-reviews/{body}/opinion", {"result": "agreed"}, as_=BUREAU)
        assert recorded.status_code == 201, recorded.text
    again = await api["review"].post(f"/cases/{project_id}/co-reviews/finance/opinion", {"result": "objected", "reasons": ["改主意"]},
                                     as_=BUREAU)
    assert again.status_code == 409  # an opinion, once recorded, stands

    assert (await opinion(api, project_id, "co_review")).json()["stage"] == "initial_review"
    assert (await opinion(api, project_id, "initial_review")).json()["stage"] == "committee_review"
    short = await opinion(api, project_id, "committee_review", committee_members=members(2, 5))
    assert short.status_code == 422 and short.json()["rule_ids"] == ["BZ-5b"] and short.json()["field"] == "committee_members"
    assert (await opinion(api, project_id, "committee_review", committee_members=members(3, 6))).status_code == 201  # exactly 1/3
    assert (await opinion(api, project_id, "finance_review")).json()["stage"] == "external_approval"
    recorded = await opinion(api, project_id, "external_approval")
    assert recorded.json()["stage"] == "approval" and recorded.json()["awaiting"] == "bureau"
    off_list = await api["review"].post(f"/cases/{project_id}/approval",
                                        {"approved_amount_yuan": 800_000, "document_number": "巴发改审批〔2027〕3号"}, as_=BUREAU)
    assert off_list.status_code == 409 and off_list.json()["rule_ids"] == ["BZ-15"]
    listed = await api["review"].post("/annual-lists", {"pack_id": "BZ", "year": 2027, "project_ids": [project_id],
                                                        "approved_on": "2026-12-28", "document_number": "巴委办〔2026〕88号"}, as_=BUREAU)
    assert listed.status_code == 201, listed.text
    by_list = await api["review"].post("/annual-lists", {"year": 2027, "project_ids": [project_id], "approved_on": "2026-12-28",
                                                         "document_number": "白政数〔2026〕1号"}, as_=BUREAU)
    assert by_list.status_code == 409  # the deployment's pack (BY) approves without an annual list
    approved = await api["review"].post(f"/cases/{project_id}/approval", {"approved_amount_yuan": 800_000, "document_number": "巴发改审批〔2027〕3号"},
                                        as_=BUREAU)
    assert approved.status_code == 201, approved.text
    assert approved.json()["pack_id"] == "BZ" and approved.json()["valid_until"] is None  # BZ states no validity
    assert [o["stage"] for o in approved.json()["opinions"]] == ["co_review", "initial_review", "committee_review", "finance_review",
                                                                  "external_approval"]


async def test_by_5_5_a_body_asked_by_topic_holds_the_approval_with_its_objection(api, infra):
    project_id, unit_id = await declared_under(infra, api, PackRef(id="BY", version="2024.1"), "build_develop", 2_000_000)
    assert (await api["review"].get(f"/cases/{project_id}/co-reviews", as_=BUREAU)).json() == []  # BY asks no body for every project
    none = await api["review"].post(f"/cases/{project_id}/co-reviews", {"topics": []}, as_=BUREAU)
    assert none.status_code == 422 and none.json()["field"] == "topics"
    asked = await api["review"].post(f"/cases/{project_id}/co-reviews",
                                     {"topics": ["public_video"], "invited": [{"body": "health_bureau", "name_zh": "区卫生健康局"}]}, as_=BUREAU)
    assert asked.status_code == 201
    assert {(a["body"], tuple(a["rule_ids"])) for a in asked.json()} == {("video_office", ("BY-5.5",)), ("health_bureau", ("BY-5.6",))}
    await api["review"].post(f"/cases/{project_id}/co-reviews/video_office/opinion",
                             {"result": "objected", "reasons": ["视频资源未接入区视频共享平台"]}, as_=BUREAU)
    await api["review"].post(f"/cases/{project_id}/co-reviews/health_bureau/opinion", {"result": "agreed"}, as_=BUREAU)

    assert (await opinion(api, project_id, "plan_review", amount_yuan=2_000_000)).status_code == 201
    await publish_event(infra.nats_admin_url, Envelope(SchemeSubmitted(
        project_id=project_id, scheme_id="S-1", application_id="A-1", unit_id=unit_id, pack=PackRef(id="BY", version="2024.1"),
        project_class="build_develop", track="ordinary", estimate_fen=190_000_000, revision=1, submitted_at=datetime.now(timezone.utc)),
        source="/services/intake"))

    async def scheme_arrived():
        case = (await api["review"].get(f"/cases/{project_id}", as_=leader(unit_id))).json()
        return case if case["awaiting"] == "bureau" else None
    assert (await eventually(scheme_arrived, what="scheme under initial review"))["stage"] == "initial_review"
    for stage in ("initial_review", "expert_review"):
        assert (await opinion(api, project_id, stage)).status_code == 201
    assert (await opinion(api, project_id, "cost_review", amount_yuan=1_900_000)).json()["stage"] == "approval"
    held = await api["review"].post(f"/cases/{project_id}/approval", {"approved_amount_yuan": 1_900_000, "document_number": "白政数审〔2027〕9号"},
                                    as_=BUREAU)
    assert held.status_code == 409 and held.json()["rule_ids"] == ["BY-5.5"] and held.json()["details"]["objecting"] == ["video_office"]


async def test_dy_10_3b_a_project_the_bureau_owns_is_reviewed_by_a_named_third_party(api, infra):
    project_id, unit_id = f"P-DY-{uuid.uuid4().hex[:8]}", f"U-{uuid.uuid4().hex[:8]}"
    await publish_event(infra.nats_admin_url, Envelope(ApplicationSubmitted(
        project_id=project_id, application_id=str(uuid.uuid4()), unit_id=unit_id, pack=PackRef(id="DY", version="2020.1"),
        project_name="县政务云扩容", declared_amount_fen=90_000_000, submitted_at=datetime.now(timezone.utc),
        project_class="infrastructure", flags=["bureau_is_owner"]), source="/services/intake"))

    async def opened():
        response = await api["review"].get(f"/cases/{project_id}", as_=BUREAU)
        return response.json() if response.status_code == 200 else None
    case = await eventually(opened, what="DY case")
    assert case["path"] == ["expert_review", "cost_review", "approval", "finance_review"]  # DY-10.3a, DY-11a
    unnamed = await opinion(api, project_id, "expert_review")
    assert unnamed.status_code == 422 and unnamed.json()["rule_ids"] == ["DY-10.3b"] and unnamed.json()["field"] == "third_party"
    named = await opinion(api, project_id, "expert_review", third_party="广东某工程咨询有限公司")
    assert named.status_code == 201 and named.json()["rounds"][0]["third_party"] == "广东某工程咨询有限公司"
