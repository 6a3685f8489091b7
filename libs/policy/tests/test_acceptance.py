"""Acceptance requirements (RULES.md §3.8; A-15, A-16, A-21, A-22, A-25)."""

import pytest

from policy.acceptance import acceptance_requirements, may_defer
from policy.classification import classify
from policy.facts import Amounts, ProjectFacts
from policy.packs import get_pack
from policy.sanctions import final_review_outcome, final_review_pass_rule

BY, YF, BZ, DY, YL = (get_pack(p) for p in ("BY", "YF", "BZ", "DY", "YL"))


def accept(pack, project_type, yuan=None, *, flags=(), **amounts):
    base = Amounts.all_at(yuan).model_dump() if yuan is not None else {}
    f = ProjectFacts(project_type=project_type, amounts=Amounts(**{**base, **amounts}), flags=flags)
    return acceptance_requirements(pack, f, classify(pack, f))


@pytest.mark.parametrize(("contract", "mode"), [(499_999, "internal_or_expert"), (500_000, "expert_meeting"), (500_001, "expert_meeting")])
def test_by_39_1_2_and_47_1_2_expert_meeting_from_50_wan_contract_inclusive(contract, mode):
    decision = accept(BY, "build_develop", 1_000_000, contract_amount=contract)
    assert decision.initial_mode == mode and decision.final_mode == mode
    assert {"BY-39.1", "BY-39.2", "BY-47.1", "BY-47.2"} <= set(decision.rule_ids)


def test_by_39_contract_amount_unknown_leaves_the_mode_pending():
    decision = accept(BY, "build_develop", investment_estimate=1_000_000)
    assert decision.final_mode == "pending"
    pending = [e for e in decision.evidence if e.status == "pending"]
    assert {e.key for e in pending} == {"final_expert_review", "final_internal_review"}
    assert pending[0].missing == ("amounts.contract_amount",)


def test_by_39a_initial_acceptance_mandatory_for_build_only():
    assert accept(BY, "build_develop", 1_000_000).initial_acceptance == "required"
    assert accept(BY, "service", 1_000_000).initial_acceptance == "optional"
    assert accept(BY, "operation_maintenance", 1_000_000).initial_acceptance == "optional"


def test_by_40_by_41_by_48_periods():
    decision = accept(BY, "build_develop", 1_000_000)
    assert (decision.initial_filing_deadline.length, decision.initial_filing_deadline.unit) == (15, "working_days")
    assert (decision.trial_run_min.length, decision.trial_run_min.unit, decision.trial_run_min.unit_inferred) == (3, "natural_months", False)
    assert (decision.filing_deadline.length, decision.filing_deadline.unit) == (30, "natural_days")  # BY-48a
    assert (decision.filing_rectification.length, decision.filing_rectification.unit) == (10, "working_days")  # BY-48c
    assert decision.compliance_review_required  # BY-45c


def test_by_47_3a_rectification_thirty_natural_days_from_an_inferred_anchor():
    rect = accept(BY, "service", 1_000_000).rectification
    assert (rect.length, rect.unit, rect.anchor_inferred) == (30, "natural_days", True)


def test_by_47_3b_second_failure_is_terminal():
    assert final_review_outcome(BY, 1) == (False, "BY-47.3a")
    assert final_review_outcome(BY, 2) == (True, "BY-47.3b")
    assert final_review_pass_rule(BY) == "BY-47a"
    assert accept(BY, "service", 1_000_000).max_final_attempts == 2


@pytest.mark.parametrize("pack", [YF, BZ, DY, YL], ids=lambda p: p.id)
def test_a_22_other_packs_set_no_attempt_limit(pack):
    assert pack.acceptance.max_final_attempts is None
    assert final_review_outcome(pack, 7)[0] is False


def test_dy_22_dy_23_bureau_led_team_and_prompt_rectification():
    decision = accept(DY, "software_development", 1_000_000)
    assert decision.organiser == "bureau_led_team"
    assert decision.rectification == DY.prompt and decision.rectification.inferred  # 及时
    assert final_review_outcome(DY, 1) == (False, "DY-22") and final_review_pass_rule(DY) == "DY-22"


def test_a_21_organiser_per_pack():
    assert accept(BZ, "application_system", 1_000_000).organiser == "joint_with_ndrc_and_bureau"  # BZ-29
    assert accept(YF, "software_development", 1_000_000).organiser == "unit_with_bureau"  # YF-18b
    assert accept(YF, "software_development", 1_000_000, flags=("public_class",)).organiser == "bureau"  # YF-12
    assert accept(YL, "software_development", 3_000_000).organiser == "bureau"  # YL-22a
    assert accept(YL, "software_development", 1_000_000).organiser == "unit"  # YL-22b


def test_bz_28a_trial_run_three_months_unqualified_read_as_natural_months():
    trial = accept(BZ, "application_system", 1_000_000).trial_run_min
    assert (trial.length, trial.unit, trial.unit_inferred) == (3, "natural_months", True)


def test_yl_22a_application_within_six_months_only_for_approval_regime():
    assert accept(YL, "software_development", 3_000_000).application_deadline.length == 6
    assert accept(YL, "software_development", 1_000_000).application_deadline is None
    assert accept(YL, "software_development", 3_000_000).filing_deadline.length == 10  # YL-23a


@pytest.mark.parametrize(("so_far", "months", "allowed"), [(0, 6, True), (2, 6, True), (3, 1, False), (0, 7, False)])
def test_yl_26_at_most_three_deferrals_of_six_months(so_far, months, allowed):
    decision = may_defer(YL, so_far, months)
    assert decision.allowed is allowed and decision.rule_ids == ("YL-26",)


def test_yl_26_other_packs_have_no_deferral():
    assert not may_defer(BY, 0, 1).allowed


def test_bz_29_completion_materials():
    keys = {e.key for e in accept(BZ, "application_system", 1_000_000).evidence if e.status == "required"}
    assert {"construction_summary", "financial_report", "third_party_audit_report", "resource_sharing_report",
            "third_party_test_report", "security_risk_assessment", "cryptography_evaluation"} <= keys
