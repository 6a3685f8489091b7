"""Review steps, round limits, SLAs and the scheme budget caps (RULES.md §3.3)."""

from datetime import datetime, timezone

import pytest

from policy.classification import classify
from policy.facts import Amounts, Override, PolicyInputError, ProjectFacts
from policy.packs import get_pack
from policy.review import after_failed_round, check_scheme_budget, review_policy

BY, YF, BZ, DY, YL = (get_pack(p) for p in ("BY", "YF", "BZ", "DY", "YL"))


def review_of(pack, project_type, yuan, flags=()):
    return review_policy(pack, classify(pack, ProjectFacts(project_type=project_type, amounts=Amounts.all_at(yuan), flags=flags)))


def override(rule):
    return Override(rule_id=rule, granted_by="区政数局 李四", authority="区政数局局务会议纪要", reason="政策调整导致方案反复修改",
                    granted_at=datetime(2026, 11, 23, tzinfo=timezone.utc))


def test_by_20_ordinary_track_goes_through_every_stage():
    decision = review_of(BY, "build_develop", 1_000_000)
    assert [s.key for s in decision.steps] == ["plan_review", "initial_review", "expert_review", "cost_review", "approval"]
    assert decision.expert_pools == ("广州市信息化专家库", "白云区信息化专家库")  # BY-20.2b


def test_by_19_2_simplified_track_skips_expert_review_only():
    decision = review_of(BY, "operation_maintenance", 1_500_000, flags=("identical_om_renewal",))
    assert [s.key for s in decision.skipped] == ["expert_review"]
    assert "cost_review" in [s.key for s in decision.steps]  # BY-20.3 applies to it too


def test_by_19_1a_micro_track_has_only_plan_review():
    decision = review_of(BY, "build_develop", 300_000)
    assert [s.key for s in decision.steps] == ["plan_review"]


def test_by_16b_by_20_1a_bureau_sla_five_working_days_from_receipt_inferred():
    decision = review_of(BY, "service", 1_000_000)
    sla = decision.bureau_sla
    assert (sla.length, sla.unit, sla.anchor, sla.anchor_inferred) == (5, "working_days", "submission_received", True)
    assert decision.unit_response.length == 5 and decision.unit_response.anchor == "opinion_received"  # BY-16c
    assert decision.scheme_filing.length == 5 and "BY-21" in decision.scheme_filing.rules


def test_by_20_4b_approval_valid_one_natural_year_yf_8_4b_two_years_unqualified():
    assert (BY.review.approval_validity.length, BY.review.approval_validity.unit) == (1, "natural_years")
    assert not BY.review.approval_validity.unit_inferred
    yf = YF.review.approval_validity
    assert (yf.length, yf.unit, yf.unit_inferred) == (2, "natural_years", True)  # "两年"
    assert BY.review.lapse_event == "ContractFiled"


@pytest.mark.parametrize(("stage", "rules"), [("plan_review", "BY-22.11"), ("initial_review", "BY-22.12"), ("expert_review", "BY-22.13")])
def test_by_22_11_to_13_third_failed_round_rejects(stage, rules):
    assert after_failed_round(BY, stage, 2).may_resubmit
    third = after_failed_round(BY, stage, 3)
    assert third.rejected and not third.may_resubmit and rules in third.rule_ids


def test_by_16d_plan_review_limit_is_原则上_and_takes_an_override():
    decision = after_failed_round(BY, "plan_review", 3, (override("BY-16d"),))
    assert decision.may_resubmit and not decision.rejected and decision.overrides[0].rule_id == "BY-16d"


def test_by_20_2c_expert_review_limit_takes_no_override():
    with pytest.raises(PolicyInputError):
        after_failed_round(BY, "expert_review", 3, (override("BY-16d"),))
    with pytest.raises(PolicyInputError):
        after_failed_round(BY, "expert_review", 3, (override("BY-20.2c"),))


def test_packs_without_round_limits_allow_resubmission():
    assert after_failed_round(DY, "plan_review", 9).may_resubmit


def test_by_17_1b_business_operation_at_most_thirty_percent():
    ok = check_scheme_budget(BY, "build_develop", total_yuan=1_000_000, business_operation_yuan=300_000)
    assert ok.ok
    over = check_scheme_budget(BY, "build_develop", total_yuan=1_000_000, business_operation_yuan=300_001)
    assert not over.ok and over.violations[0].rule_ids == ("BY-17.1b",)
    assert check_scheme_budget(BY, "service", total_yuan=1_000_000, business_operation_yuan=900_000).ok  # 服务类 not capped


@pytest.mark.parametrize(("total", "ok"), [(999_999, True), (1_000_000, True), (1_000_001, False)])
def test_by_17_2b_scheme_total_at_most_the_plan_review_amount(total, ok):
    decision = check_scheme_budget(BY, "build_develop", total_yuan=total, plan_review_amount_yuan=1_000_000)
    assert decision.ok is ok
    if not ok:
        assert decision.violations[0].rule_ids == ("BY-17.2b",)


def test_bz_15_bz_20_committee_and_co_reviews():
    steps = [s.key for s in review_of(BZ, "application_system", 5_000_000).steps]
    assert steps[0] == "co_review" and "committee_review" in steps and steps[-1] == "external_approval"
    assert BZ.review.co_review.inferred


def test_yl_12_filing_regime_is_not_reviewed_like_approval_but_has_a_path():
    decision = review_of(YL, "software_development", 3_000_000)
    assert [s.key for s in decision.steps] == ["initial_review", "co_review", "finance_review", "approval"]


def test_out_of_scope_project_has_no_review():
    with pytest.raises(PolicyInputError) as raised:
        review_of(DY, "software_development", 100_000)
    assert raised.value.field == "classification.regime"
