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


PACKS = {"YF": get_pack("YF", "2020.1"), "BZ": get_pack("BZ", "2022.1"), "DY": get_pack("DY", "2020.1"), "YL": get_pack("YL", "draft.1")}


@pytest.mark.parametrize(("pack_id", "project_class", "yuan", "path"), [
    # YF-8.2 初核 → 造价评审 + 专家论证 → YF-8.3 资金审核 → YF-8.4a 立项审批意见 (YF-7.2/7.3 for 公共类 alike)
    ("YF", "software_development", 1_000_000, ["initial_review", "cost_review", "expert_review", "finance_review", "approval"]),
    # BZ-20 opinions → BZ-21a 技术审查 → BZ-15, BZ-5b 审委会 → BZ-6 预算评审 → BZ-21b 发改委
    ("BZ", "application_system", 800_000, ["co_review", "initial_review", "committee_review", "finance_review", "external_approval"]),
    # DY-10.3a 专家组论证, 造价审核, 评审意见 → DY-11a 财政局资金审核
    ("DY", "software_development", 800_000, ["expert_review", "cost_review", "approval", "finance_review"]),
    # YL-12.2 技术审查 → YL-14 并联 → YL-12.3 资金审核 → YL-12.4 批复
    ("YL", "software_development", 3_000_000, ["initial_review", "co_review", "finance_review", "approval"]),
])
def test_each_packs_review_path(pack_id, project_class, yuan, path):
    assert path_of(PACKS[pack_id], project_class, yuan) == path


@pytest.mark.parametrize(("pack_id", "rules"), [
    ("YF", {"YF-8.2", "YF-7.2", "YF-7.3", "YF-8.3", "YF-8.4a"}), ("BZ", {"BZ-20", "BZ-21a", "BZ-15", "BZ-5b", "BZ-6", "BZ-21b"}),
    ("DY", {"DY-10.3a", "DY-11a"}), ("YL", {"YL-12.2", "YL-14", "YL-12.3", "YL-12.4"}),
])
def test_each_step_cites_its_rules(pack_id, rules):
    assert rules <= {r for step in PACKS[pack_id].review.steps for r in step.rules}


def test_a_path_without_an_approval_step_ends_in_the_bureaus_recorded_approval():
    bz = ["co_review", "initial_review", "committee_review", "finance_review", "external_approval"]
    assert after_opinion(bz, "external_approval", True, False, False).stage == "approval"  # BZ-21b recorded, then 批复
    dy = ["expert_review", "cost_review", "approval", "finance_review"]
    assert after_opinion(dy, "cost_review", True, False, False).outcome == "approval_due"  # DY-11a follows the bureau's opinion


@pytest.mark.parametrize(("pack_id", "years", "rule"), [("BY", 1, "BY-20.4b"), ("YF", 2, "YF-8.4b")])
def test_approval_validity_runs_from_the_approval_day(pack_id, years, rule):
    from datetime import date

    from policy.calendar import build_calendar
    from policy.timers import period_due

    pack = BY if pack_id == "BY" else PACKS[pack_id]
    validity = pack.review.approval_validity
    assert rule in validity.rules
    due = period_due(pack, validity, date(2026, 3, 2), build_calendar(None, allow_provisional=True)).due
    assert due == date(2026 + years, 3, 2)


def test_yf_25_dy_29_these_projects_are_not_approved_as_basic_construction():
    for pack_id, rule in (("YF", "YF-25"), ("DY", "DY-29")):
        amounts = Amounts(declared_amount=900_000, investment_estimate=900_000, total_investment=900_000, investment_quota=900_000,
                          budget_amount=900_000)
        decided = classify(PACKS[pack_id], ProjectFacts(project_type="software_development", amounts=amounts))
        assert decided.regime == "approval" and rule in decided.rule_ids
