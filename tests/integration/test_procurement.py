"""Procurement (RULES.md §3.4, §3.6, §3.7, §3.10.1): from approval to a filed contract, changes under
and over each pack's line, termination and lapse, and every finance hold placed by its event and
released by its release event, as the finance bureau's system sees them through the reference client."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from contracts.base import PackRef
from contracts.envelope import Envelope
from contracts.events import (
    AcceptanceFailed,
    AcceptanceFilingRejected,
    AcceptancePassed,
    ComplianceOpinionIssued,
    DeadlineElapsed,
    LaterRequirement,
    ProjectApproved,
    RectificationCompleted,
    RectificationOverdue,
    SupervisionFindingRecorded,
)
from finance_client import FinanceClient
from tests.integration.harness import BUREAU, BY, BZ, DY, FINANCE, YF, YL, applicant, doc, eventually, leader, publish_event

pytestmark = pytest.mark.integration

ALL_RIGHTS = ["source_code", "data", "software_copyright", "patents", "trademarks", "usage_rights", "results"]
CONTRACT_TEXT = {"role": "contract_text", "document": doc("合同文本.pdf")}
NDA = {"role": "confidentiality_agreement", "document": doc("保密协议.pdf")}
STAFF = {"role": "personnel_register", "document": doc("人员实名登记及安全保密协议.pdf")}
SELF_CHECK = {"role": "requirement_self_check", "document": doc("采购需求自查表.pdf")}
NOTE = {"role": "termination_note", "document": doc("项目终止说明.pdf")}
BY_OWED = [
    LaterRequirement(stage="procurement", key="procurement_self_check", status="required", rule_ids=["BY-24"]),
    LaterRequirement(stage="implementation", key="supervision", status="pending", rule_ids=["BY-29.2a"]),
]


def today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def supplier() -> str:
    return "91440111" + uuid.uuid4().hex[:10].upper()


async def approved(infra, api, pack: PackRef = BY, project_class: str = "build_develop", yuan: int = 2_000_000,
                   approved_on: date | None = None, owed: list[LaterRequirement] | None = None) -> tuple[str, str]:
    """A project approved as review publishes it."""
    project_id, unit_id = f"P-{uuid.uuid4().hex[:8]}", f"U-{uuid.uuid4().hex[:8]}"
    on = approved_on or today()
    await publish_event(infra.nats_admin_url, Envelope(ProjectApproved(
        project_id=project_id, approval_id=str(uuid.uuid4()), unit_id=unit_id, pack=pack, project_class=project_class,
        approved_amount_fen=yuan * 100, approved_on=on, valid_until=on.replace(year=on.year + 1), rule_ids=["BY-20.4b"],
        approved_at=datetime.now(timezone.utc), requirements=BY_OWED if owed is None and pack == BY else owed or []),
        source="/services/review"))

    async def known():
        response = await api["procurement"].get(f"/projects/{project_id}", as_=BUREAU)
        return response.json() if response.status_code == 200 else None
    await eventually(known, what=f"procurement knows {project_id}")
    return project_id, unit_id


async def publish(infra, event, source: str) -> str:
    envelope = Envelope(event, source=source)
    await publish_event(infra.nats_admin_url, envelope)
    return envelope.id


def contract_body(supplier_id: str, role: str = "builder", yuan: int = 1_500_000, signed_on: date | None = None, **extra) -> dict:
    signed = signed_on or today()
    body = {
        "supplier": {"supplier_id": supplier_id, "name": "某信息技术有限公司"}, "supplier_role": role, "title": "一网统管平台建设合同",
        "amount_yuan": yuan, "signed_on": signed.isoformat(),
        "term": {"starts_on": signed.isoformat(), "ends_on": (signed + timedelta(days=364)).isoformat()},
        "deliverables": ["software"], "warranty_software_months": 12, "data_terms": True, "procurement_method": "public_tender",
        "ip_clauses": dict.fromkeys(ALL_RIGHTS, "unit"),
        "milestones": [{"kind": "advance", "amount_yuan": yuan * 3 // 10}, {"kind": "progress", "amount_yuan": yuan * 4 // 10},
                       {"kind": "final_payment", "amount_yuan": yuan - yuan * 3 // 10 - yuan * 4 // 10}],
        "documents": [CONTRACT_TEXT, NDA, STAFF],
    }
    body.update(extra)
    return body


async def file_requirements(api, project_id, unit_id, yuan=1_800_000, **extra):
    body = {"procurement_budget_yuan": yuan, "matches_scheme": True, "documents": [SELF_CHECK], **extra}
    return await api["procurement"].post(f"/projects/{project_id}/requirement-filings", body, as_=applicant(unit_id))


async def holds(api, project_id) -> list[dict]:
    return (await api["procurement"].get(f"/projects/{project_id}/holds", as_=FINANCE)).json()


@pytest.fixture
async def finance(infra):
    passwords = infra.nats_passwords
    client = FinanceClient(infra.nats_url, password=passwords["finance-system"]) if passwords else \
        FinanceClient(infra.nats_url, user=None)
    async with client:
        yield client


# ---- from approval to contract ----------------------------------------------------------------------


async def test_by_24_by_26_approval_to_filed_contract_with_its_obligations(api, infra):
    project_id, unit_id = await approved(infra, api, yuan=1_800_000)
    unit = applicant(unit_id)
    early = await api["procurement"].post(f"/projects/{project_id}/contracts", contract_body(supplier()), as_=unit)
    assert early.status_code == 409 and early.json()["rule_ids"] == ["BY-24"]  # the self-check comes first

    departs = await file_requirements(api, project_id, unit_id, matches_scheme=False, deviations=["增加视频分析模块"])
    assert departs.status_code == 422 and departs.json()["field"] == "matches_scheme" and departs.json()["rule_ids"] == ["BY-24"]
    assert (await file_requirements(api, project_id, unit_id)).status_code == 201

    no_nda = await api["procurement"].post(f"/projects/{project_id}/contracts",
                                           contract_body(supplier(), documents=[CONTRACT_TEXT, STAFF]), as_=unit)
    assert no_nda.status_code == 422 and no_nda.json()["rule_ids"] == ["BY-26b"], no_nda.text
    builder = supplier()
    filed = await api["procurement"].post(f"/projects/{project_id}/contracts", contract_body(builder), as_=unit)
    assert filed.status_code == 201, filed.text
    contract = filed.json()
    assert contract["filed_late"] is False and contract["rule_ids"] == ["BY-26c"] and contract["filing_due_on"] > today().isoformat()

    view = (await api["procurement"].get(f"/projects/{project_id}", as_=leader(unit_id))).json()
    assert view["contracted_yuan"] == 1_500_000
    owed = {o["key"]: o for o in view["obligations"]}
    assert owed["procurement_self_check"]["status"] == "met"
    assert owed["supervision"]["status"] == "outstanding"  # BY-29.2a: the 150万 of main works is over 50万
    supervisor = await api["procurement"].post(f"/projects/{project_id}/contracts", contract_body(
        supplier(), role="supervision", yuan=50_000, deliverables=["services"], warranty_software_months=None), as_=unit)
    assert supervisor.status_code == 201, supervisor.text
    view = (await api["procurement"].get(f"/projects/{project_id}", as_=BUREAU)).json()
    assert {o["key"]: o["status"] for o in view["obligations"]}["supervision"] == "met"

    supplementary = await api["procurement"].post(f"/projects/{project_id}/contracts", contract_body(
        builder, kind="supplementary", amends_contract_id=contract["contract_id"], yuan=100_000, documents=[CONTRACT_TEXT]), as_=unit)
    assert supplementary.status_code == 201 and supplementary.json()["rule_ids"] == ["BY-26d"]

    reported = await api["procurement"].post(f"/projects/{project_id}/progress-reports", {
        "period_end": today().isoformat(), "schedule_status": "behind_schedule", "milestones_due": 3, "milestones_done": 1,
        "delay_reason": "供应商人员不到位"}, as_=unit)
    assert reported.status_code == 201  # BY-29.5, feeds BY-22.5


async def test_by_26c_a_contract_filed_after_five_working_days_is_marked_late(api, infra):
    project_id, unit_id = await approved(infra, api, approved_on=today() - timedelta(days=40))
    await file_requirements(api, project_id, unit_id)
    filed = await api["procurement"].post(f"/projects/{project_id}/contracts",
                                          contract_body(supplier(), signed_on=today() - timedelta(days=20)), as_=applicant(unit_id))
    assert filed.status_code == 201, filed.text
    assert filed.json()["filed_late"] is True and filed.json()["filing_due_on"] < today().isoformat()


async def test_nothing_is_procured_without_approval(api, unit_id):
    refused = await api["procurement"].post(f"/projects/P-{uuid.uuid4().hex[:8]}/requirement-filings",
                                            {"procurement_budget_yuan": 1, "matches_scheme": True, "documents": [SELF_CHECK]},
                                            as_=applicant(unit_id))
    assert refused.status_code == 409 and refused.json()["field"] == "project_id" and refused.json()["rule_ids"] == ["BY-23"]


async def test_by_29_1_a_conflicted_supplier_is_refused(api, infra):
    project_id, unit_id = await approved(infra, api)
    unit = applicant(unit_id)
    await file_requirements(api, project_id, unit_id)
    tester = supplier()
    assert (await api["procurement"].post(f"/projects/{project_id}/contracts", contract_body(
        tester, role="testing", yuan=80_000, deliverables=["services"]), as_=unit)).status_code == 201
    refused = await api["procurement"].post(f"/projects/{project_id}/contracts", contract_body(tester), as_=unit)
    assert refused.status_code == 409 and refused.json()["rule_ids"] == ["BY-29.1"]
    assert refused.json()["field"] == "supplier.supplier_id"


async def test_dy_10_1c_the_scheme_designer_may_not_build(api, infra):
    project_id, unit_id = await approved(infra, api, pack=DY, yuan=1_000_000)
    designer = supplier()
    assert (await file_requirements(api, project_id, unit_id, yuan=900_000, scheme_designer_id=designer)).status_code == 201
    refused = await api["procurement"].post(f"/projects/{project_id}/contracts", contract_body(designer, yuan=900_000),
                                            as_=applicant(unit_id))
    assert refused.status_code == 409 and refused.json()["rule_ids"] == ["DY-10.1c"]


async def test_dy_12_dy_11b_a_large_procurement_is_argued_by_drawn_experts_within_the_reviewed_amount(api, infra):
    project_id, unit_id = await approved(infra, api, pack=DY, yuan=8_000_000)
    over = await file_requirements(api, project_id, unit_id, yuan=8_000_001)
    assert over.status_code == 422 and over.json()["rule_ids"] == ["DY-11b"]
    unargued = await file_requirements(api, project_id, unit_id, yuan=7_000_000)
    assert unargued.status_code == 422 and unargued.json()["field"] == "expert_review" and unargued.json()["rule_ids"] == ["DY-12"]
    argued = await file_requirements(api, project_id, unit_id, yuan=7_000_000, expert_review={
        "pool": "广东省政府采购评审专家库", "experts_drawn": 5, "concluded_on": today().isoformat(), "bias_found": False,
        "document": doc("采购需求专家论证意见.pdf")})
    assert argued.status_code == 201, argued.text


async def test_bad_contract_input_names_the_field_and_rule_and_changes_nothing(api, infra):
    project_id, unit_id = await approved(infra, api, yuan=1_000_000)
    unit = applicant(unit_id)
    await file_requirements(api, project_id, unit_id, yuan=1_000_000)
    above = await api["procurement"].post(f"/projects/{project_id}/contracts", contract_body(supplier(), yuan=1_000_001), as_=unit)
    assert above.status_code == 422 and above.json()["field"] == "amount_yuan" and above.json()["rule_ids"] == ["BY-17.2b"]
    body = contract_body(supplier(), yuan=900_000)
    body["milestones"][0]["amount_yuan"] += 1
    uneven = await api["procurement"].post(f"/projects/{project_id}/contracts", body, as_=unit)
    assert uneven.status_code == 422 and uneven.json()["field"] == "milestones"
    backwards = contract_body(supplier(), yuan=900_000)
    backwards["term"] = {"starts_on": today().isoformat(), "ends_on": (today() - timedelta(days=1)).isoformat()}
    reversed_ = await api["procurement"].post(f"/projects/{project_id}/contracts", backwards, as_=unit)
    assert reversed_.status_code == 422 and reversed_.json()["field"] == "term.ends_on"
    short = await api["procurement"].post(f"/projects/{project_id}/contracts",
                                          contract_body(supplier(), yuan=900_000, warranty_software_months=6), as_=unit)
    assert short.status_code == 422 and short.json()["rule_ids"] == ["BY-27"]
    supplier_owns = contract_body(supplier(), yuan=900_000)
    supplier_owns["ip_clauses"]["source_code"] = "supplier"
    ip = await api["procurement"].post(f"/projects/{project_id}/contracts", supplier_owns, as_=unit)
    assert ip.status_code == 422 and ip.json()["field"] == "ip_clauses.source_code" and ip.json()["rule_ids"] == ["BY-28"]
    assert (await api["procurement"].get(f"/projects/{project_id}/contracts", as_=unit)).json() == []


async def test_bz_38_om_service_contracts_are_signed_year_by_year(api, infra):
    project_id, unit_id = await approved(infra, api, pack=BZ, project_class="application_system", yuan=3_000_000)
    body = contract_body(supplier(), yuan=600_000, om_service=True, documents=[CONTRACT_TEXT])
    body["term"]["ends_on"] = (today() + timedelta(days=800)).isoformat()
    refused = await api["procurement"].post(f"/projects/{project_id}/contracts", body, as_=applicant(unit_id))
    assert refused.status_code == 422 and refused.json()["rule_ids"] == ["BZ-38"]
    missing_ip = contract_body(supplier(), yuan=600_000, documents=[CONTRACT_TEXT], ip_clauses={})
    ip = await api["procurement"].post(f"/projects/{project_id}/contracts", missing_ip, as_=applicant(unit_id))
    assert ip.status_code == 422 and ip.json()["rule_ids"] == ["BZ-27"]


# ---- changes ------------------------------------------------------------------------------------------


def change(stage="implementation", *lines, **extra) -> dict:
    return {"stage": stage, "lines": [{"kind": k, "amount_yuan": a, "item": f"{k}-{a}"} for k, a in lines],
            "reason": "业务需求调整", **extra}


async def test_by_33_changes_under_and_over_fifteen_percent(api, infra):
    project_id, unit_id = await approved(infra, api, yuan=2_000_000)
    unit = applicant(unit_id)
    small = await api["procurement"].post(f"/projects/{project_id}/changes", change("implementation", ("cancel", 100_000), ("add", 100_000)),
                                          as_=unit)
    assert small.status_code == 201, small.text
    assert small.json()["status"] == "awaiting_decision" and small.json()["change_amount_yuan"] == 200_000  # BY-33.3c: 10%
    assert {"BY-33.3b", "BY-32a"} <= set(small.json()["rule_ids"])
    decided = await api["procurement"].post(f"/projects/{project_id}/changes/{small.json()['change_id']}/decision",
                                            {"approved": True}, as_=BUREAU)
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    again = await api["procurement"].post(f"/projects/{project_id}/changes/{small.json()['change_id']}/decision",
                                          {"approved": False}, as_=BUREAU)
    assert again.status_code == 409

    large = await api["procurement"].post(f"/projects/{project_id}/changes", change("implementation", ("cancel", 200_000), ("add", 150_000)),
                                          as_=unit)
    assert large.json()["status"] == "redeclaration_required" and large.json()["requires_redeclaration"] is True
    assert "BY-33.3a" in large.json()["rule_ids"]  # 17.5% > 15% (不含)
    cancel = await api["procurement"].post(f"/projects/{project_id}/changes", change("implementation", ("cancel", 300_000)), as_=unit)
    assert cancel.json()["status"] == "filed" and "BY-33.2" in cancel.json()["rule_ids"]
    view = (await api["procurement"].get(f"/projects/{project_id}", as_=unit)).json()
    assert view["approved_amount_yuan"] == 1_700_000  # a cancelled amount is deducted on filing

    mismatch = await api["procurement"].post(f"/projects/{project_id}/changes", change(
        "implementation", ("cancel", 10_000), ("add", 10_000), totals={"added_yuan": 20_000}), as_=unit)
    assert mismatch.status_code == 422 and mismatch.json()["field"] == "totals.added_yuan" and mismatch.json()["rule_ids"] == ["BY-33.3c"]
    increase = await api["procurement"].post(f"/projects/{project_id}/changes", change("implementation", ("add", 10_000)), as_=unit)
    assert increase.status_code == 422 and increase.json()["rule_ids"] == ["BY-33.1"]
    assert len((await api["procurement"].get(f"/projects/{project_id}/changes", as_=unit)).json()) == 3


async def test_dy_17_one_change_and_no_increase(api, infra):
    project_id, unit_id = await approved(infra, api, pack=DY, yuan=1_000_000)
    unit = applicant(unit_id)
    increase = await api["procurement"].post(f"/projects/{project_id}/changes", change("implementation", ("add", 50_000)), as_=unit)
    assert increase.status_code == 422 and "DY-17a" in increase.json()["rule_ids"]
    swap = await api["procurement"].post(f"/projects/{project_id}/changes", change("implementation", ("cancel", 50_000), ("add", 40_000)),
                                         as_=unit)
    assert swap.status_code == 422 and swap.json()["rule_ids"] == ["DY-17a"]  # new content, 原则上 not allowed
    first = await api["procurement"].post(f"/projects/{project_id}/changes", change("implementation", ("cancel", 50_000)), as_=unit)
    assert first.status_code == 201 and first.json()["status"] == "awaiting_decision"
    second = await api["procurement"].post(f"/projects/{project_id}/changes", change("implementation", ("cancel", 10_000)), as_=unit)
    assert second.status_code == 422 and "DY-17b" in second.json()["rule_ids"]


async def test_yl_21_over_ten_percent_is_approved_or_filed_anew(api, infra):
    project_id, unit_id = await approved(infra, api, pack=YL, project_class="application_system", yuan=3_000_000)
    over = await api["procurement"].post(f"/projects/{project_id}/changes", change("implementation", ("add", 310_000)),
                                         as_=applicant(unit_id))
    assert over.status_code == 201 and over.json()["requires_redeclaration"] is True and "YL-21.1" in over.json()["rule_ids"]


async def test_by_32b_an_unapproved_change_is_held_and_finance_is_told(api, infra, finance):
    project_id, unit_id = await approved(infra, api, yuan=2_000_000)
    unit = applicant(unit_id)
    await file_requirements(api, project_id, unit_id)
    main = (await api["procurement"].post(f"/projects/{project_id}/contracts", contract_body(supplier()), as_=unit)).json()
    no_contract = await api["procurement"].post(f"/projects/{project_id}/changes", change(
        "implementation", ("cancel", 80_000), ("add", 50_000), after_the_fact=True), as_=unit)
    assert no_contract.status_code == 422 and no_contract.json()["field"] == "contract_id"
    made = await api["procurement"].post(f"/projects/{project_id}/changes", change(
        "implementation", ("cancel", 80_000), ("add", 50_000), after_the_fact=True, contract_id=main["contract_id"]), as_=unit)
    assert made.status_code == 201 and made.json()["status"] == "awaiting_decision"
    (hold,) = await holds(api, project_id)
    assert (hold["scope"], hold["rule_ids"], hold["contract_id"], hold["amount_fen"]) == (
        "change_delta", ["BY-32b"], main["contract_id"], 5_000_000)
    seen = await finance.until(lambda book: book.in_force(project_id))
    assert seen[0].scope == "change_delta" and seen[0].rule_ids == ["BY-32b"]

    blocked = await finance.ask(project_id, "progress", 10_000_000, contract_id=main["contract_id"])
    assert blocked.answer == "blocked" and blocked.rule_ids == ["BY-32b"] and blocked.hold_ids == [hold["hold_id"]]
    approved_ = await api["procurement"].post(f"/projects/{project_id}/changes/{made.json()['change_id']}/decision",
                                              {"approved": True, "reasons": ["补办变更审批"]}, as_=BUREAU)
    assert approved_.status_code == 200
    assert await holds(api, project_id) == []
    await finance.until(lambda book: not book.in_force(project_id) and book.released)
    cleared = await finance.ask(project_id, "progress", 10_000_000, contract_id=main["contract_id"])
    assert cleared.answer == "cleared" and cleared.rule_ids == []


# ---- lapse and termination ---------------------------------------------------------------------------


async def test_by_37_3_an_approval_that_expires_unused_lapses_and_funds_are_recovered(api, infra, finance):
    # approved a year and a day ago: notify's approval_validity deadline runs out at once
    project_id, unit_id = await approved(infra, api, approved_on=today() - timedelta(days=366))
    used, used_unit = await approved(infra, api, approved_on=today() - timedelta(days=300))
    await file_requirements(api, used, used_unit)
    assert (await api["procurement"].post(f"/projects/{used}/contracts",
                                          contract_body(supplier(), signed_on=today() - timedelta(days=250)),
                                          as_=applicant(used_unit))).status_code == 201
    # the validity of a project with a contract running out changes nothing
    await publish(infra, DeadlineElapsed(deadline_id=str(uuid.uuid4()), kind="approval_validity", project_id=used, unit_id=used_unit,
                                         pack=BY, rule_ids=["BY-20.4b"], due_at=datetime.now(timezone.utc)), "/services/notify")

    async def lapsed():
        rows = (await api["procurement"].get(f"/projects/{project_id}/terminations", as_=BUREAU)).json()
        return rows or None
    (row,) = await eventually(lapsed, what="the lapse")
    assert row["reason"] == "lapsed" and row["rule_ids"] == ["BY-37.3", "BY-20.4b"]
    (hold,) = await eventually(lambda: holds(api, project_id), what="the recovery hold")
    assert hold["scope"] == "recover_remaining" and hold["rule_ids"] == ["BY-38b"]
    await finance.until(lambda book: book.in_force(project_id))
    assert (await api["procurement"].get(f"/projects/{used}/terminations", as_=BUREAU)).json() == []  # a contract was filed


async def test_by_37_by_38_termination_with_recovery(api, infra, finance):
    project_id, unit_id = await approved(infra, api, project_class="build_develop")
    unit = applicant(unit_id)
    wrong = await api["procurement"].post(f"/projects/{project_id}/terminations", {
        "ground": "om_object_stopped", "note": "运维对象停运", "documents": [NOTE]}, as_=unit)
    assert wrong.status_code == 422 and wrong.json()["rule_ids"] == ["BY-37.4"]  # only for 运行维护类
    no_note = await api["procurement"].post(f"/projects/{project_id}/terminations", {
        "ground": "policy_change", "note": "上级统建", "documents": [{"role": "other", "document": doc("其他.pdf")}]}, as_=unit)
    assert no_note.status_code == 422 and no_note.json()["field"] == "documents"
    ended = await api["procurement"].post(f"/projects/{project_id}/terminations", {
        "ground": "policy_change", "note": "上级部门统建同类系统，本项目无需继续实施", "documents": [NOTE]}, as_=unit)
    assert ended.status_code == 201, ended.text
    assert ended.json()["reason"] == "policy_change" and ended.json()["rule_ids"] == ["BY-37.1", "BY-37", "BY-38a"]
    (hold,) = await holds(api, project_id)
    assert hold["scope"] == "recover_remaining" and hold["rule_ids"] == ["BY-38b"]
    seen = await finance.until(lambda book: book.in_force(project_id))
    assert seen[0].scope == "recover_remaining"
    answer = await finance.ask(project_id, "remaining", 100)
    assert answer.answer == "blocked" and answer.rule_ids == ["BY-38b"]
    after = await file_requirements(api, project_id, unit_id)
    assert after.status_code == 409 and after.json()["error"] == "terminated"


# ---- the hold ledger and the finance link ---------------------------------------------------------------


def _now():
    return datetime.now(timezone.utc)


HOLDS = {
    # (pack, project class): (placing event, scope, rules, releasing event or None)
    "BY-48d filing rejected": (BY, "build_develop",
                               lambda p, u: AcceptanceFilingRejected(project_id=p, filing_id="F1", unit_id=u, pack=BY, attempt=2, final=True,
                                                                     rule_ids=["BY-48d"], rejected_at=_now()),
                               "remaining", ["BY-48d"], None),
    "BY-48d rectification overdue": (BY, "build_develop",
                                     lambda p, u: RectificationOverdue(project_id=p, unit_id=u, pack=BY, source="acceptance_filing",
                                                                       reason="overdue", cause_event_id="x", rule_ids=["BY-48c"],
                                                                       detected_at=_now()),
                                     "remaining", ["BY-48d"], None),
    "BY-45d compliance refused": (BY, "build_develop",
                                  lambda p, u: ComplianceOpinionIssued(project_id=p, opinion_id="O1", unit_id=u, pack=BY, consent=False,
                                                                       rule_ids=["BY-45c"], issued_at=_now()),
                                  "final_payment", ["BY-45d"],
                                  lambda p, u: ComplianceOpinionIssued(project_id=p, opinion_id="O2", unit_id=u, pack=BY, consent=True,
                                                                       rule_ids=["BY-45c"], issued_at=_now())),
    "DY-24 acceptance failed": (DY, "build_develop",
                                lambda p, u: AcceptanceFailed(project_id=p, unit_id=u, pack=DY, attempt=1, terminal=False, rule_id="DY-23",
                                                              concluded_on=today(), recorded_at=_now()),
                                "remaining", ["DY-24"],
                                lambda p, u: AcceptancePassed(project_id=p, unit_id=u, pack=DY, attempt=2, concluded_on=today(),
                                                              recorded_at=_now())),
    "BZ-30 acceptance failed": (BZ, "application_system",
                                lambda p, u: AcceptanceFailed(project_id=p, unit_id=u, pack=BZ, attempt=1, terminal=False, rule_id="BZ-30",
                                                              concluded_on=today(), recorded_at=_now()),
                                "no_om_funding", ["BZ-30"],
                                lambda p, u: AcceptancePassed(project_id=p, unit_id=u, pack=BZ, attempt=2, concluded_on=today(),
                                                              recorded_at=_now())),
    "BZ-47 security finding": (BZ, "application_system",
                               lambda p, u: SupervisionFindingRecorded(finding_id="S1", project_id=p, unit_id=u, pack=BZ, kind="security",
                                                                       severity="major", authority="cyberspace", description="重大隐患",
                                                                       rule_ids=["BZ-47"], recorded_at=_now()),
                               "no_om_funding", ["BZ-47"],
                               lambda p, u: RectificationCompleted(project_id=p, unit_id=u, pack=BZ, source="supervision", finding_id="S1",
                                                                   cause_event_id="x", rule_ids=["BZ-47"], completed_on=today(),
                                                                   confirmed_at=_now())),
    "YL-19b cloud finding": (YL, "application_system",
                             lambda p, u: SupervisionFindingRecorded(finding_id="S2", project_id=p, unit_id=u, pack=YL, kind="cloud_usage",
                                                                     severity="general", authority="data_bureau", description="未上政务云",
                                                                     rule_ids=["YL-19b"], recorded_at=_now()),
                             "no_funding", ["YL-19b"],
                             lambda p, u: RectificationCompleted(project_id=p, unit_id=u, pack=YL, source="supervision", finding_id="S2",
                                                                 cause_event_id="x", rule_ids=["YL-19b"], completed_on=today(),
                                                                 confirmed_at=_now())),
}


@pytest.mark.parametrize("case", sorted(HOLDS))
async def test_every_hold_is_placed_by_its_event_and_released_by_its_release_event(api, infra, finance, case):
    pack, project_class, placing, scope, rules, releasing = HOLDS[case]
    project_id, unit_id = await approved(infra, api, pack=pack, project_class=project_class,
                                         owed=[] if pack != BY else [BY_OWED[0]])
    await publish(infra, placing(project_id, unit_id), "/services/acceptance")
    (hold,) = await eventually(lambda: holds(api, project_id), what=f"{case} hold")
    assert (hold["scope"], hold["rule_ids"]) == (scope, rules)
    seen = await finance.until(lambda book: book.in_force(project_id))
    assert (seen[0].scope, seen[0].rule_ids) == (scope, rules)
    milestone = "final_payment" if scope == "final_payment" else "remaining"
    contract_id = None
    if scope == "no_om_funding":  # the O&M funds of the project: what its O&M service contract is paid from
        om = await api["procurement"].post(f"/projects/{project_id}/contracts", contract_body(
            supplier(), yuan=200_000, om_service=True, documents=[CONTRACT_TEXT]), as_=applicant(unit_id))
        assert om.status_code == 201, om.text
        contract_id, milestone = om.json()["contract_id"], "progress"
        build = await finance.ask(project_id, "remaining", 100)
        assert build.answer == "cleared"  # construction payments are not O&M funds
    answer = await finance.ask(project_id, milestone, 100, contract_id=contract_id)
    assert answer.answer == "blocked" and answer.rule_ids == rules and answer.hold_ids == [hold["hold_id"]]
    if releasing is None:
        return
    release = releasing(project_id, unit_id)
    if getattr(release, "cause_event_id", None) is not None:
        # a rectification answers the finding that placed the hold, and releases only what that one placed
        release = release.model_copy(update={"cause_event_id": hold["cause_event_id"]})
    await publish(infra, release, "/services/acceptance")

    async def released():
        return (await holds(api, project_id)) == []
    await eventually(released, what=f"{case} released")
    await finance.until(lambda book: not book.in_force(project_id) and hold["hold_id"] in book.released)


async def test_bz_32c_a_data_sharing_finding_withholds_om_funds_until_the_end_of_next_year(api, infra, finance):
    project_id, unit_id = await approved(infra, api, pack=BZ, project_class="application_system")
    await publish(infra, SupervisionFindingRecorded(finding_id="S3", project_id=project_id, unit_id=unit_id, pack=BZ, kind="data_sharing",
                                                    severity="general", authority="data_bureau", description="数据未按要求共享",
                                                    rule_ids=["BZ-32c"], recorded_at=_now()), "/services/acceptance")
    (hold,) = await eventually(lambda: holds(api, project_id), what="BZ-32c hold")
    assert hold["scope"] == "no_om_funding" and hold["expires_on"] == f"{today().year + 1}-12-31"
    seen = await finance.until(lambda book: book.in_force(project_id))
    assert seen[0].expires_on == date(today().year + 1, 12, 31)
    assert not finance.book.in_force(project_id, today=date(today().year + 2, 1, 1))


async def test_final_payment_waits_for_the_compliance_opinion(api, infra, finance):
    project_id, unit_id = await approved(infra, api)
    answer = await finance.ask(project_id, "final_payment", 100)
    assert answer.answer == "pending" and answer.rule_ids == ["BY-45a", "BY-45c"]  # BY-45d: none issued yet
    assert (await finance.ask(project_id, "advance", 100)).answer == "cleared"


async def test_a_payment_asked_right_after_a_failure_is_never_cleared(api, infra, finance):
    project_id, unit_id = await approved(infra, api, pack=DY)
    assert (await finance.ask(project_id, "remaining", 100)).answer == "cleared"
    await publish(infra, AcceptanceFailed(project_id=project_id, unit_id=unit_id, pack=DY, attempt=1, terminal=False, rule_id="DY-23",
                                          concluded_on=today(), recorded_at=_now()), "/services/acceptance")
    answer = await finance.ask(project_id, "remaining", 100)
    assert answer.answer in ("pending", "blocked"), answer

    async def blocked():
        later = await finance.ask(project_id, "remaining", 100)
        return later if later.answer == "blocked" else None
    settled = await eventually(blocked, what="the failure applied")
    assert settled.rule_ids == ["DY-24"] and settled.ledger_as_of >= answer.ledger_as_of


async def test_an_event_the_ledger_cannot_apply_keeps_the_answer_pending(api, infra, finance):
    project_id, unit_id = await approved(infra, api, pack=DY)
    stuck = AcceptanceFailed(project_id=project_id, unit_id=unit_id, pack=PackRef(id="DY", version="1999.9"), attempt=1, terminal=False,
                             rule_id="DY-23", concluded_on=today(), recorded_at=_now())
    await publish(infra, stuck, "/services/acceptance")  # no such pack version: retried, then parked
    for _ in range(3):
        answer = await finance.ask(project_id, "remaining", 100)
        assert answer.answer == "pending" and "not applied" in (answer.reason or ""), answer
    over_http = await api["procurement"].post("/payment-clearances", {
        "request_id": f"http-{uuid.uuid4().hex}", "project_id": project_id, "milestone": "remaining", "amount_fen": 100}, as_=FINANCE)
    assert over_http.status_code == 200 and over_http.json()["answer"] == "pending"


# ---- what the approval says the project owes, and the other packs' duties ---------------------------


async def approved_as_review_would(infra, api, pack: PackRef, project_class: str, yuan: int, **extra) -> tuple[str, str]:
    """Approved with the later requirements review fixes at approval from the pack."""
    from policy.packs import get_pack
    from review.handlers import later_requirements

    owed = later_requirements(get_pack(pack.id, pack.version), project_class, yuan, ())
    return await approved(infra, api, pack=pack, project_class=project_class, yuan=yuan, owed=owed, **extra)


async def obligations(api, project_id) -> dict[str, dict]:
    view = (await api["procurement"].get(f"/projects/{project_id}", as_=BUREAU)).json()
    return {o["key"]: o for o in view["obligations"]}


async def test_by_25_the_procurement_plan_is_owed_until_filed(api, infra):
    project_id, unit_id = await approved_as_review_would(infra, api, BY, "build_develop", 1_800_000)
    assert (await obligations(api, project_id))["procurement_plan"] | {"status": "outstanding"} == {
        "key": "procurement_plan", "stage": "procurement", "status": "outstanding", "rule_ids": ["BY-25"], "detail": "采购实施计划"}
    plan = {"role": "procurement_plan", "document": doc("采购实施计划.pdf")}
    assert (await file_requirements(api, project_id, unit_id, documents=[SELF_CHECK, plan])).status_code == 201
    assert (await obligations(api, project_id))["procurement_plan"]["status"] == "met"


@pytest.mark.parametrize(("pack", "project_class", "yuan", "rules"), [
    (DY, "software_development", 1_000_000, ["DY-16"]),
    (YL, "software_development", 3_000_000, ["YL-17b"]),
    (YF, "software_development", 2_000_000, ["YF-13a"]),
])
async def test_dy_16_yl_17b_yf_13a_supervision_is_owed_where_the_pack_says(api, infra, pack, project_class, yuan, rules):
    project_id, unit_id = await approved_as_review_would(infra, api, pack, project_class, yuan)
    owed = (await obligations(api, project_id))["supervision"]
    assert (owed["status"], owed["rule_ids"]) == ("outstanding", rules)
    supervisor = await api["procurement"].post(f"/projects/{project_id}/contracts", contract_body(
        supplier(), role="supervision", yuan=30_000, deliverables=["services"]), as_=applicant(unit_id))
    assert supervisor.status_code == 201, supervisor.text
    assert (await obligations(api, project_id))["supervision"]["status"] == "met"


async def test_dy_12_the_expert_argument_is_owed_once_the_budget_reaches_the_line(api, infra):
    project_id, unit_id = await approved_as_review_would(infra, api, DY, "software_development", 7_000_000)
    assert (await obligations(api, project_id))["procurement_expert_review"]["status"] == "pending"  # 采购预算 not known yet
    argued = await file_requirements(api, project_id, unit_id, yuan=6_500_000, expert_review={
        "pool": "广东省政府采购评审专家库", "experts_drawn": 5, "concluded_on": today().isoformat(), "bias_found": False,
        "document": doc("采购需求专家论证意见.pdf")})
    assert argued.status_code == 201 and "DY-12" in argued.json()["rule_ids"]
    assert (await obligations(api, project_id))["procurement_expert_review"]["status"] == "met"


async def test_yl_20b_yf_10_yf_11_contracts_are_filed_by_the_unit_that_signs_them(api, infra):
    project_id, unit_id = await approved(infra, api, pack=YL, project_class="software_development", yuan=3_000_000)
    filed = await api["procurement"].post(f"/projects/{project_id}/contracts", contract_body(supplier()), as_=applicant(unit_id))
    assert filed.status_code == 201 and filed.json()["rule_ids"] == ["YL-20b"]
    # YF-10/YF-11 (YF-12 谁签订合同谁负责管理): a 公共类 project's unit is the bureau that declared it (YF-7.1),
    # so the bureau files its contracts; no other unit may.
    public, bureau_unit = await approved(infra, api, pack=YF, project_class="software_development")
    other = await api["procurement"].post(f"/projects/{public}/contracts", contract_body(supplier()), as_=applicant(unit_id))
    assert other.status_code == 403
    own = await api["procurement"].post(f"/projects/{public}/contracts", contract_body(supplier()), as_=applicant(bureau_unit))
    assert own.status_code == 201 and own.json()["rule_ids"] == ["YF-8.4a", "YF-10", "YF-11"]


async def test_bz_26a_yf_16_a_serious_delay_or_loss_is_reported_to_the_supervisors(api, infra):
    project_id, unit_id = await approved(infra, api, pack=BZ, project_class="application_system")
    reported = await api["procurement"].post(f"/projects/{project_id}/incidents", {
        "kind": "serious_delay", "description": "核心系统联调严重滞后"}, as_=applicant(unit_id))
    assert reported.status_code == 201
    incident = await eventually(lambda: last_on_stream(infra, "procurement.project.incident_reported.v1", project_id), what="BZ-26a")
    assert incident.kind == "serious_delay" and incident.rule_ids == ["BZ-26a"]

    # YF-16, YL-20a: the bureau's coordination hears of major issues; the notice is before it in notify
    yf, yf_unit = await approved(infra, api, pack=YF, project_class="software_development")
    assert (await api["procurement"].post(f"/projects/{yf}/incidents", {"kind": "investment_loss", "description": "供应商破产"},
                                          as_=applicant(yf_unit))).status_code == 201

    async def before_the_bureau():
        rows = (await api["notify"].get("/bureau/notifications", as_=BUREAU)).json()
        found = {r["project_id"]: r["rule_ids"] for r in rows if r["event_type"] == "IncidentReported"}
        return found if project_id in found and yf in found else None
    found = await eventually(before_the_bureau, what="the incidents before the bureau")
    assert (found[project_id], found[yf]) == (["BZ-26a"], ["YF-16"])
    by_project, by_unit = await approved_as_review_would(infra, api, BY, "build_develop", 1_800_000)
    elsewhere = await api["procurement"].post(f"/projects/{by_project}/incidents", {
        "kind": "serious_delay", "description": "滞后"}, as_=applicant(by_unit))
    assert elsewhere.status_code == 409 and elsewhere.json()["rule_ids"] == ["BY-29.5"]  # 白云: the progress report says it


async def test_by_34_by_36_a_change_filed_after_five_working_days_is_marked_late(api, infra):
    project_id, unit_id = await approved(infra, api, approved_on=today() - timedelta(days=60))
    late = await api["procurement"].post(f"/projects/{project_id}/changes", change(
        "implementation", ("cancel", 50_000), procedure_completed_on=(today() - timedelta(days=20)).isoformat()),
        as_=applicant(unit_id))
    assert late.status_code == 201, late.text
    assert late.json()["filed_late"] is True and {"BY-34", "BY-36"} <= set(late.json()["rule_ids"])
    early = await api["procurement"].post(f"/projects/{project_id}/changes", change(
        "implementation", ("cancel", 10_000), procedure_completed_on=(today() - timedelta(days=90)).isoformat()),
        as_=applicant(unit_id))
    assert early.status_code == 422 and early.json()["field"] == "procedure_completed_on"  # before the approval


async def test_by_35a_a_change_affecting_ip_updates_the_ip_plan(api, infra):
    project_id, unit_id = await approved(infra, api)
    bare = await api["procurement"].post(f"/projects/{project_id}/changes", change("implementation", ("cancel", 50_000), affects_ip=True),
                                         as_=applicant(unit_id))
    assert bare.status_code == 422 and bare.json()["rule_ids"] == ["BY-35a"]
    with_plan = await api["procurement"].post(f"/projects/{project_id}/changes", change(
        "implementation", ("cancel", 50_000), affects_ip=True,
        documents=[{"role": "ip_plan_update", "document": doc("知识产权运用计划（更新）.pdf")}]), as_=applicant(unit_id))
    assert with_plan.status_code == 201


async def test_dy_15_dy_18a_yf_17a_yl_21_2_changes_caused_by_policy_or_of_main_content(api, infra):
    dy, dy_unit = await approved(infra, api, pack=DY, project_class="software_development", yuan=1_000_000)
    first = await api["procurement"].post(f"/projects/{dy}/changes", change("implementation", ("cancel", 50_000)), as_=applicant(dy_unit))
    assert first.status_code == 201 and "DY-15" in first.json()["rule_ids"]  # no change without the bureau's approval
    policy = await api["procurement"].post(f"/projects/{dy}/changes", change("implementation", ("cancel", 20_000), kind="policy"),
                                           as_=applicant(dy_unit))
    assert policy.status_code == 201 and "DY-18a" in policy.json()["rule_ids"]  # does not count against DY-17b
    yf, yf_unit = await approved(infra, api, pack=YF, project_class="software_development")
    filed = await api["procurement"].post(f"/projects/{yf}/changes", change("implementation", ("cancel", 20_000), kind="policy"),
                                          as_=applicant(yf_unit))
    assert filed.json()["status"] == "filed" and filed.json()["rule_ids"] == ["YF-17a"]
    yl, yl_unit = await approved(infra, api, pack=YL, project_class="software_development", yuan=3_000_000)
    major = await api["procurement"].post(f"/projects/{yl}/changes", change("implementation", ("cancel", 10_000),
                                                                            major_content_change=True), as_=applicant(yl_unit))
    assert major.json()["status"] == "redeclaration_required" and "YL-21.2" in major.json()["rule_ids"]


async def last_on_stream(infra, event_type: str, project_id: str):
    """The latest event of a type about the project on the PROCUREMENT stream, as a consumer would read it."""
    import nats

    nc = await nats.connect(infra.nats_admin_url)
    try:
        js = nc.jetstream()
        seq = 0
        found = None
        while True:
            try:
                message = await js.get_msg("PROCUREMENT", seq=seq + 1, subject=event_type, next=True)
            except Exception:
                return found
            seq = message.seq
            if (message.headers or {}).get("ce-subject") == project_id:
                found = Envelope.from_message(message.headers, message.data).data
    finally:
        await nc.close()


async def test_bz_43b_bz_30_supervision_overdue_suspends_and_a_failure_blocks_cloud_resources(api, infra):
    project_id, unit_id = await approved(infra, api, pack=BZ, project_class="application_system")
    await publish(infra, RectificationOverdue(project_id=project_id, unit_id=unit_id, pack=BZ, source="supervision", reason="overdue",
                                             finding_id="S9", cause_event_id="x", rule_ids=["BZ-43a"], detected_at=_now()),
                  "/services/acceptance")
    suspended = await eventually(lambda: last_on_stream(infra, "procurement.project.suspended.v1", project_id), what="BZ-43b")
    assert suspended.measure == "construction_suspended" and suspended.rule_ids == ["BZ-43b"]
    await publish(infra, AcceptanceFailed(project_id=project_id, unit_id=unit_id, pack=BZ, attempt=1, terminal=False, rule_id="BZ-30",
                                          concluded_on=today(), recorded_at=_now()), "/services/acceptance")
    blocked = await eventually(lambda: last_on_stream(infra, "procurement.cloud.resources_blocked.v1", project_id), what="BZ-30")
    assert blocked.rule_ids == ["BZ-30"] and blocked.scope == "all_resources"


async def test_bz_36_bz_37_bz_39_bz_40_how_it_was_bought_and_the_final_accounts(api, infra):
    project_id, unit_id = await approved(infra, api, pack=BZ, project_class="infrastructure", yuan=3_000_000)
    unit = applicant(unit_id)
    unstated = await api["procurement"].post(f"/projects/{project_id}/contracts", contract_body(
        supplier(), yuan=500_000, documents=[CONTRACT_TEXT], procurement_method=None), as_=unit)
    assert unstated.status_code == 422 and unstated.json()["rule_ids"] == ["BZ-36"]
    works = await api["procurement"].post(f"/projects/{project_id}/contracts", contract_body(
        supplier(), yuan=500_000, documents=[CONTRACT_TEXT], procurement_method="competitive_negotiation", includes_works=True),
        as_=unit)
    assert works.status_code == 422 and works.json()["rule_ids"] == ["BZ-37"]
    internal = await api["procurement"].post(f"/projects/{project_id}/contracts", contract_body(
        supplier(), yuan=500_000, documents=[CONTRACT_TEXT], procurement_method="internal_control"), as_=unit)
    assert internal.status_code == 422 and internal.json()["rule_ids"] == ["BZ-39"]
    below = await api["procurement"].post(f"/projects/{project_id}/contracts", contract_body(
        supplier(), yuan=500_000, documents=[CONTRACT_TEXT], procurement_method="internal_control", below_procurement_limit=True),
        as_=unit)
    assert below.status_code == 201, below.text
    report = doc("竣工财务决算报告.pdf")
    unaudited = await api["procurement"].post(f"/projects/{project_id}/final-accounts", {
        "final_amount_yuan": 2_900_000, "major": True, "report": report}, as_=unit)
    assert unaudited.status_code == 422 and unaudited.json()["rule_ids"] == ["BZ-40"]
    filed = await api["procurement"].post(f"/projects/{project_id}/final-accounts", {
        "final_amount_yuan": 2_900_000, "major": True, "audited": True, "report": report,
        "audit_report": doc("结算审计报告.pdf")}, as_=unit)
    assert filed.status_code == 201
    event = await eventually(lambda: last_on_stream(infra, "procurement.project.final_accounts_filed.v1", project_id), what="BZ-40")
    assert event.final_amount_fen == 290_000_000 and event.audited and event.rule_ids == ["BZ-40"]
