"""The bureau applies for a 公共类 project's funds once the fund review passed (YF-7.4); the units apply for
their own (YF-8.5), and packs without the rule have the bureau apply for none."""

from datetime import date

import pytest

from policy.packs import get_pack

from review.domain.funds import FundCase, fund_application_problems

YF, BY = get_pack("YF", "2020.1"), get_pack("BY", "2024.1")
RULE = YF.review.fund_application
FUND_REVIEWED = frozenset({"cost_review", "expert_review", "finance_review"})


def case(flags=("public_class",), passed=FUND_REVIEWED, applied_on=None, status="open", ceiling=3_000_000) -> FundCase:
    return FundCase(status, flags, passed, applied_on, ceiling, "reviewed_amount")


def test_yf_7_4_the_bureau_applies_for_a_public_project_once_its_fund_review_passed():
    """YF-7.4: 市政务服务数据管理局将完成资金审核的公共类服务项目，按程序报市政府申请资金."""
    assert RULE.addressee_zh == "市政府" and RULE.rules == ("YF-7.4",)
    assert fund_application_problems(RULE, case(), 3_000_000, "YF") == []
    assert fund_application_problems(RULE, case(status="approved"), 1, "YF") == []  # approval is not what it waits for


@pytest.mark.parametrize(("facts", "amount", "field", "status"), [
    (case(passed=frozenset({"cost_review", "expert_review"})), 1_000_000, "project_id", 409),  # fund review still open
    (case(flags=()), 1_000_000, "project_id", 409),  # 专业类: the unit applies (YF-8.5)
    (case(applied_on=date(2027, 3, 1)), 1_000_000, "project_id", 409),  # once
    (case(status="rejected"), 1_000_000, "project_id", 409),
    (case(), 3_000_001, "amount_yuan", 422),  # within what the cost review fixed
])
def test_yf_7_4_the_application_is_refused_naming_the_field(facts, amount, field, status):
    """YF-7.4: only a 公共类 project, after the fund review, once, within the reviewed amount."""
    (problem, *_) = fund_application_problems(RULE, facts, amount, "YF")
    assert (problem.field, problem.status, problem.rule_ids) == (field, status, ("YF-7.4",)) and problem.zh


def test_yf_7_4_a_pack_without_the_rule_has_the_bureau_apply_for_nothing():
    """YF-7.4 is 云浮's: 白云 approves the budget with the project and names no fund application."""
    assert BY.review.fund_application is None
    (problem,) = fund_application_problems(None, case(), 1, "BY")
    assert problem.status == 409 and problem.rule_ids == ()
