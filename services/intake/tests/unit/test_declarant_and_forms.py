"""Who may declare (BY-5.2a) and 东源's form fields (RULES.md §4: DY-A1, DY-A2)."""

from datetime import date

import pytest

from intake.domain.forms import application_form_violations, data_checklist_violations
from intake.domain.units import UnitRecord, declarant_refusals, registration_refusal
from intake.schemas import ApplicationForm, DataChecklist

HEALTH = UnitRecord("U-HEALTH", "区卫生健康局", "first_level", None, "health")
HOSPITAL = UnitRecord("U-HOSP", "区人民医院", "subordinate", "U-HEALTH", "health")
OTHER = UnitRecord("U-EDU", "区教育局", "first_level", None)
RULES = ("BY-5.2a",)


def test_by_5_2a_a_first_level_unit_declares_for_itself_and_its_subordinates():
    assert declarant_refusals(HEALTH, None, None, RULES) == []
    assert declarant_refusals(HEALTH, HOSPITAL, "U-HOSP", RULES) == []


def test_by_5_2a_a_subordinate_does_not_declare_itself():
    (refusal,) = declarant_refusals(HOSPITAL, None, None, RULES)
    assert refusal.field == "unit_id" and refusal.rule_ids == RULES and "U-HEALTH" in refusal.en and refusal.status == 409


def test_a_pack_without_the_first_level_rule_lets_a_subordinate_declare():
    assert declarant_refusals(HOSPITAL, None, None, None) == []


def test_by_5_2a_another_units_subordinate_and_unknown_units_are_refused():
    (refusal,) = declarant_refusals(OTHER, HOSPITAL, "U-HOSP", RULES)
    assert refusal.field == "using_unit_id" and refusal.status == 409
    (unknown,) = declarant_refusals(OTHER, None, "U-NOPE", RULES)
    assert unknown.field == "using_unit_id" and unknown.status == 422
    (unregistered,) = declarant_refusals(None, None, None, RULES)
    assert unregistered.field == "unit_id" and unregistered.status == 422


def test_by_5_2a_a_subordinate_registers_under_a_first_level_unit():
    assert registration_refusal("subordinate", HEALTH, "U-HEALTH") is None
    assert registration_refusal("subordinate", HOSPITAL, "U-HOSP").field == "parent_unit_id"
    assert registration_refusal("subordinate", None, None).field == "parent_unit_id"
    assert registration_refusal("subordinate", None, "U-NOPE").field == "parent_unit_id"
    assert registration_refusal("first_level", None, "U-HEALTH").field == "parent_unit_id"


def form(**changes) -> ApplicationForm:
    values = dict(
        using_unit="县人民医院", site="东源县", nature="new", in_county_investment_plan=True, county_government_consent=False,
        planned_start=date(2027, 3, 1), planned_completion=date(2027, 12, 31), total_investment_yuan=800_000,
        yearly_funding_yuan=[500_000, 300_000], funding_sources={"county_fiscal_yuan": 800_000},
        construction_content="建设医疗影像共享平台", expected_benefits="减少重复检查",
        applicant_leader={"signer": "李四", "signed_on": date(2026, 11, 20)},
        competent_department_leader={"signer": "王五", "signed_on": date(2026, 11, 21)},
        contact={"name": "赵六", "mobile": "13800000000", "address": "东源县县城", "postcode": "517500"},
    )
    values.update(changes)
    return ApplicationForm.model_validate(values)


def test_dy_a1_a_consistent_form_passes():
    assert application_form_violations(form(), 800_000) == []


@pytest.mark.parametrize(("changes", "field"), [
    ({"planned_completion": date(2027, 1, 1)}, "forms.application_form.planned_completion"),
    ({"funding_sources": {"county_fiscal_yuan": 700_000}}, "forms.application_form.funding_sources"),
    ({"yearly_funding_yuan": [500_000]}, "forms.application_form.yearly_funding_yuan"),
    ({"sector_approval_document": "县卫健局批复"}, "forms.application_form.sector_approval_number"),
])
def test_dy_a1_fields_that_disagree_are_named(changes, field):
    assert [v.field for v in application_form_violations(form(**changes), 800_000)] == [field]


def test_dy_a1_the_forms_total_is_the_declared_amount():
    (violation,) = application_form_violations(form(), 900_000)
    assert violation.field.endswith("total_investment_yuan") and "DY-A1" in violation.rule_ids


def checklist(shareable: bool, basis: str | None = None, app_yuan: int = 300_000) -> DataChecklist:
    return DataChecklist.model_validate({
        "summary": "医疗影像共享", "hardware_yuan": 200_000, "system_software_yuan": 100_000, "application_development_yuan": app_yuan,
        "expected_acceptance_on": "2027-12-31",
        "functions": [{"function": "影像调阅", "data_items": [
            {"name": "检查报告", "sharing_period": "实时", "provision_method": "接口", "shareable": shareable,
             "non_share_legal_basis": basis}]}],
    })


def test_dy_a2_data_is_shared_unless_a_legal_basis_says_otherwise():
    assert data_checklist_violations(checklist(True), 800_000) == []
    assert data_checklist_violations(checklist(False, "《中华人民共和国个人信息保护法》第二十八条"), 800_000) == []
    (violation,) = data_checklist_violations(checklist(False), 800_000)
    assert violation.field.endswith("data_items[0].non_share_legal_basis") and violation.rule_ids == ("DY-A2", "DY-9")


def test_dy_a2_the_investment_split_stays_within_the_declared_amount():
    (violation,) = data_checklist_violations(checklist(True, app_yuan=600_000), 800_000)
    assert "DY-A2" in violation.rule_ids


def test_by_5_7_a_hospital_or_school_is_registered_under_its_sector_bureau():
    assert registration_refusal("subordinate", HEALTH, "U-HEALTH", "health") is None
    refusal = registration_refusal("subordinate", OTHER, "U-EDU", "health")
    assert refusal.rule_ids == ("BY-5.7",) and "区卫生健康局" in refusal.zh
    assert registration_refusal("subordinate", OTHER, "U-EDU", None) is None  # a unit of no sector may sit under any first-level unit


def test_yf_7_1_yf_4_2_yl_4_2_public_class_projects_come_from_the_body_the_pack_names():
    from policy.packs import get_pack

    from intake.domain.units import public_class_refusal

    yf, yl, by = (get_pack(p, v).declaration.public_class_applicant for p, v in (("YF", "2020.1"), ("YL", "draft.1"), ("BY", "2024.1")))
    bureau = UnitRecord("U-SJJ", "市政务服务数据管理局", "first_level", None, None, "data_bureau")
    centre = UnitRecord("U-XXZX", "市信息中心", "first_level", None, None, "information_centre")
    refusal = public_class_refusal(OTHER, True, yf)
    assert refusal.field == "flags" and {"YF-7.1", "YF-4.2"} <= set(refusal.rule_ids) and "市政务服务数据管理局" in refusal.zh
    assert public_class_refusal(bureau, True, yf) is None
    assert public_class_refusal(OTHER, False, yf) is None  # 专业类: the unit's own (YF-4.2)
    assert "YL-4.2" in public_class_refusal(bureau, True, yl).rule_ids and public_class_refusal(centre, True, yl) is None
    assert by is None and public_class_refusal(OTHER, True, by) is None
