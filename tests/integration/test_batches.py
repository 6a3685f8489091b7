"""Declaration batches: the window runs two natural months from the notice (BY-14a); outside it a
declaration needs the written consents the pack names (BY-14b)."""

from __future__ import annotations

import pytest

from tests.integration.harness import BUREAU, PLAN_DOCUMENTS, applicant, doc

pytestmark = pytest.mark.integration

FEASIBILITY_STUDY = doc("可研报告.pdf")
CONSENTS = [
    {"consent": "区财政局书面同意", "document": doc("区财政局关于同意补报的函.pdf")},
    {"consent": "分管区领导书面同意", "document": doc("分管区领导审批单.pdf")},
]


async def open_batch(api, notice: str, **extra):
    return await api["intake"].post("/batches", {"plan_year": 2026, "title": "2026年度项目申报", "notice_issued_on": notice, **extra},
                                    as_=BUREAU)


def declaration(unit_id, **extra):
    return {"unit_id": unit_id, "project_name": "智慧城管平台", "declared_amount_yuan": 800_000,
            "project_class": "build_develop", "documents": PLAN_DOCUMENTS, **extra}


async def test_by_14a_the_window_is_two_natural_months_from_the_notice(api):
    batch = await open_batch(api, "2026-01-05")
    assert batch.status_code == 201, batch.text
    assert (batch.json()["closes_on"], batch.json()["rule_ids"]) == ("2026-03-05", ["BY-14a"])
    assert batch.json()["window_provisional"] is False
    refused = await open_batch(api, "2026-01-05", closes_on="2026-06-30")
    assert refused.status_code == 422 and refused.json()["field"] == "closes_on" and "BY-14a" in refused.json()["rule_ids"]


async def test_by_14b_outside_the_window_only_with_both_consents(api, unit_id):
    closed = (await open_batch(api, "2026-01-05")).json()["batch_id"]
    late = await api["intake"].post("/declarations", declaration(unit_id, batch_id=closed), as_=applicant(unit_id))
    assert late.status_code == 409 and late.json()["field"] == "out_of_window_consents"
    assert late.json()["rule_ids"] == ["BY-14b", "BY-14a"]
    assert late.json()["details"]["missing_consents"] == ["区财政局书面同意", "分管区领导书面同意"]

    one = await api["intake"].post("/declarations", declaration(unit_id, batch_id=closed, out_of_window_consents=CONSENTS[:1]),
                                   as_=applicant(unit_id))
    assert one.status_code == 409 and one.json()["details"]["missing_consents"] == ["分管区领导书面同意"]

    both = await api["intake"].post("/declarations", declaration(unit_id, batch_id=closed, out_of_window_consents=CONSENTS),
                                    as_=applicant(unit_id))
    assert both.status_code == 201 and both.json()["batch_id"] == closed
    expected = [d["document"]["sm3"] for d in PLAN_DOCUMENTS] + [c["document"]["sm3"] for c in CONSENTS]
    assert [d["sm3"] for d in both.json()["receipt"]["documents"]] == expected


async def test_a_declaration_goes_into_the_open_batch(api, unit_id, open_batch):
    accepted = await api["intake"].post("/declarations", declaration(unit_id), as_=applicant(unit_id))
    assert accepted.status_code == 201
    batches = {b["batch_id"]: b for b in (await api["intake"].get("/batches", as_=applicant(unit_id))).json()}
    chosen = batches[accepted.json()["batch_id"]]
    assert chosen["notice_issued_on"] <= "2026-11-23" <= chosen["closes_on"]


async def test_an_unknown_batch_is_named(api, unit_id):
    response = await api["intake"].post("/declarations", declaration(unit_id, batch_id="00000000-0000-0000-0000-000000000000"),
                                        as_=applicant(unit_id))
    assert response.status_code == 422 and response.json()["field"] == "batch_id"


async def test_by_15a_b_a_declaration_carries_its_documents(api, unit_id):
    bare = declaration(unit_id, documents=[])
    response = await api["intake"].post("/declarations", bare, as_=applicant(unit_id))
    assert response.status_code == 422 and response.json()["field"] == "documents" and response.json()["rule_ids"] == ["BY-15a"]
    assert {m["kind"] for m in response.json()["details"]["missing"]} == {"plan_declaration_form", "government_data_list"}

    big = declaration(unit_id, declared_amount_yuan=30_000_000)  # 3000万 (含): feasibility study (BY-15b)
    response = await api["intake"].post("/declarations", big, as_=applicant(unit_id))
    assert response.status_code == 422 and response.json()["rule_ids"] == ["BY-15b"]
    with_study = {**big, "documents": big["documents"] + [{"kind": "feasibility_study", "document": FEASIBILITY_STUDY}]}
    assert (await api["intake"].post("/declarations", with_study, as_=applicant(unit_id))).status_code == 201
    just_below = declaration(unit_id, declared_amount_yuan=29_999_999)
    assert (await api["intake"].post("/declarations", just_below, as_=applicant(unit_id))).status_code == 201
