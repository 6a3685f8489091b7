"""The moves an opinion makes along a case's path (BY-16a–d, BY-19.1a, BY-20, BY-21, BY-22.11–22.13)."""

import pytest

from policy.classification import classify
from policy.facts import Amounts, ProjectFacts
from policy.packs import get_pack
from policy.review import after_failed_round, review_policy

from review.domain.path import after_opinion, approval_ceiling

BY = get_pack("BY", "2024.1")


def path_of(pack, project_class: str, yuan: int) -> list[str]:
    amounts = Amounts(declared_amount=yuan, investment_estimate=yuan, total_investment=yuan, investment_quota=yuan, budget_amount=yuan)
    return [s.key for s in review_policy(pack, classify(pack, ProjectFacts(project_type=project_class, amounts=amounts))).steps]


ORDINARY = path_of(BY, "build_develop", 2_000_000)


def test_by_20_the_ordinary_path_and_the_micro_path():
    assert ORDINARY == ["plan_review", "initial_review", "expert_review", "cost_review", "approval"]
    assert path_of(BY, "build_develop", 400_000) == ["plan_review"]  # BY-19.1a


def test_by_15c_a_passed_plan_waits_for_the_units_scheme():
    move = after_opinion(ORDINARY, "plan_review", passed=True, rejected=False, micro=False)
    assert (move.outcome, move.stage, move.awaiting) == ("plan_passed", "initial_review", "unit")


def test_by_19_1a_a_passed_micro_plan_goes_to_filing():
    assert after_opinion(["plan_review"], "plan_review", passed=True, rejected=False, micro=True).outcome == "micro_passed"


def test_by_20_scheme_stages_pass_on_to_the_next_and_the_last_to_approval():
    assert after_opinion(ORDINARY, "initial_review", True, False, False).stage == "expert_review"
    last = after_opinion(ORDINARY, "cost_review", True, False, False)
    assert (last.outcome, last.stage, last.final_stage) == ("approval_due", "approval", True)  # BY-21 anchor


def test_by_16c_a_failure_returns_the_case_to_the_unit():
    move = after_opinion(ORDINARY, "expert_review", passed=False, rejected=False, micro=False)
    assert (move.outcome, move.stage, move.awaiting) == ("resubmit", "expert_review", "unit")


@pytest.mark.parametrize(("stage", "rules"), [
    ("plan_review", {"BY-16d", "BY-22.11"}), ("initial_review", {"BY-20.1b", "BY-22.12"}), ("expert_review", {"BY-20.2c", "BY-22.13"}),
])
def test_by_22_11_to_13_the_third_failure_ends_the_project(stage, rules):
    assert not after_failed_round(BY, stage, 2).rejected
    third = after_failed_round(BY, stage, 3)
    assert third.rejected and set(third.rule_ids) == rules
    assert after_opinion(ORDINARY, stage, passed=False, rejected=True, micro=False).outcome == "rejected"


def test_by_20_3_the_approval_ceiling_is_the_cost_reviews_amount_else_the_plans():
    assert approval_ceiling(190_000_000, 180_000_000, 200_000_000) == (180_000_000, "reviewed_amount")
    assert approval_ceiling(190_000_000, None, 200_000_000) == (190_000_000, "plan_review_amount")
    assert approval_ceiling(None, None, 200_000_000) == (200_000_000, "declared_amount")
