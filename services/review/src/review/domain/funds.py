"""The bureau's application for the funds of a project it runs itself (YF-7.4 公共类: 市政务服务数据管理局
将完成资金审核的公共类服务项目，按程序报市政府申请资金): once the finance bureau's fund review has passed,
once per project, within what the cost review fixed. The units apply for their own (YF-8.5, intake)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from servicekit.problems import Problem


@dataclass(frozen=True)
class FundCase:
    status: str
    flags: tuple[str, ...]
    passed_steps: frozenset[str]
    applied_on: date | None
    ceiling_yuan: int
    ceiling_basis: str
    """Which amount caps the application: the cost review's, else the plan review's, else the declared one."""


def fund_application_problems(rule, case: FundCase, amount_yuan: int, pack_id: str, after_zh: str = "") -> list[Problem]:
    """``after_zh``: the name of the step the application follows, as the bureau knows it (财政资金审核)."""
    if rule is None:
        return [Problem("project_id", f"pack {pack_id} has the bureau apply for no project's funds",
                        f"{pack_id} 规定未要求政数局为项目申请资金", (), 409)]
    rules = tuple(rule.rules)
    missing = [flag for flag in rule.flags if flag not in case.flags]
    if missing:
        return [Problem("project_id", f"the project is not declared {', '.join(missing)}: its unit applies for its own funds",
                        f"项目未申报为 {'、'.join(missing)}，资金由项目单位申请", rules, 409)]
    if case.applied_on is not None:
        return [Problem("project_id", f"the funds were applied for on {case.applied_on.isoformat()}",
                        f"已于 {case.applied_on.isoformat()} 申请资金", rules, 409)]
    problems = []
    if case.status == "rejected":
        problems.append(Problem("project_id", "the project was rejected: there are no funds to apply for",
                                "项目未通过评审，无资金可申请", rules, 409))
    elif rule.after not in case.passed_steps:
        problems.append(Problem("project_id", f"{rule.after} has not passed: funds are applied for after the fund review",
                                f"{after_zh or rule.after}尚未通过，完成后方可申请资金", rules, 409))
    if amount_yuan > case.ceiling_yuan:
        basis = case.ceiling_basis.replace("_", " ")
        problems.append(Problem("amount_yuan", f"{amount_yuan} 元 is more than the {basis} of {case.ceiling_yuan} 元",
                                f"申请金额 {amount_yuan} 元超过核定金额 {case.ceiling_yuan} 元", rules))
    return problems
