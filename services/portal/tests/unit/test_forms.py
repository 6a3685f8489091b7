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


def test_a_catalogue_lists_its_systems_one_per_line():
    body = parse(FORMS["plan"], {"kind": "asset_catalogue", "document": "a" * 64,
                                 "systems": "教育资源平台｜资源共享\n智慧课堂平台|课堂互动\n"}, {}, DOC)
    assert body["systems"] == [{"name": "教育资源平台", "function": "资源共享"}, {"name": "智慧课堂平台", "function": "课堂互动"}]
    assert body["document"] == DOC["a" * 64] and "plan_year" not in body


def test_a_change_becomes_a_cancel_line_and_an_add_line():
    body = parse(FORMS["change"], {"stage": "implementation", "cancel.item": "电子班牌", "cancel.amount_yuan": "120000",
                                   "add.item": "录播教室", "add.amount_yuan": "100000", "after_the_fact": "on",
                                   "reason": "学校需求调整"}, {}, {})
    assert body["lines"] == [{"kind": "cancel", "item": "电子班牌", "amount_yuan": 120_000},
                             {"kind": "add", "item": "录播教室", "amount_yuan": 100_000}]
    assert body["after_the_fact"] is True and body["major_content_change"] is False and "cancel" not in body


def test_the_dongyuan_forms_become_structured_fields_with_the_yearly_plan_and_the_data_items():
    values = {
        "project_name": "教育云平台二期", "declared_amount_yuan": "800000", "project_class": "software_development",
        "forms.application_form.using_unit": "东源县教育局", "forms.application_form.site": "东源县",
        "forms.application_form.nature": "expansion", "forms.application_form.county_government_consent": "on",
        "forms.application_form.planned_start": "2027-03-01", "forms.application_form.planned_completion": "2027-12-31",
        "forms.application_form.total_investment_yuan": "800000", "forms.application_form.year.1": "500000",
        "forms.application_form.year.2": "300000", "forms.application_form.funding_sources.county_fiscal_yuan": "800000",
        "forms.application_form.construction_content": "扩建教学资源库", "forms.application_form.expected_benefits": "提升教学质量",
        "forms.application_form.applicant_leader.signer": "刘洋", "forms.application_form.applicant_leader.signed_on": "2026-11-20",
        "forms.application_form.competent_department_leader.signer": "张华",
        "forms.application_form.competent_department_leader.signed_on": "2026-11-21",
        "forms.application_form.contact.name": "陈敏", "forms.application_form.contact.mobile": "13800000000",
        "forms.application_form.contact.address": "东源县城", "forms.application_form.contact.postcode": "517500",
        "forms.data_resource_checklist.summary": "教育资源共享", "forms.data_resource_checklist.hardware_yuan": "100000",
        "forms.data_resource_checklist.system_software_yuan": "100000",
        "forms.data_resource_checklist.application_development_yuan": "600000",
        "forms.data_resource_checklist.expected_acceptance_on": "2028-01-31",
        "forms.data_resource_checklist.lines": "资源检索｜资源目录｜每日｜接口\n资源检索｜检索日志｜实时｜库表\n学籍管理｜学生信息｜每日｜接口｜《未成年人保护法》",
        "doc.application_form": "a" * 64, "doc.project_scheme": "b" * 64, "doc.data_resource_checklist": "c" * 64}
    body = parse(FORMS["declaration_dy"], values, {}, DOC)
    form = body["forms"]["application_form"]
    assert form["yearly_funding_yuan"] == [500_000, 300_000] and "year" not in form
    assert form["in_county_investment_plan"] is False and form["county_government_consent"] is True
    assert form["funding_sources"]["county_fiscal_yuan"] == 800_000
    functions = body["forms"]["data_resource_checklist"]["functions"]
    assert [f["function"] for f in functions] == ["资源检索", "学籍管理"] and len(functions[0]["data_items"]) == 2
    assert functions[1]["data_items"][0] == {"name": "学生信息", "sharing_period": "每日", "provision_method": "接口",
                                             "shareable": False, "non_share_legal_basis": "《未成年人保护法》"}
    assert [d["kind"] for d in body["documents"]] == ["application_form", "project_scheme", "data_resource_checklist"]
    from intake.schemas import DeclarationIn
    DeclarationIn.model_validate({**body, "unit_id": "dongyuan-edu"})  # what intake accepts


def test_what_the_forms_send_is_what_the_services_accept():
    """The portal's bodies validated against the services' own request models, so a renamed field
    on either side fails here rather than in front of a person."""
    from intake.schemas import DeclarationIn, PlanFilingIn
    from procurement.schemas import ChangeIn, ContractIn

    declaration = parse(FORMS["declaration"], {"project_name": "智慧课堂平台", "declared_amount_yuan": "1200000",
                                               "project_class": "service", "planned_start": "2027-01-01",
                                               "doc.plan_declaration_form": "a" * 64, "doc.government_data_list": "b" * 64}, {}, DOC)
    DeclarationIn.model_validate({**declaration, "unit_id": "baiyun-edu"})
    PlanFilingIn.model_validate(parse(FORMS["plan"], {"kind": "asset_catalogue", "document": "a" * 64,
                                                      "systems": "教育资源平台｜资源共享"}, {}, DOC))
    ContractIn.model_validate(parse(FORMS["contract"], {
        "title": "服务合同", "supplier.name": "某公司", "supplier.supplier_id": "91440101MAE2E00001", "supplier_role": "builder",
        "amount_yuan": "1000000", "signed_on": "2026-11-24", "term.starts_on": "2026-11-24", "term.ends_on": "2027-11-23",
        "procurement_method": "public_tender", "ip_owner": "unit", "milestone.progress": "1000000",
        "doc.contract_text": "a" * 64, "doc.confidentiality_agreement": "b" * 64, "doc.personnel_register": "c" * 64},
        {"deliverables": ["services"]}, DOC))
    ChangeIn.model_validate(parse(FORMS["change"], {"stage": "implementation", "add.item": "录播教室", "add.amount_yuan": "100000",
                                                    "reason": "学校需求调整"}, {}, {}))


def test_bz_41_the_monitoring_report_form_gives_acceptance_its_body():
    from acceptance.schemas import MonitoringReportIn

    body = parse(FORMS["monitoring_report"], {"report_year": "2026", "document": "a" * 64}, {}, DOC)
    assert MonitoringReportIn.model_validate(body).report_year == 2026
    with pytest.raises(FormErrors) as refused:
        parse(FORMS["monitoring_report"], {"report_year": "二〇二六", "document": "a" * 64}, {}, DOC)
    assert "report_year" in refused.value.errors


def test_by_52_by_52_3_by_54_the_evaluation_form_names_the_firm_the_ground_and_the_ip_account():
    from acceptance.schemas import EvaluationIn

    body = parse(FORMS["evaluation"], {
        "kind": "third_party", "grade": "basically_qualified", "completed_on": "2026-11-24", "report": "a" * 64,
        "firm.name": "广州某效能评估咨询有限公司", "firm.credit_code": "91440101MA5EVAL001", "ground": "slow_construction",
        "ip_report.plan_completion": "已登记软件著作权2项", "ip_report.ownership_transfer": "已归项目单位",
        "ip_report.follow_up_operation": "由项目单位运营"}, {}, DOC)
    evaluation = EvaluationIn.model_validate(body)
    assert (evaluation.firm.credit_code, evaluation.ground) == ("91440101MA5EVAL001", "slow_construction")
    assert evaluation.ip_report.follow_up_operation == "由项目单位运营"
    own = parse(FORMS["evaluation"], {"kind": "self", "grade": "qualified", "completed_on": "2026-11-24", "report": "a" * 64}, {}, DOC)
    assert not {"firm", "ground", "ip_report"} & set(EvaluationIn.model_validate(own).model_dump(exclude_none=True))


def test_bz_17_1_the_bazhong_form_sends_the_delivery_mode_and_the_merge_ground_with_its_document():
    from intake.schemas import DeclarationIn

    values = {"project_name": "城市运行管理服务平台", "declared_amount_yuan": "8000000", "project_class": "application_system",
              "delivery": "self_build", "responsible_person": "李局长", "design_merge.ground": "higher_requirement",
              "design_merge.requiring_body": "municipal", "design_merge.document_title": "关于加快城市运行管理服务平台建设的通知",
              "design_merge.document_number": "巴委办〔2026〕21号", "design_merge.document": "c" * 64,
              "doc.annual_needs": "a" * 64, "doc.security_status_statement": "b" * 64, "doc.implementation_scheme": "a" * 64}
    body = parse(FORMS["declaration_bz"], values, {}, DOC)
    assert body["flags"] == ["self_build"] and "delivery" not in body
    assert body["design_merge"]["document"] == DOC["c" * 64] and body["design_merge"]["requiring_body"] == "municipal"
    DeclarationIn.model_validate({**body, "unit_id": "bazhong-cg"})
    separate = parse(FORMS["declaration_bz"], {**values, "design_merge.ground": ""}, {}, DOC)
    assert "design_merge" not in separate  # no ground chosen: the study and the design go in separately


def test_dy_7_the_dongyuan_form_names_the_county_document_behind_a_mandated_project():
    from intake.schemas import CommitmentIn

    assert {f.name for f in FORMS["declaration_dy"].fields} >= {"commitment.mandated.document", "commitment.funded.document_number"}
    commitments = FORMS["declaration_dy"].build({"forms": {}, "commitment": {
        "mandated": {"document_title": "关于建设教育云平台的批复", "document_number": "东府函〔2026〕88号", "document": DOC["a" * 64]},
        "funded": {}}})["commitments"]
    assert [c["kind"] for c in commitments] == ["mandated"]
    CommitmentIn.model_validate(commitments[0])


def test_yf_8_5_the_fund_application_form_gives_intake_its_body():
    from intake.schemas import FundApplicationIn

    body = parse(FORMS["fund_application"], {"amount_yuan": "2,800,000", "document": "a" * 64}, {}, DOC)
    assert FundApplicationIn.model_validate(body).amount_yuan == 2_800_000


def test_yl_4_3_a_census_line_says_what_becomes_of_the_system():
    from intake.schemas import PlanFilingIn

    body = parse(FORMS["plan"], {"kind": "asset_catalogue", "document": "a" * 64,
                                 "systems": "一体化政务服务平台｜办事｜迁移改造\n网上办事大厅|办事|整合|一体化政务服务平台\n视频会议系统｜会议"},
                 {}, DOC)
    assert [s.get("disposition") for s in body["systems"]] == ["migrate", "consolidate", None]
    assert body["systems"][1]["into"] == "一体化政务服务平台"
    PlanFilingIn.model_validate(body)
    with pytest.raises(FormErrors) as refused:
        parse(FORMS["plan"], {"kind": "asset_catalogue", "document": "a" * 64, "systems": "视频会议系统｜会议｜搁置"}, {}, DOC)
    assert "第1行" in refused.value.errors["systems"][0]


def test_by_29_4_bz_45_yl_18c_the_final_review_form_offers_every_packs_concerns_and_sends_the_ticked_ones_as_found():
    from acceptance.schemas import FinalReviewIn
    from policy.packs import bundled_pack_files, load_pack_file

    offered = {o[0] for o in next(f for f in FORMS["final_review"].fields if f.name == "concerns_found").options}
    listed = {c.key for path in bundled_pack_files() for c in load_pack_file(path).acceptance.concerns}
    assert offered == listed
    body = parse(FORMS["final_review"], {"unit_id": "baiyun-edu", "result": "failed", "mode": "expert_meeting",
                                         "concluded_on": "2027-03-01", "reasons": "未定期开展风险评估"},
                 {"concerns_found": ["security_responsibility", "risk_assessment"]}, {})
    assert body["judgements"] == [{"key": "security_responsibility", "found": True}, {"key": "risk_assessment", "found": True}]
    FinalReviewIn.model_validate(body)
    plain = parse(FORMS["final_review"], {"unit_id": "baiyun-edu", "result": "passed", "mode": "expert_meeting",
                                          "concluded_on": "2027-03-01"}, {}, {})
    assert "judgements" not in plain and "concerns_found" not in plain


def test_bz_9_the_bazhong_form_declares_a_city_project_the_counties_share_in():
    """BZ-9: the unit says so at declaration; review sends the project to 市政府审定 on that flag."""
    from intake.schemas import DeclarationIn

    values = {"project_name": "市县一体化政务服务平台", "declared_amount_yuan": "8000000", "project_class": "application_system",
              "delivery": "self_build", "responsible_person": "李局长", "county_collaboration": "on",
              "doc.annual_needs": "a" * 64, "doc.security_status_statement": "b" * 64}
    body = parse(FORMS["declaration_bz"], values, {}, DOC)
    assert body["flags"] == ["self_build", "county_collaboration"] and "county_collaboration" not in body
    DeclarationIn.model_validate({**body, "unit_id": "bazhong-cg"})


def test_yf_7_4_the_bureaus_fund_application_form_is_the_review_body():
    """YF-7.4: the bureau applies for a 公共类 project's funds with the number of its 请示."""
    from review.schemas import FundApplicationIn

    spec = FORMS["public_fund_application"]
    assert (spec.service, spec.path, spec.roles) == ("review", "/cases/{project_id}/fund-application", frozenset({"bureau_reviewer"}))
    body = parse(spec, {"amount_yuan": "2,800,000", "document_number": "云政数〔2027〕5号"}, {}, DOC)
    assert FundApplicationIn.model_validate(body).amount_yuan == 2_800_000
