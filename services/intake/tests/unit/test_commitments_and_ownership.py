"""东源: a project not approved yet already funded, or required by county documents, still applies
and says which (DY-7); a county unit owns the projects it declares, only the bureau's own are
flagged as the bureau's (DY-3.2, DY-10.3b)."""

from policy.packs import get_pack

from intake.domain.commitments import commitment_problems
from intake.domain.units import UnitRecord, role_flag_refusals

DY = get_pack("DY", "2020.1")
RULE = DY.declaration.already_committed
NEITHER = {"in_county_investment_plan": False, "county_government_consent": False}


def test_dy_7_a_funded_project_names_its_plan_document():
    funded = {**NEITHER, "in_county_investment_plan": True}
    (missing,) = commitment_problems([], funded, RULE, "DY")
    assert (missing.field, missing.rule_ids, missing.status) == ("commitments", ("DY-7",), 422) and "财政投资计划" in missing.zh
    assert commitment_problems(["funded"], funded, RULE, "DY") == []


def test_dy_7_a_county_mandated_project_names_the_county_document():
    mandated = {**NEITHER, "county_government_consent": True}
    (missing,) = commitment_problems([], mandated, RULE, "DY")
    assert missing.field == "commitments" and "县委、县政府" in missing.zh
    assert commitment_problems(["mandated"], mandated, RULE, "DY") == []
    both = {"in_county_investment_plan": True, "county_government_consent": True}
    assert commitment_problems(["mandated", "funded"], both, RULE, "DY") == []


def test_dy_7_a_commitment_the_form_denies_is_refused_naming_the_forms_answer():
    (contradicted,) = commitment_problems(["funded"], NEITHER, RULE, "DY")
    assert contradicted.field == "forms.application_form.in_county_investment_plan"
    assert contradicted.rule_ids == ("DY-7", "DY-A1")


def test_dy_7_a_kind_is_named_once():
    (twice,) = commitment_problems(["funded", "funded"], {**NEITHER, "in_county_investment_plan": True}, RULE, "DY")
    assert twice.field == "commitments[1].kind"


def test_dy_7_an_ordinary_application_names_no_commitment():
    assert commitment_problems([], NEITHER, RULE, "DY") == []


def test_a_pack_without_dy_7_takes_no_commitments():
    (refused,) = commitment_problems(["funded"], None, None, "BY")
    assert refused.field == "commitments" and refused.rule_ids == ()
    assert commitment_problems([], None, None, "BY") == []


BUREAU = UnitRecord("DY-SJJ", "东源县政务服务数据管理局", "first_level", None, role="data_bureau")
COUNTY_UNIT = UnitRecord("DY-EDU", "东源县教育局", "first_level", None)


def test_dy_3_2_a_county_unit_owns_its_projects_and_may_not_flag_them_the_bureaus():
    (refusal,) = role_flag_refusals(COUNTY_UNIT, ("bureau_is_owner",), DY.declaration.role_flags)
    assert (refusal.field, refusal.status) == ("flags", 422) and "DY-3.2" in refusal.rule_ids
    assert "需求提出、方案编制、预算编报和组织实施" in refusal.zh
    assert role_flag_refusals(COUNTY_UNIT, ("software_development",), DY.declaration.role_flags) == []


def test_dy_3_2_dy_10_3b_the_bureaus_own_project_is_flagged_for_third_party_review():
    (refusal,) = role_flag_refusals(BUREAU, (), DY.declaration.role_flags)
    assert refusal.field == "flags" and "DY-10.3b" in refusal.rule_ids
    assert role_flag_refusals(BUREAU, ("bureau_is_owner",), DY.declaration.role_flags) == []


def test_packs_without_an_owner_flag_leave_flags_alone():
    assert role_flag_refusals(COUNTY_UNIT, ("bureau_is_owner",), get_pack("BY", "2024.1").declaration.role_flags) == []
