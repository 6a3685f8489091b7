"""The portal turns what people type into the services' JSON, and says in their language what it
can tell is wrong before asking (amounts are whole 元, never decimals)."""

from __future__ import annotations

import pytest

from portal.forms import FORMS, FormErrors, parse

DOC = {"a" * 64: {"name": "合同文本.pdf", "sm3": "a" * 64}, "b" * 64: {"name": "保密协议.pdf", "sm3": "b" * 64},
       "c" * 64: {"name": "人员实名登记.pdf", "sm3": "c" * 64}}


def test_a_declaration_becomes_the_intake_body_with_its_documents_as_kinds():
    body = parse(FORMS["declaration"], {"project_name": "智慧课堂平台", "declared_amount_yuan": "1,200,000",
                                        "project_class": "service", "doc.plan_declaration_form": "a" * 64,
                                        "doc.government_data_list": "b" * 64}, {}, DOC)
    assert body["declared_amount_yuan"] == 1_200_000 and body["project_class"] == "service"
    assert body["documents"] == [{"kind": "plan_declaration_form", "document": DOC["a" * 64]},
                                 {"kind": "government_data_list", "document": DOC["b" * 64]}]
    assert "system_name" not in body  # left empty, left out: the service's own default applies


@pytest.mark.parametrize("typed", ["12.5", "一百万", "-3", "1e6"])
def test_an_amount_that_is_not_whole_yuan_is_refused_naming_the_field(typed):
    with pytest.raises(FormErrors) as refused:
        parse(FORMS["declaration"], {"project_name": "平台", "declared_amount_yuan": typed, "project_class": "service",
                                     "doc.plan_declaration_form": "a" * 64, "doc.government_data_list": "b" * 64}, {}, DOC)
    zh, en = refused.value.errors["declared_amount_yuan"]
    assert "整数" in zh and "whole" in en


def test_required_fields_and_documents_are_all_named_at_once():
    with pytest.raises(FormErrors) as refused:
        parse(FORMS["declaration"], {}, {}, DOC)
    assert {"project_name", "declared_amount_yuan", "project_class", "doc.plan_declaration_form",
            "doc.government_data_list"} <= set(refused.value.errors)
    assert "doc.feasibility_study" not in refused.value.errors  # only at ≥3000万 (BY-15), which the service decides


def test_a_document_not_among_the_units_uploads_is_refused():
    with pytest.raises(FormErrors) as refused:
        parse(FORMS["evidence"], {"key": "djcp_report", "document": "f" * 64}, {}, DOC)
    assert refused.value.errors["document"][0] == "请选择已上传的文件"


def test_a_contract_nests_supplier_and_term_and_lists_its_milestones_and_ip_clauses():
    body = parse(FORMS["contract"], {
        "title": "服务合同", "supplier.name": "某公司", "supplier.supplier_id": "91440101MAE2E00001", "supplier_role": "builder",
        "amount_yuan": "1000000", "signed_on": "2026-11-24", "term.starts_on": "2026-11-24", "term.ends_on": "2027-11-23",
        "procurement_method": "public_tender", "ip_owner": "unit", "milestone.advance": "300000", "milestone.progress": "0",
        "milestone.final_payment": "700000", "data_terms": "on", "doc.contract_text": "a" * 64,
        "doc.confidentiality_agreement": "b" * 64, "doc.personnel_register": "c" * 64},
        {"deliverables": ["services", "spaceships"]}, DOC)
    assert body["supplier"] == {"name": "某公司", "supplier_id": "91440101MAE2E00001"}
    assert body["term"] == {"starts_on": "2026-11-24", "ends_on": "2027-11-23"}
    assert body["milestones"] == [{"kind": "advance", "amount_yuan": 300_000}, {"kind": "final_payment", "amount_yuan": 700_000}]
    assert body["deliverables"] == ["services"] and body["data_terms"] is True
    assert set(body["ip_clauses"].values()) == {"unit"} and len(body["ip_clauses"]) == 6  # BY-28: every right
    assert "ip_owner" not in body and "milestone" not in body


def test_a_meeting_time_is_taken_as_shanghai_time_and_a_bad_date_is_named():
    body = parse(FORMS["meeting"], {"stage": "expert_review", "pool": "白云区信息化专家库", "size": "3",
                                    "starts_at": "2026-12-08T09:30", "ends_at": "2026-12-08T12:00"}, {}, {})
    assert body["starts_at"] == "2026-12-08T09:30:00+08:00"
    with pytest.raises(FormErrors) as refused:
        parse(FORMS["initial_acceptance"], {"result": "passed", "mode": "expert_meeting", "concluded_on": "2026-13-40"}, {}, {})
    assert "YYYY-MM-DD" in refused.value.errors["concluded_on"][0]


def test_an_opinion_carries_its_round_as_a_number_and_reasons_as_lines():
    body = parse(FORMS["opinion"], {"stage": "plan_review", "round": "2", "result": "failed",
                                    "reasons": "缺少政务数据清单\n\n  估算依据不足 "}, {}, {})
    assert body == {"stage": "plan_review", "round": 2, "result": "failed", "reasons": ["缺少政务数据清单", "估算依据不足"]}


def test_a_payment_clearance_is_asked_in_fen_with_a_fresh_request_id():
    first = parse(FORMS["payment_clearance"], {"project_id": "PRJ-1", "milestone": "progress", "amount_yuan": "300000"}, {}, {})
    second = parse(FORMS["payment_clearance"], {"project_id": "PRJ-1", "milestone": "progress", "amount_yuan": "300000"}, {}, {})
    assert first["amount_fen"] == 30_000_000 and "amount_yuan" not in first
    assert first["request_id"] != second["request_id"]


def test_every_form_names_the_rules_it_is_checked_against_and_labels_every_field_in_both_languages():
    for spec in FORMS.values():
        assert spec.rules, spec.key
        for item in spec.fields:
            assert item.zh and item.en, (spec.key, item.name)
