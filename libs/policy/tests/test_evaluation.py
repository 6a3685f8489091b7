"""Evaluation duties and grades (RULES.md §3.9; A-14, A-18)."""

import pytest

from policy.classification import classify
from policy.evaluation import evaluation_requirements
from policy.facts import Amounts, ProjectFacts
from policy.packs import get_pack

BY, YF, BZ, DY, YL = (get_pack(p) for p in ("BY", "YF", "BZ", "DY", "YL"))


def duties(pack, project_type, yuan, **amounts):
    f = ProjectFacts(project_type=project_type, amounts=Amounts(**{**Amounts.all_at(yuan).model_dump(), **amounts}))
    return {(d.kind, d.timing, d.status) for d in evaluation_requirements(pack, f, classify(pack, f)).duties if d.status != "not_required"}


def test_by_51a_build_self_evaluates_within_three_months_after_final_acceptance():
    assert ("self", "after_final_acceptance", "required") in duties(BY, "build_develop", 1_000_000)
    due = BY.evaluation.self_evaluation[0].due
    assert (due.length, due.unit, due.unit_inferred) == (3, "natural_months", True)


def test_by_51b_service_and_om_self_evaluate_before_final_acceptance():
    for project_type in ("service", "operation_maintenance"):
        assert ("self", "before_final_acceptance", "required") in duties(BY, project_type, 1_000_000)


@pytest.mark.parametrize(("contract", "status"), [(2_999_999, "discretionary"), (3_000_000, "required"), (3_000_001, "required")])
def test_by_52_1_third_party_evaluation_mandatory_from_300_wan_contract(contract, status):
    third = {d[2] for d in duties(BY, "build_develop", 1_000_000, contract_amount=contract) if d[0] == "third_party"}
    assert third == {status}


@pytest.mark.parametrize(("contract", "expected"), [(999_999, set()), (1_000_000, {"discretionary"}), (1_000_001, {"discretionary"})])
def test_by_52_2_discretionary_from_100_wan_for_build_and_service(contract, expected):
    assert {d[2] for d in duties(BY, "service", 1_000_000, contract_amount=contract) if d[0] == "third_party"} == expected
    assert {d[2] for d in duties(BY, "operation_maintenance", 1_000_000, contract_amount=contract) if d[0] == "third_party"} == set()


def test_by_53_four_grades_and_their_consequences():
    grades = {g.key: g for g in BY.evaluation.grades}
    assert [g.name_zh for g in BY.evaluation.grades] == ["优秀", "合格", "基本合格", "不合格"]
    assert "BY-53.1" in grades["excellent"].rules and "BY-53.2" in grades["unqualified"].rules
    assert BY.evaluation.ban_year_basis == "calendar_year_after_grading" and BY.evaluation.ban_year_inferred


def test_bz_42a_self_evaluation_window_12_to_24_months_after_going_live():
    entry = BZ.evaluation.self_evaluation[0]
    assert (entry.opens.length, entry.due.length, entry.due.anchor) == (12, 24, "operation_start")
    assert ("third_party", None, "discretionary") in duties(BZ, "application_system", 1_000_000)  # BZ-42b
    assert BZ.evaluation.monitoring_report_due == "12-31"  # BZ-41


@pytest.mark.parametrize(("total", "required"), [(1_999_999, False), (2_000_000, True), (2_000_001, True)])
def test_dy_20c_self_evaluation_report_from_200_wan(total, required):
    assert (("self", "at_acceptance", "required") in duties(DY, "software_development", 1_000_000, total_investment=total)) is required


def test_yl_29_bureau_evaluates_approval_projects_12_to_24_months_after_acceptance():
    assert ("third_party", None, "required") in duties(YL, "software_development", 3_000_000)
    assert duties(YL, "software_development", 1_000_000) == set()


def test_yf_21_bureau_and_finance_evaluate():
    assert ("third_party", None, "required") in duties(YF, "software_development", 10_000)
