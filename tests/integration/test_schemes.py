"""The scheme (立项方案) follows a passed plan review (BY-15c): its documents (BY-17, BY-18), its budget
within the caps (BY-17.1b 30% business operation, BY-17.2b the plan-review amount), and a difference
statement when it departs from the plan (BY-31.1); 小微 projects file no scheme (BY-19.1a)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from contracts.base import PackRef
from contracts.envelope import Envelope
from contracts.events import PlanReviewed, ReviewStageCompletedV2
from tests.integration.harness import PLAN_DOCUMENTS, applicant, doc, eventually, leader, publish_event

pytestmark = pytest.mark.integration

DIFFERENCE_STATEMENT = doc("差异说明（盖章）.pdf")
ADJUSTMENT_STATEMENT = doc("调整说明（盖章）.pdf")
FILING_FORM = doc("项目备案表（盖章）.pdf")
FINAL_SCHEME = doc("立项方案（最终稿，盖章）.pdf")
FILING_FORM_UNSTAMPED = doc("项目备案表.pdf")
SCHEME_DOCUMENTS = [
    {"kind": "project_scheme", "document": doc("立项方案.pdf")},
    {"kind": "self_check_table", "document": doc("立项需求自查表（盖章）.pdf")},
]


async def plan_passed(api, infra, unit_id, amount_yuan=2_000_000, approved_yuan=2_000_000) -> str:
    body = {"unit_id": unit_id, "project_name": "城市运行管理服务平台", "declared_amount_yuan": amount_yuan,
            "project_class": "build_develop", "documents": PLAN_DOCUMENTS}
    declared = (await api["intake"].post("/declarations", body, as_=applicant(unit_id))).json()
    await publish_event(infra.nats_admin_url, Envelope(PlanReviewed(
        project_id=declared["project_id"], application_id=declared["application_id"], unit_id=unit_id,
        pack=PackRef(id="BY", version="2024.1"), round=1, result="passed", final=True, approved_amount_fen=approved_yuan * 100,
        rule_ids=["BY-16a"], opinion_issued_at=datetime.now(timezone.utc)), source="/services/review"))

    async def passed():
        row = (await api["intake"].get(f"/declarations/{declared['project_id']}", as_=leader(unit_id))).json()
        return row["status"] == "plan_passed" or None
    await eventually(passed, what="plan review passed")
    return declared["project_id"]


async def scheme(api, unit_id, project_id, **body):
    return await api["intake"].post(f"/declarations/{project_id}/schemes",
                                    {"estimate_yuan": 1_800_000, "documents": SCHEME_DOCUMENTS, **body}, as_=applicant(unit_id))


async def test_by_15c_the_scheme_waits_for_the_plan_review(api, unit_id):
    body = {"unit_id": unit_id, "project_name": "城市运行管理服务平台", "declared_amount_yuan": 2_000_000,
            "project_class": "build_develop", "documents": PLAN_DOCUMENTS}
    declared = (await api["intake"].post("/declarations", body, as_=applicant(unit_id))).json()
    early = await scheme(api, unit_id, declared["project_id"])
    assert early.status_code == 409 and early.json()["rule_ids"] == ["BY-15c"]


async def test_by_17_by_18_a_scheme_with_its_documents_is_submitted(api, infra, unit_id):
    project_id = await plan_passed(api, infra, unit_id)
    bare = await scheme(api, unit_id, project_id, documents=[])
    assert bare.status_code == 422 and bare.json()["field"] == "documents" and "BY-18" in bare.json()["rule_ids"]
    accepted = await scheme(api, unit_id, project_id)
    assert accepted.status_code == 201 and (accepted.json()["revision"], accepted.json()["track"]) == (1, "ordinary")
    under_review = await scheme(api, unit_id, project_id)
    assert under_review.status_code == 409 and under_review.json()["rule_ids"] == ["BY-20.1b"]
    await returned(api, infra, unit_id, project_id)
    assert (await scheme(api, unit_id, project_id)).json()["revision"] == 2  # the answer to the opinion (BY-20.1b)


@pytest.mark.parametrize(("estimate", "status"), [(1_999_999, 201), (2_000_000, 201), (2_000_001, 422)])
async def test_by_17_2b_the_scheme_total_stays_within_the_plan_amount(api, infra, unit_id, estimate, status):
    project_id = await plan_passed(api, infra, unit_id, approved_yuan=2_000_000)
    response = await scheme(api, unit_id, project_id, estimate_yuan=estimate)
    assert response.status_code == status, response.text
    if status == 422:
        assert response.json()["rule_ids"] == ["BY-17.2b"] and response.json()["field"] == "estimate_yuan"


@pytest.mark.parametrize(("operation", "status"), [(540_000, 201), (540_001, 422)])
async def test_by_17_1b_business_operation_at_most_thirty_percent(api, infra, unit_id, operation, status):
    project_id = await plan_passed(api, infra, unit_id)
    response = await scheme(api, unit_id, project_id, business_operation_yuan=operation)  # 30% of 180万 = 54万
    assert response.status_code == status, response.text
    if status == 422:
        assert response.json()["rule_ids"] == ["BY-17.1b"] and response.json()["field"] == "business_operation_yuan"


async def test_by_31_1_a_departing_scheme_brings_its_difference_statement(api, infra, unit_id):
    project_id = await plan_passed(api, infra, unit_id)
    missing = await scheme(api, unit_id, project_id, differs_from_plan=True)
    assert missing.status_code == 422 and missing.json()["rule_ids"] == ["BY-31.1"]
    statement = {"kind": "difference_statement", "document": DIFFERENCE_STATEMENT}
    assert (await scheme(api, unit_id, project_id, differs_from_plan=True,
                         documents=SCHEME_DOCUMENTS + [statement])).status_code == 201


async def test_by_19_1a_a_micro_project_files_no_scheme(api, infra, unit_id):
    project_id = await plan_passed(api, infra, unit_id, amount_yuan=400_000, approved_yuan=400_000)
    response = await scheme(api, unit_id, project_id, estimate_yuan=400_000)
    assert response.status_code == 409 and "BY-19.1a" in response.json()["rule_ids"]


async def test_by_19_1a_a_micro_project_files_its_filing_form_and_is_announced(api, infra, dbs, unit_id):
    project_id = await plan_passed(api, infra, unit_id, amount_yuan=400_000, approved_yuan=400_000)
    url = f"/declarations/{project_id}/micro-filing"
    bare = await api["intake"].post(url, {"estimate_yuan": 400_000}, as_=applicant(unit_id))
    assert bare.status_code == 422 and bare.json()["rule_ids"] == ["BY-19.1a"] and bare.json()["field"] == "documents"
    form = [{"kind": "project_filing_form", "document": FILING_FORM}]
    filed = await api["intake"].post(url, {"estimate_yuan": 400_000, "documents": form}, as_=applicant(unit_id))
    assert filed.status_code == 201 and filed.json()["track"] == "micro"
    assert await dbs["intake"].value("SELECT count(*) FROM outbox WHERE event_type = 'intake.project.micro_filed.v1' "
                                     "AND convert_from(payload, 'UTF8') LIKE $1", f"%{project_id}%") == 1


@pytest.mark.parametrize(("estimate", "status"), [(499_999, 201), (500_000, 422)])
async def test_by_19_1a_the_micro_line_is_50_wan_exclusive(api, infra, unit_id, estimate, status):
    project_id = await plan_passed(api, infra, unit_id, amount_yuan=500_000, approved_yuan=500_000)
    form = [{"kind": "project_filing_form", "document": FILING_FORM_UNSTAMPED}]
    response = await api["intake"].post(f"/declarations/{project_id}/micro-filing", {"estimate_yuan": estimate, "documents": form},
                                        as_=applicant(unit_id))
    assert response.status_code == status, response.text


async def returned(api, infra, unit_id, project_id, issued_at=None) -> None:
    """Review's 材料初审 returns the scheme (BY-20.1b)."""
    await publish_event(infra.nats_admin_url, Envelope(ReviewStageCompletedV2(
        project_id=project_id, scheme_id="S-1", unit_id=unit_id, pack=PackRef(id="BY", version="2024.1"), stage="initial",
        round=1, result="failed", final_stage=False, rule_ids=["BY-20.1a"], reasons=["建设内容需细化"],
        opinion_issued_at=issued_at or datetime.now(timezone.utc)), source="/services/review"))

    async def back():
        row = (await api["intake"].get(f"/declarations/{project_id}", as_=leader(unit_id))).json()
        return row["status"] == "scheme_returned" or None
    await eventually(back, what="scheme returned")


async def test_by_31_2_a_scheme_clearly_adjusted_in_initial_review_brings_its_adjustment_statement(api, infra, unit_id):
    project_id = await plan_passed(api, infra, unit_id)
    first_adjusted = await scheme(api, unit_id, project_id, adjusted=True)
    assert first_adjusted.status_code == 422 and first_adjusted.json()["field"] == "adjusted"
    assert (await scheme(api, unit_id, project_id)).status_code == 201
    unasked = await scheme(api, unit_id, project_id)
    assert unasked.status_code == 409  # under review: a new revision answers an opinion
    await returned(api, infra, unit_id, project_id)
    missing = await scheme(api, unit_id, project_id, adjusted=True)
    assert missing.status_code == 422 and missing.json()["rule_ids"] == ["BY-31.2"]
    statement = {"kind": "adjustment_statement", "document": ADJUSTMENT_STATEMENT}
    second = await scheme(api, unit_id, project_id, adjusted=True, documents=SCHEME_DOCUMENTS + [statement])
    assert second.status_code == 201 and second.json()["revision"] == 2


async def test_by_20_1b_a_returned_scheme_comes_back_within_five_working_days(api, infra, unit_id):
    project_id = await plan_passed(api, infra, unit_id)
    assert (await scheme(api, unit_id, project_id)).status_code == 201
    await returned(api, infra, unit_id, project_id, issued_at=datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc))
    late = await scheme(api, unit_id, project_id)
    assert late.status_code == 409 and "BY-20.1b" in late.json()["rule_ids"] and late.json()["message_zh"]


async def test_by_21_the_final_scheme_is_filed_once_after_the_last_stage_and_meets_its_deadline(api, infra, unit_id):
    project_id = await plan_passed(api, infra, unit_id)
    assert (await scheme(api, unit_id, project_id)).status_code == 201
    final = {"document": FINAL_SCHEME}
    early = await api["intake"].post(f"/declarations/{project_id}/scheme-filing", final, as_=applicant(unit_id))
    assert early.status_code == 409 and early.json()["rule_ids"] == ["BY-21"]

    await publish_event(infra.nats_admin_url, Envelope(ReviewStageCompletedV2(
        project_id=project_id, scheme_id="S-1", unit_id=unit_id, pack=PackRef(id="BY", version="2024.1"), stage="cost",
        round=1, result="passed", final_stage=True, rule_ids=["BY-20.3"], reasons=[],
        opinion_issued_at=datetime.now(timezone.utc)), source="/services/review"))

    async def last_stage_passed():
        row = (await api["intake"].get(f"/declarations/{project_id}", as_=leader(unit_id))).json()
        return row["status"] == "scheme_passed" or None
    await eventually(last_stage_passed, what="the last stage passed")

    unknown = await api["intake"].post(f"/declarations/{project_id}/scheme-filing", {"document": {"name": "x.pdf", "sm3": "0" * 64}},
                                       as_=applicant(unit_id))
    assert unknown.status_code == 422 and unknown.json()["field"].startswith("document")
    filed = await api["intake"].post(f"/declarations/{project_id}/scheme-filing", final, as_=applicant(unit_id))
    assert filed.status_code == 201 and filed.json()["rule_ids"] == ["BY-21"], filed.text
    again = await api["intake"].post(f"/declarations/{project_id}/scheme-filing", final, as_=applicant(unit_id))
    assert again.status_code == 409 and again.json()["field"] == "project_id"
    row = (await api["intake"].get(f"/declarations/{project_id}", as_=leader(unit_id))).json()
    assert row["scheme_filed_on"] == filed.json()["filed_on"]
