"""Acceptance (RULES.md §3.8, §3.9): a 白云 build project from initial acceptance through the trial run,
data aggregation, evidence, the compliance opinion, a failed and a passed final review, filing with one
defect round and the self-evaluation, moving the acceptance clock instead of waiting; a 玉林 project
through three deferrals and a refused fourth; and each failure's block in intake and hold in procurement."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from contracts.base import PackRef
from contracts.envelope import Envelope
from acceptance.domain.gates import WORKFLOW_KEYS
from contracts.events import ContractFiled, DeadlineElapsed, EvaluationCompleted, ProjectApproved
from policy.packs import get_pack
from review.handlers import later_requirements
from tests.integration.harness import (
    ADMIN,
    BUREAU,
    BY,
    BZ,
    DY,
    FINANCE,
    YF,
    YL,
    applicant,
    doc,
    eventually,
    leader,
    publish_event,
)

pytestmark = pytest.mark.integration

REPORT = doc("验收材料.pdf")
FIRM = {"name": "广州某效能评估咨询有限公司", "credit_code": "91440101MA5EVAL001"}
IP_REPORT = {"plan_completion": "计划申请软件著作权2项，已登记2项", "ownership_transfer": "源代码及软件著作权已归项目单位",
             "follow_up_operation": "由项目单位信息科负责运营，年度运维已纳入预算"}


def real_today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


async def acceptance_today(api) -> date:
    clock = (await api["acceptance"].get("/ops/clock", as_=ADMIN)).json()
    return datetime.fromisoformat(clock["now"]).astimezone(ZoneInfo("Asia/Shanghai")).date()


async def approved(infra, api, pack: PackRef, project_class: str, yuan: int, contract_yuan: int | None = None,
                   flags: tuple[str, ...] = ()) -> tuple[str, str]:
    """A project approved as review publishes it, with its builder's contract as procurement files it."""
    project_id, unit_id = f"P-{uuid.uuid4().hex[:8]}", f"U-{uuid.uuid4().hex[:8]}"
    owed = later_requirements(get_pack(pack.id, pack.version), project_class, yuan, flags)
    await publish_event(infra.nats_admin_url, Envelope(ProjectApproved(
        project_id=project_id, approval_id=str(uuid.uuid4()), unit_id=unit_id, pack=pack, project_class=project_class,
        approved_amount_fen=yuan * 100, approved_on=real_today() - timedelta(days=200), rule_ids=["BY-20.4b"],
        approved_at=datetime.now(timezone.utc), requirements=owed), source="/services/review"))
    if contract_yuan:
        await publish_event(infra.nats_admin_url, Envelope(ContractFiled(
            project_id=project_id, contract_id=str(uuid.uuid4()), unit_id=unit_id, pack=pack, kind="contract",
            supplier_id="91440111MA5TEST001", supplier_role="builder", amount_fen=contract_yuan * 100,
            signed_on=real_today() - timedelta(days=190), rule_ids=["BY-26c"], filed_at=datetime.now(timezone.utc)),
            source="/services/procurement"))

    async def known():
        response = await api["acceptance"].get(f"/projects/{project_id}/acceptance", as_=BUREAU)
        body = response.json() if response.status_code == 200 else {}
        return body if body and (not contract_yuan or body["contract_amount_yuan"] == contract_yuan) else None
    await eventually(known, what=f"acceptance follows {project_id}")
    return project_id, unit_id


async def post(api, path, body, actor):
    return await api["acceptance"].post(path, body, as_=actor)


async def deadlines_of(api, project_id: str, kind: str) -> list[dict] | None:
    """Notify's deadlines of ``kind`` on the project, or None while there are none."""
    answer = await api["notify"].get(f"/projects/{project_id}/deadlines", as_=BUREAU)
    return [d for d in answer.json() if d["kind"] == kind] or None if answer.status_code == 200 else None


async def deadline_stopped(api, project_id: str, kind: str) -> None:
    """Notify's deadline of ``kind`` on the project was stopped by the step that meets it."""
    async def stopped():
        rows = await deadlines_of(api, project_id, kind) or []
        return rows and all(row["state"] == "stopped" for row in rows) or None
    await eventually(stopped, what=f"the {kind} deadline stopped")


def rules(response) -> list[str]:
    return response.json()["rule_ids"]


async def test_by_48b_a_build_project_from_initial_acceptance_to_filing_and_self_evaluation(api, infra):
    project_id, unit_id = await approved(infra, api, BY, "build_develop", 1_800_000, contract_yuan=1_500_000)
    unit, base = applicant(unit_id), f"/projects/{project_id}"
    today = await acceptance_today(api)

    early = await post(api, f"{base}/final-reviews", {"unit_id": unit_id, "result": "passed", "concluded_on": today.isoformat()}, unit)
    assert early.status_code == 409 and early.json()["rule_ids"] == ["BY-39a", "BY-39.3"]
    blockers = {tuple(b["rule_ids"]) for b in early.json()["details"]["problems"]}
    assert {("BY-41",), ("BY-45a", "BY-45c"), ("BY-42",), ("BY-43",)} <= blockers

    internal = await post(api, f"{base}/initial-acceptances", {"result": "passed", "mode": "internal_meeting",
                                                                "concluded_on": today.isoformat()}, unit)
    assert internal.status_code == 422 and internal.json()["field"] == "mode" and rules(internal) == ["BY-39.1", "BY-39.2"]
    failed = await post(api, f"{base}/initial-acceptances", {"result": "failed", "mode": "expert_meeting",
                                                              "concluded_on": today.isoformat(), "reasons": ["接口未联调"]}, unit)
    assert failed.status_code == 201 and failed.json()["number"] == 1  # BY-39.3: again until it passes
    passed = await post(api, f"{base}/initial-acceptances", {"result": "passed", "mode": "expert_meeting",
                                                              "concluded_on": today.isoformat()}, unit)
    assert passed.status_code == 201 and passed.json()["number"] == 2
    filed = await post(api, f"{base}/initial-acceptance-filing", {"documents": [{"role": "acceptance_report", "document": REPORT}]}, unit)
    assert filed.status_code == 201 and rules(filed) == ["BY-40"] and filed.json()["late"] is False
    await deadline_stopped(api, project_id, "initial_acceptance_filing")  # BY-40: the filing is what it waited for

    state = (await api["acceptance"].get(f"{base}/acceptance", as_=leader(unit_id))).json()
    assert state["trial_run_ends_on"] > today.isoformat()  # BY-41: three natural months
    too_soon = await post(api, f"{base}/final-reviews", {"unit_id": unit_id, "result": "passed", "concluded_on": today.isoformat(),
                                                          "mode": "expert_meeting"}, unit)
    assert too_soon.status_code == 409
    assert any(p["field"] == "concluded_on" and p["rule_ids"] == ["BY-41"] for p in too_soon.json()["details"]["problems"])

    aggregated = await post(api, f"{base}/data-aggregation", {"platforms": ["big_data_platform", "video_platform"]}, unit)
    assert aggregated.status_code == 201 and rules(aggregated) == ["BY-42", "BY-22.6"]
    for key in ("djcp_report", "cryptography_evaluation"):
        response = await post(api, f"{base}/evidence", {"key": key, "document": doc(f"{key}.pdf")}, unit)
        assert response.status_code == 201 or key == "cryptography_evaluation", response.text
    wrong = await post(api, f"{base}/evidence", {"key": "trial_run", "document": REPORT}, unit)
    assert wrong.status_code == 422 and wrong.json()["field"] == "key"

    request = {"documents": [{"role": "written_request", "document": doc("符合性审核申请.pdf")}]}
    unlogged = await post(api, f"{base}/compliance-requests", request, unit)
    assert unlogged.status_code == 422 and rules(unlogged) == ["BY-45b"]
    request["documents"] += [{"role": "login_logs", "document": doc("登录日志.csv")},
                             {"role": "operation_logs", "document": doc("操作日志.csv")}]
    assert (await post(api, f"{base}/compliance-requests", request, unit)).status_code == 201
    consent = await post(api, f"{base}/compliance-opinion", {"consent": True}, BUREAU)
    assert consent.status_code == 201 and rules(consent) == ["BY-45a", "BY-45c"]

    async def procurement_heard():
        view = await api["procurement"].get(f"/projects/{project_id}", as_=FINANCE)
        return view.status_code == 200 and view.json()["compliance"] == "consent" or None
    await eventually(procurement_heard, what="procurement hears the consent (BY-45d)")

    # the trial run takes three months: move the acceptance clock, not the test
    moved = await api["acceptance"].post("/ops/clock/advance", {"days": 95}, as_=ADMIN)
    assert moved.status_code == 200, moved.text
    later = await acceptance_today(api)
    internal_final = await post(api, f"{base}/final-reviews", {"unit_id": unit_id, "result": "passed", "concluded_on": later.isoformat(),
                                                                "mode": "internal_meeting"}, unit)
    assert internal_final.status_code == 422 and rules(internal_final) == ["BY-47.1", "BY-47.2"]
    failed_final = await post(api, f"{base}/final-reviews", {"unit_id": unit_id, "result": "failed", "concluded_on": later.isoformat(),
                                                              "mode": "expert_meeting", "reasons": ["性能指标未达合同约定"]}, unit)
    assert failed_final.status_code == 201 and failed_final.json()["rule_id"] == "BY-47.3a"

    async def blocked():
        blocks = (await api["intake"].get(f"/units/{unit_id}/standing", as_=leader(unit_id))).json()["blocks"]
        return blocks or None
    (block,) = await eventually(blocked, what="the BY-22.8 block in intake")
    assert block["rule_ids"] == ["BY-22.8"]
    passed_final = await post(api, f"{base}/final-reviews", {"unit_id": unit_id, "result": "passed", "concluded_on": later.isoformat(),
                                                              "mode": "expert_meeting"}, unit)
    assert passed_final.status_code == 201 and passed_final.json()["attempt"] == 2

    early_grade = await post(api, f"{base}/evaluations", {"kind": "third_party", "grade": "superb", "completed_on": later.isoformat(),
                                                           "report": REPORT}, BUREAU)
    assert early_grade.status_code == 422 and early_grade.json()["field"] == "grade" and rules(early_grade) == ["BY-53a"]

    filing = {"documents": [{"role": "filing_materials", "document": doc("验收备案材料.pdf")}]}
    assert (await post(api, f"{base}/acceptance-filings", filing, unit)).status_code == 201
    # BY-48a: the unit applied in time; however long the bureau's review takes, no BY-22.7 block follows
    await deadline_stopped(api, project_id, "acceptance_filing")
    sent_back = await post(api, f"{base}/acceptance-filings/review", {"accepted": False, "defects": ["缺少第三方测评报告"]}, BUREAU)
    assert sent_back.status_code == 201 and sent_back.json()["outcome"] == "defects" and rules(sent_back) == ["BY-48c"]
    no_note = await post(api, f"{base}/acceptance-filings", filing, unit)
    assert no_note.status_code == 422 and no_note.json()["field"] == "rectification_note" and rules(no_note) == ["BY-48c"]
    again = await post(api, f"{base}/acceptance-filings", {**filing, "rectification_note": "已补充第三方测评报告"}, unit)
    assert again.status_code == 201 and again.json()["number"] == 2
    accepted = await post(api, f"{base}/acceptance-filings/review", {"accepted": True}, BUREAU)
    assert accepted.status_code == 201 and accepted.json()["outcome"] == "filed" and rules(accepted) == ["BY-48b"]

    self_evaluation = {"kind": "self", "grade": "qualified", "completed_on": later.isoformat(), "report": doc("效能自评估报告.pdf")}
    silent_on_ip = await post(api, f"{base}/evaluations", self_evaluation, unit)
    assert silent_on_ip.status_code == 422 and silent_on_ip.json()["field"].startswith("ip_report.")
    assert rules(silent_on_ip) == ["BY-54"]  # the builder's contract states IP terms: the report covers them
    evaluated = await post(api, f"{base}/evaluations", {**self_evaluation, "ip_report": IP_REPORT}, unit)
    assert evaluated.status_code == 201 and {"BY-51a", "BY-50", "BY-54"} <= set(rules(evaluated))
    await deadline_stopped(api, project_id, "self_evaluation")  # BY-51a: a self-evaluation filed
    by_unit = await post(api, f"{base}/evaluations", {"kind": "third_party", "grade": "qualified", "completed_on": later.isoformat(),
                                                       "report": REPORT}, unit)
    assert by_unit.status_code == 403
    state = (await api["acceptance"].get(f"{base}/acceptance", as_=BUREAU)).json()
    assert (state["passed_on"], state["filing_status"], state["final_review_blockers"]) == (later.isoformat(), "filed", [])


async def ready_service_project(api, base: str, unit) -> date:
    """A 服务类 project made ready for its final review: no initial acceptance or trial run is owed
    (BY-39a); the compliance opinion, data, 等保 report and a self-evaluation before the review (BY-51b) are."""
    await post(api, f"{base}/compliance-requests", {"documents": [
        {"role": "written_request", "document": doc("申请.pdf")}, {"role": "self_evaluation", "document": doc("自评.pdf")}]}, unit)
    await post(api, f"{base}/compliance-opinion", {"consent": True}, BUREAU)
    today = await acceptance_today(api)
    await post(api, f"{base}/data-aggregation", {"platforms": ["big_data_platform"]}, unit)
    await post(api, f"{base}/evidence", {"key": "djcp_report", "document": doc("等保测评报告.pdf")}, unit)
    self_evaluated = await post(api, f"{base}/evaluations", {"kind": "self", "grade": "qualified", "completed_on": today.isoformat(),
                                                              "report": doc("效能自评估报告（服务类）.pdf")}, unit)
    assert self_evaluated.status_code == 201 and "BY-51b" in rules(self_evaluated)
    return today


async def test_by_48d_a_filing_still_defective_stops_payments_and_suspends_reviews(api, infra):
    project_id, unit_id = await approved(infra, api, BY, "service", 800_000)
    unit, base = applicant(unit_id), f"/projects/{project_id}"
    before = await post(api, f"{base}/acceptance-filings", {"documents": [{"role": "filing_materials", "document": REPORT}]}, unit)
    assert before.status_code == 409 and before.json()["rule_ids"] == ["BY-48a"]  # a filing follows a pass
    today = await ready_service_project(api, base, unit)
    passed = await post(api, f"{base}/final-reviews", {"unit_id": unit_id, "result": "passed", "concluded_on": today.isoformat()}, unit)
    assert passed.status_code == 201, passed.text
    filing = {"documents": [{"role": "filing_materials", "document": REPORT}]}
    await post(api, f"{base}/acceptance-filings", filing, unit)
    await post(api, f"{base}/acceptance-filings/review", {"accepted": False, "defects": ["材料不规范"]}, BUREAU)
    await post(api, f"{base}/acceptance-filings", {**filing, "rectification_note": "已整改"}, unit)
    final = await post(api, f"{base}/acceptance-filings/review", {"accepted": False, "defects": ["仍不规范"]}, BUREAU)
    assert final.json()["outcome"] == "rejected" and rules(final) == ["BY-48d", "BY-22.7"]

    async def held():
        rows = (await api["procurement"].get(f"/projects/{project_id}/holds", as_=FINANCE)).json()
        return rows or None
    (hold,) = await eventually(held, what="the BY-48d hold")
    assert (hold["scope"], hold["rule_ids"]) == ("remaining", ["BY-48d"])

    async def suspended():
        blocks = (await api["intake"].get(f"/units/{unit_id}/standing", as_=leader(unit_id))).json()["blocks"]
        return [b for b in blocks if b["scope"] == "reviews_suspended"] or None
    (block,) = await eventually(suspended, what="the BY-48d suspension")
    assert block["rule_ids"] == ["BY-48d"]


async def test_by_29_4_by_57_a_concern_found_refuses_a_pass_and_the_failed_review_keeps_its_rules(api, infra):
    project_id, unit_id = await approved(infra, api, BY, "service", 800_000)
    unit, base = applicant(unit_id), f"/projects/{project_id}"
    state = (await api["acceptance"].get(f"{base}/acceptance", as_=leader(unit_id))).json()
    shown = {c["key"]: c["rule_ids"] for c in state["final_review_concerns"]}
    assert shown["security_responsibility"] == ["BY-29.4"] and shown["risk_assessment"] == ["BY-57"]
    assert {"mobile_app_not_integrated", "ip_not_handled"} <= set(shown)  # BY-56, BY-49
    today = await ready_service_project(api, base, unit)
    judgements = [{"key": "security_responsibility", "found": False},
                  {"key": "risk_assessment", "found": True, "note": "未开展年度风险评估"}]
    review = {"unit_id": unit_id, "concluded_on": today.isoformat(), "judgements": judgements}

    unknown = await post(api, f"{base}/final-reviews", {**review, "result": "passed", "judgements": [{"key": "made_up", "found": True}]}, unit)
    assert unknown.status_code == 422 and unknown.json()["field"] == "judgements[0].key"
    passed = await post(api, f"{base}/final-reviews", {**review, "result": "passed"}, unit)
    assert passed.status_code == 422 and passed.json()["field"] == "result" and rules(passed) == ["BY-57"], passed.text
    assert (await api["acceptance"].get(f"{base}/final-reviews", as_=BUREAU)).json() == []  # nothing recorded

    failed = await post(api, f"{base}/final-reviews", {**review, "result": "failed", "reasons": ["未定期开展风险评估"]}, unit)
    assert failed.status_code == 201 and failed.json()["concern_rules"] == ["BY-57"], failed.text
    (listed,) = (await api["acceptance"].get(f"{base}/final-reviews", as_=BUREAU)).json()
    assert listed["concern_rules"] == ["BY-57"] and listed["rule_id"] == "BY-47.3a"
    assert [j["key"] for j in listed["judgements"] if j["found"]] == ["risk_assessment"]


async def test_yl_26_three_deferrals_and_a_refused_fourth(api, infra):
    project_id, unit_id = await approved(infra, api, YL, "software_development", 3_000_000)
    base = f"/projects/{project_id}"
    early = await post(api, f"{base}/deferrals", {"months": 3, "reason": "系统联调未完成"}, BUREAU)
    assert early.status_code == 409 and early.json()["rule_ids"] == ["YL-26"]  # nothing to defer before completion
    completed = await post(api, f"{base}/completion", {"completed_on": real_today().isoformat()}, applicant(unit_id))
    assert completed.status_code == 201 and rules(completed) == ["YL-22a"]
    state = (await api["acceptance"].get(f"{base}/acceptance", as_=BUREAU)).json()
    due = date.fromisoformat(state["application_due_on"])
    too_long = await post(api, f"{base}/deferrals", {"months": 7, "reason": "拖延"}, BUREAU)
    assert too_long.status_code == 422 and too_long.json()["field"] == "months" and rules(too_long) == ["YL-26"]
    for number in (1, 2, 3):
        granted = await post(api, f"{base}/deferrals", {"months": 6, "reason": f"第{number}次延期"}, BUREAU)
        assert granted.status_code == 201 and granted.json()["number"] == number
    fourth = await post(api, f"{base}/deferrals", {"months": 1, "reason": "第4次延期"}, BUREAU)
    assert fourth.status_code == 409 and rules(fourth) == ["YL-26"]
    state = (await api["acceptance"].get(f"{base}/acceptance", as_=BUREAU)).json()
    assert date.fromisoformat(state["application_due_on"]) > due.replace(year=due.year + 1)  # 18 months later


async def test_yl_25b_yl_28b_evidence_is_owed_before_the_final_review(api, infra):
    project_id, unit_id = await approved(infra, api, YL, "software_development", 3_000_000)
    today = await acceptance_today(api)
    refused = await post(api, f"/projects/{project_id}/final-reviews", {"unit_id": unit_id, "result": "passed",
                                                                         "concluded_on": today.isoformat()}, BUREAU)
    assert refused.status_code == 409
    owed = {tuple(p["rule_ids"]) for p in refused.json()["details"]["problems"]}
    assert ("YL-28b", "YL-27.9", "YL-28a") in owed and ("YL-22a", "YL-27.3") in owed


async def test_supervision_finding_and_evaluation_rectification_run_out(api, infra):
    project_id, unit_id = await approved(infra, api, BY, "build_develop", 1_000_000)
    finding = await api["acceptance"].post("/findings", {
        "unit_id": unit_id, "project_id": project_id, "kind": "security", "severity": "major", "authority": "cyberspace",
        "description": "存在高危漏洞", "rectification_due": (real_today() + timedelta(days=200)).isoformat(),
        "rule_ids": ["BY-22.15"]}, as_=BUREAU)
    assert finding.status_code == 201, finding.text

    async def blocked():
        blocks = (await api["intake"].get(f"/units/{unit_id}/standing", as_=leader(unit_id))).json()["blocks"]
        return [b for b in blocks if "BY-22.15" in b["rule_ids"]] or None
    await eventually(blocked, what="BY-22.15 block")
    done = await api["acceptance"].post(f"/findings/{finding.json()['finding_id']}/rectification",
                                        {"completed_on": real_today().isoformat()}, as_=BUREAU)
    assert done.status_code == 200 and done.json()["rectified_on"] == real_today().isoformat()

    async def lifted():
        blocks = (await api["intake"].get(f"/units/{unit_id}/standing", as_=leader(unit_id))).json()["blocks"]
        return not [b for b in blocks if "BY-22.15" in b["rule_ids"]] or None
    await eventually(lifted, what="BY-22.15 lifted by RectificationCompleted")


async def test_by_22_15_a_finding_on_the_units_systems_as_a_whole_blocks_under_the_deployments_pack(api, infra):
    """A finding that names no project used to travel without a pack, so no rule could place its block."""
    _, unit_id = await approved(infra, api, BY, "build_develop", 1_000_000)
    finding = await api["acceptance"].post("/findings", {
        "unit_id": unit_id, "kind": "security", "severity": "major", "authority": "public_security",
        "description": "门户网站存在重大安全隐患", "rule_ids": ["BY-22.15"]}, as_=BUREAU)
    assert finding.status_code == 201, finding.text

    async def blocks():
        standing = (await api["intake"].get(f"/units/{unit_id}/standing", as_=leader(unit_id))).json()["blocks"]
        return [b for b in standing if "BY-22.15" in b["rule_ids"]]
    [block] = await eventually(blocks, what="BY-22.15 block from a unit-level finding")
    assert block["project_id"] is None
    done = await api["acceptance"].post(f"/findings/{finding.json()['finding_id']}/rectification",
                                        {"completed_on": real_today().isoformat()}, as_=BUREAU)
    assert done.status_code == 200, done.text
    await eventually(lambda: _none_left(blocks), what="the unit-level block lifted by its rectification")


async def _none_left(probe) -> bool:
    return not await probe()



def blocking_rules(response) -> set[tuple[str, ...]]:
    return {tuple(p["rule_ids"]) for p in response.json()["details"]["problems"]} if "details" in response.json() \
        else {tuple(response.json()["rule_ids"])}


async def test_dy_19_dy_20b_dy_21_dy_22_the_bureau_led_acceptance_of_dongyuan(api, infra):
    project_id, unit_id = await approved(infra, api, DY, "software_development", 1_000_000, contract_yuan=900_000,
                                         flags=("software_development",))
    base, today = f"/projects/{project_id}", await acceptance_today(api)
    final = {"unit_id": unit_id, "result": "passed", "concluded_on": today.isoformat()}
    early = await post(api, f"{base}/final-reviews", final, BUREAU)
    owed = blocking_rules(early)
    assert early.status_code == 409 and {("DY-19",), ("DY-20b",)} <= owed and any("DY-21" in r for r in owed)
    state = (await api["acceptance"].get(f"{base}/acceptance", as_=BUREAU)).json()
    assert (state["organiser"]["who"], state["organiser"]["rule_ids"]) == ("bureau_led_team", ["DY-22"])
    application = {"documents": [{"role": "written_request", "document": doc("验收申请.pdf")},
                                 {"role": "acceptance_report", "document": doc("初验报告.pdf")}]}
    too_soon = await post(api, f"{base}/acceptance-applications", application, applicant(unit_id))
    assert too_soon.status_code == 409 and rules(too_soon) == ["DY-20a", "DY-19"]  # DY-20a: the application follows 初验
    initial = await post(api, f"{base}/initial-acceptances", {"result": "passed", "mode": "internal_meeting",
                                                               "concluded_on": today.isoformat()}, applicant(unit_id))
    assert initial.status_code == 201 and rules(initial) == ["DY-19"]  # the unit, with builder and supervisor
    for key in ("supervision_report", "data_sharing_confirmation"):
        assert (await post(api, f"{base}/evidence", {"key": key, "document": doc(f"{key}.pdf")}, applicant(unit_id))).status_code == 201
    unapplied = await post(api, f"{base}/final-reviews", final, BUREAU)
    assert unapplied.status_code == 409 and blocking_rules(unapplied) == {("DY-20a",)}  # the bureau acts on the application
    no_report = await post(api, f"{base}/acceptance-applications", {"documents": application["documents"][:1]}, applicant(unit_id))
    assert no_report.status_code == 422 and no_report.json()["field"] == "documents" and rules(no_report) == ["DY-20a"]
    applied = await post(api, f"{base}/acceptance-applications", application, applicant(unit_id))
    assert applied.status_code == 201 and rules(applied) == ["DY-20a"]
    passed = await post(api, f"{base}/final-reviews", final, BUREAU)
    assert passed.status_code == 201 and passed.json()["rule_id"] == "DY-22"


async def test_dy_20a_dy_20c_a_large_project_applies_with_its_performance_self_evaluation(api, infra):
    project_id, unit_id = await approved(infra, api, DY, "software_development", 2_500_000, contract_yuan=2_400_000)
    base, today = f"/projects/{project_id}", await acceptance_today(api)
    await post(api, f"{base}/initial-acceptances", {"result": "passed", "mode": "internal_meeting",
                                                     "concluded_on": today.isoformat()}, applicant(unit_id))
    papers = [{"role": "written_request", "document": doc("验收申请.pdf")}, {"role": "acceptance_report", "document": doc("初验报告.pdf")}]
    without = await post(api, f"{base}/acceptance-applications", {"documents": papers}, applicant(unit_id))
    assert without.status_code == 422 and without.json()["field"] == "documents" and "DY-20c" in rules(without)
    assert any("DY-20c" in r for r in await blockers_of(api, project_id))  # owed before the final review
    state = (await api["acceptance"].get(f"{base}/acceptance", as_=BUREAU)).json()
    assert state["applied_on"] is None  # a refused application changes nothing
    papers.append({"role": "self_evaluation", "document": doc("绩效自评报告（附件5）.pdf")})
    applied = await post(api, f"{base}/acceptance-applications", {"documents": papers}, applicant(unit_id))
    assert applied.status_code == 201 and {"DY-20a", "DY-20c"} <= set(rules(applied))
    again = await post(api, f"{base}/acceptance-applications", {"documents": papers}, applicant(unit_id))
    assert again.status_code == 409 and rules(again) == ["DY-20a"]
    assert not any("DY-20c" in r for r in await blockers_of(api, project_id))  # the report came with the application


async def test_bz_28a_bz_28b_pre_acceptance_starts_the_trial_run(api, infra):
    project_id, unit_id = await approved(infra, api, BZ, "application_system", 2_000_000)
    base, today = f"/projects/{project_id}", await acceptance_today(api)
    pre = await post(api, f"{base}/initial-acceptances", {"result": "passed", "mode": "pre_acceptance",
                                                           "concluded_on": today.isoformat()}, applicant(unit_id))
    assert pre.status_code == 201 and rules(pre) == ["BZ-28b"]
    state = (await api["acceptance"].get(f"{base}/acceptance", as_=BUREAU)).json()
    assert state["trial_run_ends_on"] > today.isoformat()
    early = await post(api, f"{base}/final-reviews", {"unit_id": unit_id, "result": "passed", "concluded_on": today.isoformat()},
                       applicant(unit_id))
    assert ("BZ-28a",) in blocking_rules(early)


async def test_bz_41_the_yearly_monitoring_report_is_owed_from_approval_and_its_filing_stops_that_years_deadline(api, infra):
    project_id, unit_id = await approved(infra, api, BZ, "application_system", 2_000_000)

    [deadline] = await eventually(lambda: deadlines_of(api, project_id, "monitoring_report"),
                                  what="notify starts the monitoring-report deadline")
    year = int(deadline["reference_id"])
    assert (deadline["due_on"], deadline["rule_ids"], deadline["state"]) == (f"{year}-12-31", ["BZ-41"], "open")

    base, report = f"/projects/{project_id}", doc("项目绩效监控报告.pdf")
    ahead = await post(api, f"{base}/monitoring-reports", {"report_year": year + 5, "document": report}, applicant(unit_id))
    assert ahead.status_code == 422 and ahead.json()["field"] == "report_year" and rules(ahead) == ["BZ-41"]
    filed = await post(api, f"{base}/monitoring-reports", {"report_year": year, "document": report}, applicant(unit_id))
    assert filed.status_code == 201 and rules(filed) == ["BZ-41"], filed.text
    again = await post(api, f"{base}/monitoring-reports", {"report_year": year, "document": report}, applicant(unit_id))
    assert again.status_code == 409 and again.json()["error"] == "already_filed"
    await deadline_stopped(api, project_id, "monitoring_report")


async def test_bz_41_a_pack_without_the_yearly_report_refuses_it(api, infra):
    project_id, unit_id = await approved(infra, api, BY, "build_develop", 2_000_000)
    refused = await post(api, f"/projects/{project_id}/monitoring-reports",
                         {"report_year": (await acceptance_today(api)).year, "document": doc("监控报告.pdf")}, applicant(unit_id))
    assert refused.status_code == 409 and refused.json()["error"] == "no_monitoring_report"


async def test_yf_18a_yf_18b_yf_19_yf_20_whole_project_after_the_bureau_pre_review(api, infra):
    project_id, unit_id = await approved(infra, api, YF, "software_development", 2_000_000)
    base, today = f"/projects/{project_id}", await acceptance_today(api)
    sub = await post(api, f"{base}/final-reviews", {"unit_id": unit_id, "result": "passed", "concluded_on": today.isoformat(),
                                                     "sub_project_id": "S1"}, applicant(unit_id))
    assert sub.status_code == 422 and sub.json()["field"] == "sub_project_id" and rules(sub) == ["YF-18a"]
    whole = await post(api, f"{base}/final-reviews", {"unit_id": unit_id, "result": "passed", "concluded_on": today.isoformat()},
                       applicant(unit_id))
    owed = blocking_rules(whole)
    assert ("YF-18b",) in owed and any("YF-19" in r for r in owed) and any("YF-20" in r for r in owed)


async def test_yl_23b_yl_25b_yl_27_yl_28b_yl_29_the_yulin_refusal_grounds_and_evidence(api, infra):
    project_id, unit_id = await approved(infra, api, YL, "software_development", 3_000_000,
                                         flags=("software_development", "new_software_development"))
    base, today = f"/projects/{project_id}", await acceptance_today(api)
    state = (await api["acceptance"].get(f"{base}/acceptance", as_=BUREAU)).json()
    assert any("YL-29" in d["rule_ids"] and d["status"] == "required" for d in state["evaluation_duties"])
    assert (state["organiser"]["who"], state["organiser"]["rule_ids"]) == ("bureau", ["YL-22a"])  # 审批制: the bureau organises
    blocked = await post(api, f"{base}/final-reviews", {"unit_id": unit_id, "result": "passed", "concluded_on": today.isoformat()},
                         BUREAU)
    owed = blocking_rules(blocked)
    assert ("YL-25b", "YL-27.7") in owed and ("YL-28b", "YL-27.9", "YL-28a") in owed
    ungrounded = await post(api, f"{base}/final-reviews", {"unit_id": unit_id, "result": "failed", "concluded_on": today.isoformat(),
                                                            "reasons": ["源代码未提交"]}, BUREAU)
    assert ungrounded.status_code == 422 and ungrounded.json()["field"] == "grounds" and rules(ungrounded) == ["YL-27"]
    failed = await post(api, f"{base}/final-reviews", {"unit_id": unit_id, "result": "failed", "concluded_on": today.isoformat(),
                                                        "reasons": ["源代码未提交"], "grounds": ["YL-27.7"]}, BUREAU)
    assert failed.status_code == 201 and failed.json()["rule_id"] == "YL-27.7"
    filed = {}
    for key in ("completion_materials", "djcp_report", "djcp_filing", "cryptography_evaluation", "source_code_uploaded",
                "third_party_test_report", "data_sharing_met", "archive_acceptance"):
        response = await post(api, f"{base}/evidence", {"key": key, "document": doc(f"{key}（玉林）.pdf")}, applicant(unit_id))
        filed[key] = response.status_code if response.status_code == 201 else (response.status_code, response.json()["field"])
    # what approval said this project owes is filed (YL-4.6: 公安's 等保 filing by every project); the test report only
    # once a tester's contract makes it owed (YL-25c), so here it is refused on its key
    assert filed == {"completion_materials": 201, "djcp_report": 201, "djcp_filing": 201, "cryptography_evaluation": 201,
                     "source_code_uploaded": 201, "third_party_test_report": (422, "key"), "data_sharing_met": 201,
                     "archive_acceptance": 201}, filed
    application = {"documents": [{"role": "written_request", "document": doc("验收申请（玉林）.pdf")}]}
    unbuilt = await post(api, f"{base}/acceptance-applications", application, applicant(unit_id))
    assert unbuilt.status_code == 409 and rules(unbuilt) == ["YL-22a"]  # the application follows completion
    await post(api, f"{base}/completion", {"completed_on": today.isoformat()}, applicant(unit_id))
    unapplied = await post(api, f"{base}/final-reviews", {"unit_id": unit_id, "result": "passed", "concluded_on": today.isoformat()},
                           BUREAU)
    assert unapplied.status_code == 409 and ("YL-22a",) in blocking_rules(unapplied)
    applied = await post(api, f"{base}/acceptance-applications", application, applicant(unit_id))
    assert applied.status_code == 201 and rules(applied) == ["YL-22a"]
    await deadline_stopped(api, project_id, "acceptance_application")  # YL-22a: applied within the six months
    passed = await post(api, f"{base}/final-reviews", {"unit_id": unit_id, "result": "passed", "concluded_on": today.isoformat()},
                        BUREAU)
    assert passed.status_code == 201, passed.text
    assert passed.json()["rule_id"] == "YL-23b"


@pytest.mark.parametrize(("pack", "project_class", "flags", "key", "owed_rules"), [
    (BY, "build_develop", ("cryptography_required",), "cryptography_evaluation", ("BY-17.3", "BY-44")),
    (BZ, "application_system", ("cryptography_required",), "cryptography_evaluation", ("BZ-29", "BZ-46b")),
    (BZ, "application_system", (), "resource_sharing_report", ("BZ-29", "BZ-32b")),
])
async def test_by_44_bz_32b_bz_46b_owed_evidence_holds_back_the_final_acceptance_until_filed(
        api, infra, pack, project_class, flags, key, owed_rules):
    project_id, unit_id = await approved(infra, api, pack, project_class, 3_000_000, flags=flags)
    base = f"/projects/{project_id}"
    final = {"unit_id": unit_id, "result": "passed", "concluded_on": (await acceptance_today(api)).isoformat()}
    assert owed_rules in blocking_rules(await post(api, f"{base}/final-reviews", final, BUREAU))
    filed = await post(api, f"{base}/evidence", {"key": key, "document": doc(f"{key}.pdf")}, applicant(unit_id))
    assert filed.status_code == 201 and tuple(rules(filed)) == owed_rules, filed.text
    assert owed_rules not in blocking_rules(await post(api, f"{base}/final-reviews", final, BUREAU))


@pytest.mark.parametrize("ground", ["YL-27.1", "YL-27.2", "YL-27.3", "YL-27.4", "YL-27.5", "YL-27.6", "YL-27.8", "YL-27.9",
                                    "YL-27.10", "YL-28b"])
async def test_yl_27_a_failure_on_each_ground_is_published_with_that_grounds_rule(api, infra, ground):
    """Any of YL-27's ten conditions (and YL-28b's archives) fails the acceptance, and the failure
    names the one it rests on; a ground the pack does not list is refused (YL-27.7 is in the test above)."""
    project_id, unit_id = await approved(infra, api, YL, "software_development", 3_000_000)
    failed = await post(api, f"/projects/{project_id}/final-reviews", {
        "unit_id": unit_id, "result": "failed", "concluded_on": (await acceptance_today(api)).isoformat(),
        "reasons": [f"不符合 {ground}"], "grounds": [ground]}, BUREAU)
    assert failed.status_code == 201 and failed.json()["rule_id"] == ground, failed.text
    other = await post(api, f"/projects/{project_id}/final-reviews", {
        "unit_id": unit_id, "result": "failed", "concluded_on": (await acceptance_today(api)).isoformat(),
        "reasons": ["不在所列情形内"], "grounds": ["BY-47.3a"]}, BUREAU)
    assert other.status_code == 422 and other.json()["field"] == "grounds"


@pytest.mark.parametrize(("contract_yuan", "status", "rules_"), [(3_500_000, "required", {"BY-52.1", "BY-51c"}),
                                                             (1_500_000, "discretionary", {"BY-52.2"})])
async def test_by_51c_by_52_1_by_52_2_third_party_evaluation_by_contract_amount(api, infra, contract_yuan, status, rules_):
    """A third-party evaluation the bureau organises (BY-51c), mandatory from 300万 of contract (BY-52.1),
    at its discretion from 100万 (BY-52.2)."""
    project_id, _ = await approved(infra, api, BY, "build_develop", 4_000_000, contract_yuan=contract_yuan)
    state = (await api["acceptance"].get(f"/projects/{project_id}/acceptance", as_=BUREAU)).json()
    (duty,) = [d for d in state["evaluation_duties"] if d["kind"] == "third_party"]
    assert duty["status"] == status and rules_ <= set(duty["rule_ids"])
    assert (state["organiser"]["who"], state["organiser"]["rule_ids"]) == ("unit", ["BY-46"])  # the unit organises, the bureau files


async def test_by_50_by_52_by_52_3_by_54_the_bureaus_third_party_evaluation_during_implementation(api, infra):
    """The unit evaluates its own project (BY-50); the third-party evaluation is the bureau's, by the firm
    it hired (BY-52), during implementation only on a BY-52.3 ground, and its report accounts for the IP
    the builder's contract settled (BY-54). Each refusal names its field and rule and records nothing."""
    project_id, unit_id = await approved(infra, api, BY, "build_develop", 4_000_000, contract_yuan=3_500_000)
    base, today = f"/projects/{project_id}", (await acceptance_today(api)).isoformat()
    evaluation = {"kind": "third_party", "grade": "basically_qualified", "completed_on": today, "report": doc("第三方效能评估报告.pdf"),
                  "findings": ["建设进度滞后于计划"]}
    by_unit = await post(api, f"{base}/evaluations", {**evaluation, "firm": FIRM, "ground": "slow_construction",
                                                       "ip_report": IP_REPORT}, applicant(unit_id))
    assert by_unit.status_code == 403 and "BY-52" in rules(by_unit)
    for_the_unit = await post(api, f"{base}/evaluations", {"kind": "self", "completed_on": today, "report": REPORT}, BUREAU)
    assert for_the_unit.status_code == 403 and rules(for_the_unit) == ["BY-50"]

    ungrounded = await post(api, f"{base}/evaluations", evaluation, BUREAU)
    assert ungrounded.status_code == 422 and ungrounded.json()["field"] == "ground" and rules(ungrounded) == ["BY-52.3"]
    assert {("firm", "BY-52"), ("ip_report.plan_completion", "BY-54")} <= {
        (p["field"], r) for p in ungrounded.json()["details"]["problems"] for r in p["rule_ids"]}
    unnamed = await post(api, f"{base}/evaluations", {**evaluation, "ground": "slow_construction", "ip_report": IP_REPORT}, BUREAU)
    assert unnamed.status_code == 422 and unnamed.json()["field"] == "firm" and rules(unnamed) == ["BY-52"]
    silent_on_ip = await post(api, f"{base}/evaluations", {**evaluation, "ground": "slow_construction", "firm": FIRM,
                                                            "ip_report": {"plan_completion": IP_REPORT["plan_completion"]}}, BUREAU)
    assert silent_on_ip.status_code == 422 and rules(silent_on_ip) == ["BY-54"]
    assert silent_on_ip.json()["field"] in ("ip_report.ownership_transfer", "ip_report.follow_up_operation")
    post_evaluation = await post(api, f"{base}/evaluations", {**evaluation, "kind": "post", "ground": "key_project"}, BUREAU)
    assert post_evaluation.status_code == 409 and post_evaluation.json()["field"] == "kind" and "BY-52.3" in rules(post_evaluation)
    assert (await api["acceptance"].get(f"{base}/evaluations", as_=BUREAU)).json() == []  # nothing recorded

    recorded = await post(api, f"{base}/evaluations", {**evaluation, "ground": "slow_construction", "firm": FIRM,
                                                        "ip_report": IP_REPORT}, BUREAU)
    assert recorded.status_code == 201, recorded.text
    assert {"BY-51c", "BY-52", "BY-52.1", "BY-52.3", "BY-54", "BY-53a"} <= set(rules(recorded))
    [row] = (await api["acceptance"].get(f"{base}/evaluations", as_=leader(unit_id))).json()
    assert (row["ground"], row["firm"], row["ip_report"]) == ("slow_construction", FIRM, IP_REPORT)


@pytest.mark.parametrize(("pack", "rule"), [(YF, "YF-21"), (DY, "DY-25a"), (YL, "YL-29")])
async def test_yf_21_dy_25a_yl_29_the_bureaus_evaluation_looks_back_on_an_accepted_project(api, infra, pack, rule):
    """Only BY lets the bureau evaluate during implementation (BY-52.3); elsewhere it evaluates operation
    and application effect (YF-21, DY-25a) once the project is accepted, and says so naming its rule."""
    project_id, _ = await approved(infra, api, pack, "software_development", 1_500_000)
    early = await post(api, f"/projects/{project_id}/evaluations", {
        "kind": "bureau", "completed_on": (await acceptance_today(api)).isoformat(), "report": doc("应用效果评价报告.pdf")}, BUREAU)
    assert early.status_code == 409 and early.json()["field"] == "kind" and rules(early) == [rule]
    assert (await api["acceptance"].get(f"/projects/{project_id}/evaluations", as_=BUREAU)).json() == []


async def test_dy_25a_the_bureaus_evaluation_of_an_accepted_project_informs_later_approvals_without_barring_them(api, infra):
    """DY-25a: the result is one basis of the unit's later approvals, for the reviewers to weigh; unlike
    BY-53.2's fail grade it places no block on the unit's declarations, not even an unqualified one."""
    project_id, unit_id = await approved(infra, api, DY, "software_development", 1_000_000, contract_yuan=900_000,
                                         flags=("software_development",))
    base, today, unit = f"/projects/{project_id}", (await acceptance_today(api)).isoformat(), applicant(unit_id)
    await post(api, f"{base}/initial-acceptances", {"result": "passed", "mode": "internal_meeting", "concluded_on": today}, unit)
    for key in ("supervision_report", "data_sharing_confirmation"):
        await post(api, f"{base}/evidence", {"key": key, "document": doc(f"{key}.pdf")}, unit)
    await post(api, f"{base}/acceptance-applications", {"documents": [
        {"role": "written_request", "document": doc("验收申请.pdf")}, {"role": "acceptance_report", "document": doc("初验报告.pdf")}]},
        unit)
    passed = await post(api, f"{base}/final-reviews", {"unit_id": unit_id, "result": "passed", "concluded_on": today}, BUREAU)
    assert passed.status_code == 201, passed.text

    evaluated = await post(api, f"{base}/evaluations", {"kind": "bureau", "grade": "unqualified", "completed_on": today,
                                                         "findings": ["共享数据未按清单提供"], "report": doc("运作实施及应用效果评价.pdf")},
                           BUREAU)
    assert evaluated.status_code == 201 and "DY-25a" in rules(evaluated), evaluated.text
    # a BY fail grade after it on the same stream: once its block is in, intake has weighed the DY result too
    await publish_event(infra.nats_admin_url, Envelope(EvaluationCompleted(
        project_id=f"P-{uuid.uuid4().hex[:8]}", evaluation_id=str(uuid.uuid4()), unit_id=unit_id, pack=BY, kind="third_party",
        grade="unqualified", rule_ids=["BY-53a"], completed_on=date.fromisoformat(today), completed_at=datetime.now(timezone.utc)),
        source="/services/acceptance"))

    async def blocks():
        found = (await api["intake"].get(f"/units/{unit_id}/standing", as_=leader(unit_id))).json()["blocks"]
        return found if any("BY-53.2" in b["rule_ids"] for b in found) else None
    standing = await eventually(blocks, what="the BY-53.2 block that follows the DY result")
    assert [b["rule_ids"] for b in standing] == [["BY-53.2"]]  # none from the DY-25a result


async def contracted(infra, pack: PackRef, project_id: str, unit_id: str, role: str) -> None:
    """A contract with a supplier other than the builder, as procurement files it."""
    await publish_event(infra.nats_admin_url, Envelope(ContractFiled(
        project_id=project_id, contract_id=str(uuid.uuid4()), unit_id=unit_id, pack=pack, kind="contract",
        supplier_id="91440111MA5TEST009", supplier_role=role, amount_fen=80_000_00, signed_on=real_today() - timedelta(days=60),
        rule_ids=["BY-26c"], filed_at=datetime.now(timezone.utc)), source="/services/procurement"))


async def blockers_of(api, project_id: str) -> set[tuple[str, ...]]:
    state = (await api["acceptance"].get(f"/projects/{project_id}/acceptance", as_=BUREAU)).json()
    return {tuple(b["rule_ids"]) for b in state["final_review_blockers"]}


async def test_yl_4_6_yl_24b_yl_25c_the_djcp_filing_public_components_and_the_testers_report(api, infra):
    """玉林: 公安's 等保 filing stands with the 等保 report (YL-4.6); a project of ≥500万 with software
    development registers its public components (YL-24b); a project that contracts a tester owes its
    report (YL-25c). Each blocks the final review until filed, and the filing cites its rule."""
    project_id, unit_id = await approved(infra, api, YL, "software_development", 5_000_000, flags=("software_development",))
    base, unit = f"/projects/{project_id}", applicant(unit_id)
    owed = await blockers_of(api, project_id)
    assert {("YL-4.6",), ("YL-24b", "YL-27.8")} <= owed and ("YL-25c", "YL-27.3") not in owed
    untested = await post(api, f"{base}/evidence", {"key": "third_party_test_report", "document": doc("测试报告.pdf")}, unit)
    assert untested.status_code == 422 and untested.json()["field"] == "key"  # no tester: not owed yet

    await contracted(infra, YL, project_id, unit_id, "testing")

    async def test_report_owed():
        return ("YL-25c", "YL-27.3") in await blockers_of(api, project_id) or None
    await eventually(test_report_owed, what="the tester's report owed once the tester is contracted (YL-25c)")
    for key, cited in (("djcp_filing", ["YL-4.6"]), ("public_components_registered", ["YL-24b", "YL-27.8"]),
                       ("third_party_test_report", ["YL-25c", "YL-27.3"])):
        filed = await post(api, f"{base}/evidence", {"key": key, "document": doc(f"{key}（玉林）.pdf")}, unit)
        assert filed.status_code == 201 and rules(filed) == cited, filed.text
    assert not {("YL-4.6",), ("YL-24b", "YL-27.8"), ("YL-25c", "YL-27.3")} & await blockers_of(api, project_id)


async def test_yf_13b_the_application_software_test_report_is_owed_before_acceptance_once_a_tester_is_contracted(api, infra):
    project_id, unit_id = await approved(infra, api, YF, "software_development", 2_000_000)
    assert ("YF-13b",) not in await blockers_of(api, project_id)  # 应用软件开发费用 unknown at approval: pending

    await contracted(infra, YF, project_id, unit_id, "testing")

    async def owed():
        return ("YF-13b",) in await blockers_of(api, project_id) or None
    await eventually(owed, what="the software test report owed once the tester is contracted (YF-13b)")
    filed = await post(api, f"/projects/{project_id}/evidence", {"key": "third_party_test_report",
                                                                  "document": doc("应用软件第三方测试报告.pdf")}, applicant(unit_id))
    assert filed.status_code == 201 and rules(filed) == ["YF-13b"]
    assert ("YF-13b",) not in await blockers_of(api, project_id)


async def test_bz_31_a_project_the_higher_authorities_co_ordinate_files_their_acceptance_result(api, infra):
    """Accepted as the higher authorities require, its result filed with the 领导小组办公室 (BZ-31): the
    filing brings the higher authority's acceptance result and cites BZ-31, and so does the filing's acceptance."""
    project_id, unit_id = await approved(infra, api, BZ, "application_system", 2_000_000, flags=("upper_level_funded",))
    base, unit = f"/projects/{project_id}", applicant(unit_id)
    filing = {"documents": [{"role": "filing_materials", "document": doc("验收备案材料（巴中）.pdf")}]}
    early = await post(api, f"{base}/acceptance-filings", filing, unit)
    assert early.status_code == 409 and rules(early) == ["BZ-31"]

    today = await acceptance_today(api)
    pre = await post(api, f"{base}/initial-acceptances", {"result": "passed", "mode": "pre_acceptance",
                                                           "concluded_on": today.isoformat()}, unit)
    assert pre.status_code == 201, pre.text
    owed = later_requirements(get_pack("BZ", "2022.1"), "application_system", 2_000_000, ("upper_level_funded",))
    for item in owed:
        if item.stage == "acceptance" and item.status == "required" and item.key not in WORKFLOW_KEYS:
            filed = await post(api, f"{base}/evidence", {"key": item.key, "document": doc(f"{item.key}（巴中）.pdf")}, unit)
            assert filed.status_code == 201, filed.text
    moved = await api["acceptance"].post("/ops/clock/advance", {"days": 95}, as_=ADMIN)  # BZ-28a: three months' trial run
    assert moved.status_code == 200, moved.text
    later = (await acceptance_today(api)).isoformat()
    passed = await post(api, f"{base}/final-reviews", {"unit_id": unit_id, "result": "passed", "concluded_on": later}, unit)
    assert passed.status_code == 201, passed.text

    without = await post(api, f"{base}/acceptance-filings", filing, unit)
    assert without.status_code == 422 and without.json()["field"] == "documents" and rules(without) == ["BZ-31"]
    assert (await api["acceptance"].get(f"{base}/acceptance", as_=BUREAU)).json()["filing_status"] == "none"
    filing["documents"].append({"role": "upper_level_acceptance", "document": doc("省级部门验收意见.pdf")})
    submitted = await post(api, f"{base}/acceptance-filings", filing, unit)
    assert submitted.status_code == 201 and rules(submitted) == ["BZ-31"], submitted.text
    filed = await post(api, f"{base}/acceptance-filings/review", {"accepted": True}, BUREAU)
    assert filed.status_code == 201 and filed.json()["outcome"] == "filed" and rules(filed) == ["BZ-31"]


async def elapsed(infra, kind: str, project_id: str | None, unit_id: str, reference_id: str | None = None) -> None:
    """A deadline running out, as notify publishes it."""
    await publish_event(infra.nats_admin_url, Envelope(DeadlineElapsed(
        deadline_id=str(uuid.uuid4()), kind=kind, project_id=project_id, unit_id=unit_id, pack=BY, reference_id=reference_id,
        rule_ids=["BY-48c"], due_at=datetime.now(timezone.utc)), source="/services/notify"))


async def test_by_48c_by_53_3_rectifications_that_run_out_stop_payments_and_block_the_same_type(api, infra):
    project_id, unit_id = await approved(infra, api, BY, "service", 800_000)
    unit, base = applicant(unit_id), f"/projects/{project_id}"
    today = await ready_service_project(api, base, unit)
    assert (await post(api, f"{base}/final-reviews", {"unit_id": unit_id, "result": "passed", "concluded_on": today.isoformat()},
                       unit)).status_code == 201
    await post(api, f"{base}/acceptance-filings", {"documents": [{"role": "filing_materials", "document": REPORT}]}, unit)
    await post(api, f"{base}/acceptance-filings/review", {"accepted": False, "defects": ["缺少数据共享说明"]}, BUREAU)
    await elapsed(infra, "filing_rectification", project_id, unit_id)  # ten working days pass with no resubmission

    async def held():
        rows = (await api["procurement"].get(f"/projects/{project_id}/holds", as_=FINANCE)).json()
        return rows or None
    (hold,) = await eventually(held, what="the BY-48d hold after the overdue rectification")
    assert (hold["scope"], hold["rule_ids"], hold["cause_event_type"]) == ("remaining", ["BY-48d"], "RectificationOverdue")
    state = (await api["acceptance"].get(f"{base}/acceptance", as_=BUREAU)).json()
    assert state["filing_status"] == "rejected"

    graded = await post(api, f"{base}/evaluations", {"kind": "third_party", "grade": "basically_qualified",
                                                     "completed_on": today.isoformat(), "findings": ["用户满意度偏低"],
                                                     "rectification_due": (today + timedelta(days=30)).isoformat(),
                                                     "report": doc("第三方评估报告.pdf"), "firm": FIRM}, BUREAU)
    assert graded.status_code == 201
    await elapsed(infra, "evaluation_rectification", project_id, unit_id, reference_id=graded.json()["evaluation_id"])

    async def same_type():
        blocks = (await api["intake"].get(f"/units/{unit_id}/standing", as_=leader(unit_id))).json()["blocks"]
        return [b for b in blocks if "BY-53.3" in b["rule_ids"]] or None
    (block,) = await eventually(same_type, what="the BY-53.3 same-type block")
    assert block["rule_ids"] == ["BY-22.9", "BY-53.3"]
    fixed = await post(api, f"{base}/evaluations/{graded.json()['evaluation_id']}/rectification",
                       {"completed_on": today.isoformat()}, BUREAU)
    assert fixed.status_code == 200 and fixed.json()["overdue"] is True

    async def lifted():
        blocks = (await api["intake"].get(f"/units/{unit_id}/standing", as_=leader(unit_id))).json()["blocks"]
        return not [b for b in blocks if "BY-53.3" in b["rule_ids"]] or None
    await eventually(lifted, what="BY-53.3 lifted by RectificationCompleted")


async def test_bz_42a_the_self_evaluation_looks_back_on_twelve_to_twenty_four_months_of_operation(api, infra):
    project_id, unit_id = await approved(infra, api, BZ, "application_system", 1_500_000)
    base, today, unit = f"/projects/{project_id}", await acceptance_today(api), applicant(unit_id)
    evaluation = {"kind": "self", "completed_on": today.isoformat(), "report": doc("自评价报告（巴中）.pdf")}
    unstarted = await post(api, f"{base}/evaluations", evaluation, unit)
    assert unstarted.status_code == 409 and unstarted.json()["field"] == "kind" and rules(unstarted) == ["BZ-42a"]
    future = await post(api, f"{base}/operation-start", {"started_on": (today + timedelta(days=1)).isoformat()}, unit)
    assert future.status_code == 422 and future.json()["field"] == "started_on" and rules(future) == ["BZ-42a"]
    started = await post(api, f"{base}/operation-start", {"started_on": (today - timedelta(days=200)).isoformat()}, unit)
    assert started.status_code == 201 and rules(started) == ["BZ-42a"]
    deadlines = await eventually(lambda: deadlines_of(api, project_id, "self_evaluation_window"), what="the BZ-42a window")
    assert deadlines[0]["state"] == "open" and deadlines[0]["unit_of_count"] == "natural_months" and deadlines[0]["length"] == 24
    early = await post(api, f"{base}/evaluations", evaluation, unit)
    assert early.status_code == 422 and early.json()["field"] == "completed_on" and rules(early) == ["BZ-42a"]
    assert (await api["acceptance"].get(f"{base}/evaluations", as_=BUREAU)).json() == []  # nothing recorded

    project_id, unit_id = await approved(infra, api, BZ, "application_system", 1_500_000)
    base, unit = f"/projects/{project_id}", applicant(unit_id)
    assert (await post(api, f"{base}/operation-start", {"started_on": (today - timedelta(days=400)).isoformat()}, unit)).status_code == 201
    twice = await post(api, f"{base}/operation-start", {"started_on": today.isoformat()}, unit)
    assert twice.status_code == 409 and rules(twice) == ["BZ-42a"]
    filed = await post(api, f"{base}/evaluations", evaluation, unit)
    assert filed.status_code == 201 and "BZ-42a" in rules(filed)
    await deadline_stopped(api, project_id, "self_evaluation_window")
