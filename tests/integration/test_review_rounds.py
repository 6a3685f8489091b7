"""A declaration through review (RULES.md §3.3) and back to intake: plan review rounds (BY-16a–d),
the scheme's stages (BY-20.1a, BY-20.2a, BY-20.3), approval (BY-20.4), the third failure ending the
project (BY-22.11), a unit's reviews paused and resumed (BY-48d), 小微 projects (BY-19.1a), changes after
expert and cost review (BY-31.3, BY-31.4), the reviewer's advice (BY-58) and order of work (YL-10)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from contracts.envelope import Envelope
from contracts.events import AcceptanceFiled, AcceptanceFilingRejected
from tests.integration.harness import BUREAU, BY, PLAN_DOCUMENTS, applicant, doc, eventually, leader, publish_event

pytestmark = pytest.mark.integration

FILING_FORM = doc("项目备案表（评审）.pdf")
CHANGE_STATEMENT = doc("调整说明（专家评审后，盖章）.pdf")
EXPERT_ARGUMENT = doc("专家论证意见（调整）.pdf")
COST_CHANGE_STATEMENT = doc("调整说明（造价评审后，盖章）.pdf")
COST_CHANGE_ARGUMENT = doc("专家论证意见（造价评审后调整）.pdf")
CHANGE_COST_REVIEW = doc("第三方变更造价评审报告.pdf")
SCHEME_DOCUMENTS = [
    {"kind": "project_scheme", "document": doc("立项方案（评审）.pdf")},
    {"kind": "self_check_table", "document": doc("立项需求自查表（评审）.pdf")},
]


async def declare(api, unit_id, yuan=2_000_000, **extra) -> str:
    body = {"unit_id": unit_id, "project_name": "一网统管指挥平台", "declared_amount_yuan": yuan, "project_class": "build_develop",
            "documents": PLAN_DOCUMENTS, **extra}
    response = await api["intake"].post("/declarations", body, as_=applicant(unit_id))
    assert response.status_code == 201, response.text
    return response.json()["project_id"]


async def case_at(api, project_id, stage, awaiting="bureau", status="open"):
    async def ready():
        response = await api["review"].get(f"/cases/{project_id}", as_=BUREAU)
        if response.status_code != 200:
            return None
        case = response.json()
        return case if (case["stage"], case["awaiting"], case["status"]) == (stage, awaiting, status) else None
    return await eventually(ready, what=f"{project_id} at {stage} awaiting {awaiting} ({status})")


async def intake_status(api, unit_id, project_id, status):
    async def reached():
        row = (await api["intake"].get(f"/declarations/{project_id}", as_=leader(unit_id))).json()
        return row if row["status"] == status else None
    return await eventually(reached, what=f"intake sees {project_id} {status}")


async def opinion(api, project_id, stage, round_, result, amount=None, reasons=("按意见修改",)):
    body = {"stage": stage, "round": round_, "result": result, "reasons": list(reasons) if result == "failed" else []}
    if amount is not None:
        body["amount_yuan"] = amount
    return await api["review"].post(f"/cases/{project_id}/opinions", body, as_=BUREAU)


async def test_a_declaration_goes_from_plan_to_approval_and_intake_follows(api, unit_id):
    project_id = await declare(api, unit_id)
    case = await case_at(api, project_id, "plan_review")
    assert case["path"] == ["plan_review", "initial_review", "expert_review", "cost_review", "approval"]
    (first,) = case["rounds"]
    assert first["round"] == 1 and first["due_on"] > first["opened_at"][:10]  # 5 working days (BY-16b)

    returned = await opinion(api, project_id, "plan_review", 1, "failed", reasons=["建设内容与部门职能不符"])
    assert returned.status_code == 201 and returned.json()["awaiting"] == "unit"
    await intake_status(api, unit_id, project_id, "returned")  # BY-16b: the opinion reaches the unit
    again = await api["intake"].post(f"/declarations/{project_id}/resubmissions", {"adjustment_note": "已按意见调整建设内容"},
                                     as_=applicant(unit_id))
    assert again.status_code == 201 and again.json()["round"] == 2  # BY-16c
    await case_at(api, project_id, "plan_review")
    passed = await opinion(api, project_id, "plan_review", 2, "passed", amount=1_900_000)
    assert passed.status_code == 201 and passed.json()["plan_amount_fen"] == 190_000_000
    await intake_status(api, unit_id, project_id, "plan_passed")  # BY-15c

    scheme = await api["intake"].post(f"/declarations/{project_id}/schemes",
                                      {"estimate_yuan": 1_850_000, "documents": SCHEME_DOCUMENTS}, as_=applicant(unit_id))
    assert scheme.status_code == 201, scheme.text
    await case_at(api, project_id, "initial_review")
    assert (await opinion(api, project_id, "initial_review", 1, "passed")).json()["stage"] == "expert_review"
    assert (await opinion(api, project_id, "expert_review", 1, "passed")).json()["stage"] == "cost_review"
    over = await opinion(api, project_id, "cost_review", 1, "passed", amount=1_950_000)  # above the plan amount
    assert over.status_code == 422 and over.json()["field"] == "amount_yuan"
    costed = await opinion(api, project_id, "cost_review", 1, "passed", amount=1_800_000)
    assert costed.json()["stage"] == "approval" and costed.json()["reviewed_amount_fen"] == 180_000_000
    await intake_status(api, unit_id, project_id, "scheme_passed")  # BY-21: the unit files the final scheme next

    above = await api["review"].post(f"/cases/{project_id}/approval", {"approved_amount_yuan": 1_800_001, "document_number": "白政数审〔2027〕1号"},
                                     as_=BUREAU)
    assert above.status_code == 422 and above.json()["field"] == "approved_amount_yuan" and above.json()["rule_ids"] == ["BY-20.3"]
    approved = await api["review"].post(f"/cases/{project_id}/approval", {"approved_amount_yuan": 1_800_000, "document_number": "白政数审〔2027〕1号"},
                                        as_=BUREAU)
    assert approved.status_code == 201, approved.text
    body = approved.json()
    assert body["valid_until"] == body["approved_on"].replace(body["approved_on"][:4], str(int(body["approved_on"][:4]) + 1), 1)  # BY-20.4b
    assert [o["stage"] for o in body["opinions"]] == ["plan_review", "plan_review", "initial_review", "expert_review", "cost_review"]
    assert {"BY-20.4b"} <= set(body["rule_ids"])
    owed = {(r["stage"], r["key"]): r["status"] for r in body["requirements"]}
    assert owed[("acceptance", "djcp_report")] == "required"  # BY-43, fixed at approval for later stages
    assert owed[("implementation", "supervision")] == "pending"  # BY-29.2a turns on the main-works amount, not known yet
    assert (await api["review"].get(f"/cases/{project_id}/approval", as_=leader(unit_id))).json()["approved_amount_yuan"] == 1_800_000
    await intake_status(api, unit_id, project_id, "approved")
    twice = await api["review"].post(f"/cases/{project_id}/approval", {"approved_amount_yuan": 1_000_000, "document_number": "x号"},
                                     as_=BUREAU)
    assert twice.status_code == 409

    # BY-5.2b: an approved project's acceptance experts come from the 白云区 pool only
    meeting = {"stage": "final_acceptance", "size": 3, "starts_at": "2031-06-02T09:00:00+08:00", "ends_at": "2031-06-02T12:00:00+08:00"}
    city = await api["review"].post(f"/cases/{project_id}/meetings", {**meeting, "pool": "广州市信息化专家库"}, as_=BUREAU)
    assert city.status_code == 422 and city.json()["field"] == "pool" and city.json()["rule_ids"] == ["BY-5.2b"]
    district = await api["review"].post(f"/cases/{project_id}/meetings", {**meeting, "pool": "白云区信息化专家库"}, as_=BUREAU)
    assert district.status_code == 201, district.text


async def test_by_22_11_the_third_failed_plan_review_ends_the_project(api, unit_id):
    project_id = await declare(api, unit_id)
    for round_ in (1, 2):
        await case_at(api, project_id, "plan_review")
        assert (await opinion(api, project_id, "plan_review", round_, "failed")).status_code == 201
        await intake_status(api, unit_id, project_id, "returned")
        resubmitted = await api["intake"].post(f"/declarations/{project_id}/resubmissions", {"adjustment_note": f"第{round_}次修改"},
                                               as_=applicant(unit_id))
        assert resubmitted.status_code == 201
    await case_at(api, project_id, "plan_review")
    third = await opinion(api, project_id, "plan_review", 3, "failed")
    assert third.json()["status"] == "rejected" and set(third.json()["rounds"][-1]["rule_ids"]) >= {"BY-16d", "BY-22.11"}
    await intake_status(api, unit_id, project_id, "rejected")
    late = await opinion(api, project_id, "plan_review", 3, "passed", amount=1_000_000)
    assert late.status_code == 409 and late.json()["field"] == "round"  # an opinion on a closed round changes nothing


async def test_an_opinion_on_a_round_that_is_not_open_is_refused_and_changes_nothing(api, unit_id, dbs):
    project_id = await declare(api, unit_id)
    await case_at(api, project_id, "plan_review")
    for stage, round_ in (("plan_review", 2), ("initial_review", 1)):
        response = await opinion(api, project_id, stage, round_, "passed", amount=1_000_000)
        assert response.status_code == 409 and response.json()["field"] == "round" and response.json()["message_zh"]
    missing_amount = await opinion(api, project_id, "plan_review", 1, "passed")
    assert missing_amount.status_code == 422 and missing_amount.json()["rule_ids"] == ["BY-17.2b"]
    no_reason = await api["review"].post(f"/cases/{project_id}/opinions", {"stage": "plan_review", "round": 1, "result": "failed"},
                                         as_=BUREAU)
    assert no_reason.status_code == 422
    assert await dbs["review"].value("SELECT count(*) FROM review_round WHERE project_id = $1 AND result IS NOT NULL", project_id) == 0


async def test_by_48d_a_units_reviews_pause_while_its_block_stands_and_resume_when_it_lifts(api, infra, unit_id):
    project_id = await declare(api, unit_id)
    await case_at(api, project_id, "plan_review")
    now = datetime.now(timezone.utc)
    await publish_event(infra.nats_admin_url, Envelope(AcceptanceFilingRejected(
        project_id="P-EARLIER-48D", filing_id="F-1", unit_id=unit_id, pack=BY, attempt=2, final=True,
        rule_ids=["BY-48c", "BY-48d"], rejected_at=now), source="/services/acceptance"))
    await case_at(api, project_id, "plan_review", status="paused")
    paused = await opinion(api, project_id, "plan_review", 1, "passed", amount=1_000_000)
    assert paused.status_code == 409 and paused.json()["rule_ids"] == ["BY-48d"]

    await publish_event(infra.nats_admin_url, Envelope(AcceptanceFiled(
        project_id="P-EARLIER-48D", filing_id="F-2", unit_id=unit_id, pack=BY, filed_on=now.date(), rule_ids=["BY-48a"],
        filed_at=now), source="/services/acceptance"))
    await case_at(api, project_id, "plan_review", status="open")
    assert (await opinion(api, project_id, "plan_review", 1, "passed", amount=1_000_000)).status_code == 201


async def test_by_19_1a_a_micro_project_leaves_review_when_it_files(api, unit_id):
    project_id = await declare(api, unit_id, yuan=400_000)
    case = await case_at(api, project_id, "plan_review")
    assert case["track"] == "micro" and case["path"] == ["plan_review"]
    await opinion(api, project_id, "plan_review", 1, "passed", amount=400_000)
    await intake_status(api, unit_id, project_id, "plan_passed")
    filing = await api["intake"].post(f"/declarations/{project_id}/micro-filing",
                                      {"estimate_yuan": 400_000, "documents": [{"kind": "project_filing_form", "document": FILING_FORM}]},
                                      as_=applicant(unit_id))
    assert filing.status_code == 201, filing.text
    await case_at(api, project_id, "plan_review", awaiting="nobody", status="filed")


async def test_by_22_3_a_duplicate_found_at_plan_review_ends_the_project_at_once(api, unit_id, dbs):
    project_id = await declare(api, unit_id)
    await case_at(api, project_id, "plan_review")
    contradictory = await opinion(api, project_id, "plan_review", 1, "passed", amount=1_000_000)
    assert contradictory.status_code == 201  # nothing found: it passes
    other = await declare(api, unit_id)
    await case_at(api, other, "plan_review")
    body = {"stage": "plan_review", "round": 1, "result": "passed", "amount_yuan": 1_000_000,
            "judgements": [{"key": "duplicate_construction", "found": True, "note": "与已建网格化管理系统重复"}]}
    refused = await api["review"].post(f"/cases/{other}/opinions", body, as_=BUREAU)
    assert refused.status_code == 422 and refused.json()["field"] == "result" and "BY-22.3" in refused.json()["rule_ids"]
    ended = await api["review"].post(f"/cases/{other}/opinions", {**body, "result": "failed", "amount_yuan": None,
                                                                 "reasons": ["重复建设"]}, as_=BUREAU)
    assert ended.status_code == 201 and ended.json()["status"] == "rejected"  # round 1 of 3, yet 不予立项 (BY-22)
    assert ended.json()["rounds"][0]["judgements"][0]["note"] == "与已建网格化管理系统重复"
    await intake_status(api, unit_id, other, "rejected")
    rules = await dbs["review"].value("SELECT convert_from(payload, 'UTF8') FROM outbox WHERE event_type = 'review.project.rejected.v1' "
                                      "AND convert_from(payload, 'UTF8') LIKE $1", f"%{other}%")
    assert '"BY-22.3"' in rules


async def test_by_19_2_an_identical_om_renewal_takes_the_simplified_path_without_expert_review(api, unit_id):
    project_id = await declare(api, unit_id, yuan=1_500_000, project_class="operation_maintenance", flags=["identical_om_renewal"])
    case = await case_at(api, project_id, "plan_review")
    assert case["track"] == "simplified" and case["path"] == ["plan_review", "initial_review", "cost_review", "approval"]
    over_line = await declare(api, unit_id, yuan=2_000_001, project_class="operation_maintenance", flags=["identical_om_renewal"])
    assert (await case_at(api, over_line, "plan_review"))["track"] == "ordinary"  # 不超过200万: above it, experts review again


async def test_by_31_3_a_change_after_expert_review_needs_consent_then_its_statement_and_expert_argument(api, unit_id):
    project_id = await declare(api, unit_id)
    await case_at(api, project_id, "plan_review")
    await opinion(api, project_id, "plan_review", 1, "passed", amount=2_000_000)
    await intake_status(api, unit_id, project_id, "plan_passed")
    assert (await api["intake"].post(f"/declarations/{project_id}/schemes", {"estimate_yuan": 1_900_000, "documents": SCHEME_DOCUMENTS},
                                     as_=applicant(unit_id))).status_code == 201
    await case_at(api, project_id, "initial_review")
    too_early = await api["review"].post(f"/cases/{project_id}/scheme-changes", {"reason": "调整部署方式", "substantive": True},
                                         as_=applicant(unit_id))
    assert too_early.status_code == 409  # before expert review the opinions themselves return the scheme
    await opinion(api, project_id, "initial_review", 1, "passed")
    await opinion(api, project_id, "expert_review", 1, "passed")

    unasked = await api["intake"].post(f"/declarations/{project_id}/schemes", {"estimate_yuan": 1_900_000, "documents": SCHEME_DOCUMENTS},
                                       as_=applicant(unit_id))
    assert unasked.status_code == 409  # no revision without consent
    asked = await api["review"].post(f"/cases/{project_id}/scheme-changes", {"reason": "改为政务云部署", "substantive": True},
                                     as_=applicant(unit_id))
    assert asked.status_code == 201 and asked.json()["after_stage"] == "expert_review"
    consent = await api["review"].post(f"/cases/{project_id}/scheme-changes/{asked.json()['change_id']}/decision", {"consent": True},
                                       as_=BUREAU)
    assert consent.status_code == 201
    await intake_status(api, unit_id, project_id, "scheme_change_consented")

    bare = await api["intake"].post(f"/declarations/{project_id}/schemes", {"estimate_yuan": 1_900_000, "documents": SCHEME_DOCUMENTS},
                                    as_=applicant(unit_id))
    assert bare.status_code == 422 and bare.json()["rule_ids"] == ["BY-31.3"]
    assert {m["kind"] for m in bare.json()["details"]["missing"]} == {"change_statement_after_expert_review",
                                                                     "expert_argument_after_expert_review"}
    revised = await api["intake"].post(f"/declarations/{project_id}/schemes", {"estimate_yuan": 1_900_000, "documents": SCHEME_DOCUMENTS + [
        {"kind": "change_statement_after_expert_review", "document": CHANGE_STATEMENT},
        {"kind": "expert_argument_after_expert_review", "document": EXPERT_ARGUMENT}]}, as_=applicant(unit_id))
    assert revised.status_code == 201 and revised.json()["revision"] == 2
    case = await case_at(api, project_id, "cost_review")
    assert [r["stage"] for r in case["rounds"]][-1] == "cost_review"


async def test_yl_10_the_bureau_works_through_cases_by_urgency(api, unit_id):
    """YL-10: 按照轻重缓急原则开展项目立项审批 — the bureau ranks a case with the plan or task it serves, works
    through them in that order, and a case it has closed is no longer ranked."""
    first, second = await declare(api, unit_id), await declare(api, unit_id)
    await case_at(api, second, "plan_review")
    set_ = await api["review"].put(f"/cases/{second}/priority", {"priority": "urgent", "reason": "市重点任务：数字政府攻坚"}, as_=BUREAU)
    assert set_.status_code == 200 and set_.json()["priority"] == "urgent"
    assert set_.json()["priority_reason"] == "市重点任务：数字政府攻坚"
    queue = [c["project_id"] for c in (await api["review"].get("/cases", as_=BUREAU, unit_id=unit_id, order="priority")).json()]
    assert queue.index(second) < queue.index(first)
    opened = [c["project_id"] for c in (await api["review"].get("/cases", as_=BUREAU, unit_id=unit_id)).json()]
    assert opened.index(first) < opened.index(second)

    unsaid = await api["review"].put(f"/cases/{first}/priority", {"priority": "urgent"}, as_=BUREAU)
    assert unsaid.status_code == 422 and unsaid.json()["field"] == "reason" and unsaid.json()["message_zh"]
    unknown = await api["review"].put(f"/cases/{first}/priority", {"priority": "top", "reason": "年度计划"}, as_=BUREAU)
    assert unknown.status_code == 422 and unknown.json()["field"] == "priority"
    await case_at(api, first, "plan_review")
    body = {"stage": "plan_review", "round": 1, "result": "failed", "reasons": ["不予立项"],
            "judgements": [{"key": "not_in_plan", "found": True}]}
    assert (await api["review"].post(f"/cases/{first}/opinions", body, as_=BUREAU)).json()["status"] == "rejected"
    closed = await api["review"].put(f"/cases/{first}/priority", {"priority": "high", "reason": "年度计划"}, as_=BUREAU)
    assert closed.status_code == 409 and closed.json()["rule_ids"] == ["YL-10"]


async def cost_reviewed(api, unit_id, estimate=1_900_000, reviewed=1_850_000) -> str:
    """A scheme through initial, expert and cost review, waiting for the approval."""
    project_id = await declare(api, unit_id)
    await case_at(api, project_id, "plan_review")
    await opinion(api, project_id, "plan_review", 1, "passed", amount=2_000_000)
    await intake_status(api, unit_id, project_id, "plan_passed")
    assert (await api["intake"].post(f"/declarations/{project_id}/schemes", {"estimate_yuan": estimate, "documents": SCHEME_DOCUMENTS},
                                     as_=applicant(unit_id))).status_code == 201
    await case_at(api, project_id, "initial_review")
    await opinion(api, project_id, "initial_review", 1, "passed")
    await opinion(api, project_id, "expert_review", 1, "passed")
    assert (await opinion(api, project_id, "cost_review", 1, "passed", amount=reviewed)).json()["stage"] == "approval"
    await intake_status(api, unit_id, project_id, "scheme_passed")
    return project_id


async def test_by_31_4_a_change_after_cost_review_needs_consent_then_its_statement_argument_and_change_cost_review(api, unit_id):
    """BY-31.4: 造价评审后，非造价评审报告要求的调整 — the bureau consents first; the revision brings the stamped
    statement and, for a substantive change, the expert argument and the third-party change cost review;
    it goes back to the approval, not through the stages again."""
    project_id = await cost_reviewed(api, unit_id)
    asked = await api["review"].post(f"/cases/{project_id}/scheme-changes", {"reason": "增加移动端应用", "substantive": True},
                                     as_=applicant(unit_id))
    assert asked.status_code == 201 and asked.json()["after_stage"] == "cost_review"
    twice = await api["review"].post(f"/cases/{project_id}/scheme-changes", {"reason": "再次调整", "substantive": False},
                                     as_=applicant(unit_id))
    assert twice.status_code == 409 and twice.json()["rule_ids"] == ["BY-31.4"]
    consent = await api["review"].post(f"/cases/{project_id}/scheme-changes/{asked.json()['change_id']}/decision",
                                       {"consent": True, "reasons": ["同意调整，按程序报送"]}, as_=BUREAU)
    assert consent.status_code == 201 and consent.json()["consented"] is True
    decided_again = await api["review"].post(f"/cases/{project_id}/scheme-changes/{asked.json()['change_id']}/decision",
                                             {"consent": False}, as_=BUREAU)
    assert decided_again.status_code == 409 and decided_again.json()["rule_ids"] == ["BY-31.4"]
    waiting = await api["review"].post(f"/cases/{project_id}/approval", {"approved_amount_yuan": 1_850_000, "document_number": "白政数审〔2027〕4号"},
                                       as_=BUREAU)
    assert waiting.status_code == 409  # the consented change comes first
    await intake_status(api, unit_id, project_id, "scheme_change_consented")

    bare = await api["intake"].post(f"/declarations/{project_id}/schemes", {"estimate_yuan": 1_850_000, "documents": SCHEME_DOCUMENTS},
                                    as_=applicant(unit_id))
    assert bare.status_code == 422 and bare.json()["rule_ids"] == ["BY-31.4"]
    assert {m["kind"] for m in bare.json()["details"]["missing"]} == {
        "change_statement_after_cost_review", "expert_argument_after_cost_review", "change_cost_review"}
    revised = await api["intake"].post(f"/declarations/{project_id}/schemes", {"estimate_yuan": 1_850_000, "documents": SCHEME_DOCUMENTS + [
        {"kind": "change_statement_after_cost_review", "document": COST_CHANGE_STATEMENT},
        {"kind": "expert_argument_after_cost_review", "document": COST_CHANGE_ARGUMENT},
        {"kind": "change_cost_review", "document": CHANGE_COST_REVIEW}]}, as_=applicant(unit_id))
    assert revised.status_code == 201 and revised.json()["revision"] == 2
    case = await case_at(api, project_id, "approval")
    assert [r["stage"] for r in case["rounds"]][-1] == "cost_review"  # no stage reopened
    approved = await api["review"].post(f"/cases/{project_id}/approval", {"approved_amount_yuan": 1_850_000, "document_number": "白政数审〔2027〕4号"},
                                        as_=BUREAU)
    assert approved.status_code == 201, approved.text
    changes = (await api["review"].get(f"/cases/{project_id}/scheme-changes", as_=leader(unit_id))).json()
    assert [(c["after_stage"], c["consented"]) for c in changes] == [("cost_review", True)]


async def test_by_31_4_a_refused_change_leaves_the_reviewed_scheme_to_the_approval(api, unit_id):
    """BY-31.4: without the bureau's consent the cost-reviewed scheme stands and the approval proceeds."""
    project_id = await cost_reviewed(api, unit_id)
    asked = await api["review"].post(f"/cases/{project_id}/scheme-changes", {"reason": "更换部署方式", "substantive": False},
                                     as_=applicant(unit_id))
    refused = await api["review"].post(f"/cases/{project_id}/scheme-changes/{asked.json()['change_id']}/decision",
                                       {"consent": False, "reasons": ["调整非造价评审报告要求，且无必要"]}, as_=BUREAU)
    assert refused.status_code == 201 and refused.json()["consented"] is False
    unasked = await api["intake"].post(f"/declarations/{project_id}/schemes", {"estimate_yuan": 1_850_000, "documents": SCHEME_DOCUMENTS},
                                       as_=applicant(unit_id))
    assert unasked.status_code == 409
    approved = await api["review"].post(f"/cases/{project_id}/approval", {"approved_amount_yuan": 1_850_000, "document_number": "白政数审〔2027〕6号"},
                                        as_=BUREAU)
    assert approved.status_code == 201, approved.text


async def test_by_58_the_reviewer_advises_reuse_through_yue_fuyong_without_failing_the_opinion(api, unit_id):
    """BY-58 (鼓励): advice to list a mature system on 粤复用 or reuse one through it is kept with the opinion,
    which still passes; advice without words is refused naming the note."""
    project_id = await declare(api, unit_id)
    await case_at(api, project_id, "plan_review")
    body = {"stage": "plan_review", "round": 1, "result": "passed", "amount_yuan": 2_000_000,
            "judgements": [{"key": "reuse_via_yue_fuyong", "found": True}]}
    wordless = await api["review"].post(f"/cases/{project_id}/opinions", body, as_=BUREAU)
    assert wordless.status_code == 422 and wordless.json()["field"] == "judgements[0].note" and wordless.json()["rule_ids"] == ["BY-58"]
    advice = "建议通过粤复用平台复用省统一预约系统，本系统建成后上架粤复用"
    body["judgements"][0]["note"] = advice
    passed = await api["review"].post(f"/cases/{project_id}/opinions", body, as_=BUREAU)
    assert passed.status_code == 201, passed.text
    (kept,) = passed.json()["rounds"][0]["judgements"]
    assert (kept["note"], kept["rule_ids"], kept["effect"]) == (advice, ["BY-58"], "advises")
    assert passed.json()["rounds"][0]["result"] == "passed" and "BY-58" not in passed.json()["rounds"][0]["rule_ids"]
    seen = (await api["review"].get(f"/cases/{project_id}", as_=leader(unit_id))).json()
    assert seen["rounds"][0]["judgements"][0]["note"] == advice  # the unit reads the advice
    await intake_status(api, unit_id, project_id, "plan_passed")
