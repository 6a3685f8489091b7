"""The unit's application for the funds of its approved project (YF-8.5 专业类: 市直各单位将完成资金
审核的立项项目，按程序报市政府申请资金): once the approval opinion is out and the finance bureau's fund
review passed, once per project, for no more than was approved. 公共类 funds are the bureau's to
apply for (YF-7.4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from policy.schema import FundApplication
from servicekit.problems import Problem


@dataclass(frozen=True)
class FundState:
    status: str
    flags: tuple[str, ...]
    fund_review_passed_on: date | None
    approved_amount_yuan: int | None
    applied_on: date | None


def fund_application_problems(state: FundState, amount_yuan: int, rule: FundApplication | None, pack_id: str) -> list[Problem]:
    if rule is None:
        return [Problem("project_id", f"pack {pack_id} has the unit apply for no funds after approval",
                        f"{pack_id} 规定未要求项目单位在立项后另行申请资金", (), 409)]
    rules = tuple(rule.rules)
    others = [flag for flag in rule.unless_flags if flag in state.flags]
    if others:
        return [Problem("project_id", f"a project flagged {', '.join(others)} has its funds applied for by the bureau, not the unit",
                        f"标注 {'、'.join(others)} 的项目不由项目单位申请资金（公共类由主管部门申请）", rules, 409)]
    if state.applied_on is not None:
        return [Problem("project_id", f"the funds were applied for on {state.applied_on.isoformat()}",
                        f"已于 {state.applied_on.isoformat()} 申请资金", rules, 409)]
    problems = []
    if state.status != "approved":
        problems.append(Problem("project_id", f"the project is {state.status}: funds are applied for once it is approved",
                                "项目尚未取得立项审批意见，取得后方可申请资金", rules, 409))
    if state.fund_review_passed_on is None:
        problems.append(Problem("project_id", "the finance bureau's fund review has not passed",
                                "项目尚未完成财政局资金审核", rules, 409))
    if state.approved_amount_yuan is not None and amount_yuan > state.approved_amount_yuan:
        problems.append(Problem("amount_yuan", f"{amount_yuan} 元 is more than the {state.approved_amount_yuan} 元 approved",
                                f"申请金额 {amount_yuan} 元超过立项审批金额 {state.approved_amount_yuan} 元", rules))
    return problems
