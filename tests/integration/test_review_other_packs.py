"""Review along another pack's path, and co-review: 巴中's written opinions before the committee
(BZ-20), the committee's share of experts (BZ-5b), the 发改委's decision recorded (BZ-21b), 市政府审定 of a
project the counties share in (BZ-9), a 不予立项 item ending the project (BZ-8); in 白云, bodies asked by
topic (BY-5.5) whose objection holds the approval; 东源's bureau as approver (DY-3.1); 云浮's bureau
applying for a 公共类 project's funds (YF-7.4)."""

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


BY, BZ, DY, YF = (PackRef(id="BY", version="2024.1"), PackRef(id="BZ", version="2022.1"), PackRef(id="DY", version="2020.1"),
                  PackRef(id="YF", version="2020.1"))


async def declared_under(infra, api, pack: PackRef, project_class: str, yuan: int, flags: tuple[str, ...] = ()) -> tuple[str, str]:
    """A declaration as the intake of a deployment running ``pack`` publishes it."""
    project_id, unit_id = f"P-{pack.id}-{uuid.uuid4().hex[:8]}", f"U-{uuid.uuid4().hex[:8]}"
    await publish_event(infra.nats_admin_url, Envelope(ApplicationSubmitted(
        project_id=project_id, application_id=str(uuid.uuid4()), unit_id=unit_id, pack=pack, project_name="智慧医保结算系统",
        declared_amount_fen=yuan * 100, submitted_at=datetime.now(timezone.utc), project_class=project_class, flags=list(flags)),
        source="/services/intake"))

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


async def past_written_opinions(api, project_id) -> None:
    """巴中's written opinions in (BZ-20) and the case on to 领导小组办公室's technical review."""
    for body in sorted(BZ_BODIES):
        recorded = await api["review"].post(f"/cases/{project_id}/co-reviews/{body}/opinion", {"result": "agreed"}, as_=BUREAU)
        assert recorded.status_code == 201, recorded.text
    assert (await opinion(api, project_id, "co_review")).json()["stage"] == "initial_review"


async def test_bz_9_a_city_project_the_counties_share_in_waits_for_the_city_governments_decision(api, infra):
    """BZ-9: 需县（区）共享协同的市级项目，经领导小组办公室审核，报市政府审定; the city unit sets the sharing and
    collaboration standards. 市政府 is asked once the technical review passes, and the approval waits for it."""
    project_id, _ = await declared_under(infra, api, BZ, "application_system", 800_000, flags=("county_collaboration",))
    assert "county_collaboration" in (await api["review"].get(f"/cases/{project_id}", as_=BUREAU)).json()["flags"]
    await past_written_opinions(api, project_id)
    asked = {a["body"] for a in (await api["review"].get(f"/cases/{project_id}/co-reviews", as_=BUREAU)).json()}
    assert asked == BZ_BODIES  # not before 领导小组办公室 has reviewed it

    no_standards = [{"key": "no_collaboration_standards", "found": True, "note": "未明确县区接入和数据共享标准"}]
    contradictory = await opinion(api, project_id, "initial_review", judgements=no_standards)
    assert contradictory.status_code == 422 and contradictory.json()["rule_ids"] == ["BZ-9"]
    reviewed = await opinion(api, project_id, "initial_review", judgements=[{**no_standards[0], "found": False, "note": None}])
    assert reviewed.json()["stage"] == "committee_review"
    city = {a["body"]: a for a in (await api["review"].get(f"/cases/{project_id}/co-reviews", as_=BUREAU)).json()}["city_government"]
    assert city["rule_ids"] == ["BZ-9"] and city["before"] == "approval" and city["result"] is None

    assert (await opinion(api, project_id, "committee_review", committee_members=members(3, 6))).status_code == 201
    assert (await opinion(api, project_id, "finance_review")).json()["stage"] == "external_approval"
    assert (await opinion(api, project_id, "external_approval")).json()["stage"] == "approval"
    approval = {"approved_amount_yuan": 800_000, "document_number": "巴发改审批〔2027〕7号"}
    held = await api["review"].post(f"/cases/{project_id}/approval", approval, as_=BUREAU)
    assert held.status_code == 409 and held.json()["rule_ids"] == ["BZ-9"] and held.json()["details"]["missing"] == ["city_government"]
    decided = await api["review"].post(f"/cases/{project_id}/co-reviews/city_government/opinion", {"result": "agreed"}, as_=BUREAU)
    assert decided.status_code == 201 and decided.json()["rule_ids"] == ["BZ-9"]
    await api["review"].post("/annual-lists", {"pack_id": "BZ", "year": 2027, "project_ids": [project_id], "approved_on": "2026-12-28",
                                               "document_number": "巴委办〔2026〕91号"}, as_=BUREAU)
    approved = await api["review"].post(f"/cases/{project_id}/approval", approval, as_=BUREAU)
    assert approved.status_code == 201, approved.text


async def test_bz_9_a_project_of_the_city_alone_goes_to_no_city_government_decision(api, infra):
    """BZ-9 binds only projects declared as needing the counties' collaboration; its concern is not judged on others."""
    project_id, _ = await declared_under(infra, api, BZ, "application_system", 800_000)
    await past_written_opinions(api, project_id)
    misjudged = await opinion(api, project_id, "initial_review", judgements=[{"key": "no_collaboration_standards", "found": False}])
    assert misjudged.status_code == 422 and misjudged.json()["field"] == "judgements[0].key" and misjudged.json()["rule_ids"] == ["BZ-9"]
    assert (await opinion(api, project_id, "initial_review")).json()["stage"] == "committee_review"
    asked = {a["body"] for a in (await api["review"].get(f"/cases/{project_id}/co-reviews", as_=BUREAU)).json()}
    assert "city_government" not in asked


async def test_bz_8_a_listed_item_found_in_the_technical_review_ends_the_project_in_its_first_round(api, infra, dbs):
    """BZ-8: 存在以下情况的项目原则上不予立项 — 新购非涉密服务器 (item 1) found ends the project at once, though
    巴中 sets no limit of rounds; the rejection cites the item."""
    project_id, _ = await declared_under(infra, api, BZ, "application_system", 800_000)
    await past_written_opinions(api, project_id)
    found = [{"key": "own_machine_room", "found": True, "note": "拟新购非涉密服务器6台"}]
    ended = await opinion(api, project_id, "initial_review", "failed", judgements=found)
    assert ended.status_code == 201 and ended.json()["status"] == "rejected"
    last = ended.json()["rounds"][-1]
    assert "BZ-8.1" in last["rule_ids"] and last["judgements"][0]["effect"] == "refuses"
    event = await dbs["review"].value("SELECT convert_from(payload, 'UTF8') FROM outbox WHERE event_type = 'review.project.rejected.v1' "
                                      "AND convert_from(payload, 'UTF8') LIKE $1", f"%{project_id}%")
    assert '"BZ-8.1"' in event


async def test_dy_3_1_the_county_bureau_reviews_cost_and_approves_and_its_approval_cites_it(api, infra):
    """DY-3.1: 县政务服务数据管理局负责组织项目的立项审批、造价审核，提供基础性、公共性、通用性服务 — its cost
    review caps the approval, the approval names it as approver under DY-3.1, and a unit building the
    bureau's common services for itself does not pass."""
    project_id, _ = await declared_under(infra, api, DY, "infrastructure", 900_000)
    own = [{"key": "own_common_services", "found": True, "note": "自建统一身份认证和电子印章"}]
    contradictory = await opinion(api, project_id, "expert_review", judgements=own)
    assert contradictory.status_code == 422 and contradictory.json()["rule_ids"] == ["DY-3.1"]
    assert (await opinion(api, project_id, "expert_review")).json()["stage"] == "cost_review"
    assert (await opinion(api, project_id, "cost_review", amount_yuan=850_000)).json()["stage"] == "approval"
    above = await api["review"].post(f"/cases/{project_id}/approval", {"approved_amount_yuan": 850_001, "document_number": "东政数审〔2027〕2号"},
                                     as_=BUREAU)
    assert above.status_code == 422 and above.json()["field"] == "approved_amount_yuan"
    approved = await api["review"].post(f"/cases/{project_id}/approval", {"approved_amount_yuan": 850_000, "document_number": "东政数审〔2027〕2号"},
                                        as_=BUREAU)
    assert approved.status_code == 201, approved.text
    assert approved.json()["authority"] == "bureau" and "DY-3.1" in approved.json()["rule_ids"]


async def test_yf_7_4_the_bureau_applies_for_a_public_projects_funds_after_the_fund_review(api, infra):
    """YF-7.4: 市政务服务数据管理局将完成资金审核的公共类服务项目，按程序报市政府申请资金 — after the fund review
    passed, once, within the cost review's amount; a 专业类 project's funds are its unit's to apply for (YF-8.5)."""
    project_id, unit_id = await declared_under(infra, api, YF, "software_development", 3_000_000, flags=("public_class",))
    url, request = f"/cases/{project_id}/fund-application", {"amount_yuan": 2_800_000, "document_number": "云政数〔2027〕5号"}
    early = await api["review"].post(url, request, as_=BUREAU)
    assert early.status_code == 409 and early.json()["rule_ids"] == ["YF-7.4"] and early.json()["field"] == "project_id"
    assert (await opinion(api, project_id, "initial_review")).status_code == 201
    assert (await opinion(api, project_id, "cost_review", amount_yuan=2_800_000)).status_code == 201
    assert (await opinion(api, project_id, "expert_review")).status_code == 201
    still_early = await api["review"].post(url, request, as_=BUREAU)
    assert still_early.status_code == 409 and "finance_review" in still_early.json()["message"]
    assert (await opinion(api, project_id, "finance_review")).json()["stage"] == "approval"

    above = await api["review"].post(url, {**request, "amount_yuan": 2_800_001}, as_=BUREAU)
    assert above.status_code == 422 and above.json()["field"] == "amount_yuan" and above.json()["rule_ids"] == ["YF-7.4"]
    unnumbered = await api["review"].post(url, {"amount_yuan": 2_800_000}, as_=BUREAU)
    assert unnumbered.status_code == 422 and unnumbered.json()["field"] == "document_number" and unnumbered.json()["message_zh"]
    by_unit = await api["review"].post(url, request, as_=leader(unit_id))
    assert by_unit.status_code == 403
    applied = await api["review"].post(url, request, as_=BUREAU)
    assert applied.status_code == 201, applied.text
    assert (applied.json()["addressee_zh"], applied.json()["rule_ids"], applied.json()["amount_yuan"]) == ("市政府", ["YF-7.4"], 2_800_000)
    again = await api["review"].post(url, request, as_=BUREAU)
    assert again.status_code == 409 and again.json()["rule_ids"] == ["YF-7.4"]
    case = (await api["review"].get(f"/cases/{project_id}", as_=BUREAU)).json()
    assert case["fund_application"]["document_number"] == "云政数〔2027〕5号" and case["fund_application"]["applied_by"]

    professional, _ = await declared_under(infra, api, YF, "software_development", 3_000_000)
    theirs = await api["review"].post(f"/cases/{professional}/fund-application", request, as_=BUREAU)
    assert theirs.status_code == 409 and theirs.json()["rule_ids"] == ["YF-7.4"] and "public_class" in theirs.json()["message"]
    baiyun, _ = await declared_under(infra, api, BY, "build_develop", 2_000_000)
    none = await api["review"].post(f"/cases/{baiyun}/fund-application", request, as_=BUREAU)
    assert none.status_code == 409 and none.json()["rule_ids"] == []
