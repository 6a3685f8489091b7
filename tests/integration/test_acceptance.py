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
from contracts.events import ContractFiled, DeadlineElapsed, ProjectApproved
from policy.packs import get_pack
from review.handlers import later_requirements
from tests.integration.harness import ADMIN, BUREAU, FINANCE, applicant, doc, eventually, leader, publish_event

pytestmark = pytest.mark.integration

BY = PackRef(id="BY", version="2024.1")
YL = PackRef(id="YL", version="draft.1")
DY = PackRef(id="DY", version="2020.1")
BZ = PackRef(id="BZ", version="2022.1")
YF = PackRef(id="YF", version="2020.1")
REPORT = doc("验收材料.pdf")


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


async def deadline_stopped(api, project_id: str, kind: str) -> None:
    """Notify's deadline of ``kind`` on the project was stopped by the step that meets it."""
    async def stopped():
        answer = await api["notify"].get(f"/projects/{project_id}/deadlines", as_=BUREAU)
        states = [d["state"] for d in answer.json() if d["kind"] == kind] if answer.status_code == 200 else []
        return states and all(state == "stopped" for state in states) or None
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

    evaluated = await post(api, f"{base}/evaluations", {"kind": "self", "grade": "qualified", "completed_on": later.isoformat(),
                                                         "report": doc("效能自评估报告.pdf")}, unit)
    assert evaluated.status_code == 201 and "BY-51a" in rules(evaluated)
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
    initial = await post(api, f"{base}/initial-acceptances", {"result": "passed", "mode": "internal_meeting",
                                                               "concluded_on": today.isoformat()}, applicant(unit_id))
    assert initial.status_code == 201 and rules(initial) == ["DY-19"]  # the unit, with builder and supervisor
    for key in ("supervision_report", "data_sharing_confirmation"):
        assert (await post(api, f"{base}/evidence", {"key": key, "document": doc(f"{key}.pdf")}, applicant(unit_id))).status_code == 201
    passed = await post(api, f"{base}/final-reviews", final, BUREAU)
    assert passed.status_code == 201 and passed.json()["rule_id"] == "DY-22"


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

    async def owed():
        answer = await api["notify"].get(f"/projects/{project_id}/deadlines", as_=BUREAU)
        found = [d for d in answer.json() if d["kind"] == "monitoring_report"] if answer.status_code == 200 else []
        return found or None
    [deadline] = await eventually(owed, what="notify starts the monitoring-report deadline")
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
    for key in ("completion_materials", "djcp_report", "cryptography_evaluation", "source_code_uploaded", "third_party_test_report",
                "data_sharing_met", "archive_acceptance"):
        response = await post(api, f"{base}/evidence", {"key": key, "document": doc(f"{key}（玉林）.pdf")}, applicant(unit_id))
        assert response.status_code in (201, 422), response.text  # 422: not owed by this project
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
                                                     "report": doc("第三方评估报告.pdf")}, BUREAU)
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
