"""What must be done before each acceptance step may happen, per pack (RULES.md §3.8).

Pure: the service states where the project stands, these functions say what stands in the way,
each with its field and rule.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date

from policy.calendar import WorkingDayCalendar
from policy.schema import Pack, Threshold
from policy.timers import period_due
from servicekit.problems import Problem

BUILD = "build_develop"
WORKFLOW_KEYS = frozenset({
    "initial_acceptance", "pre_acceptance", "pre_acceptance_review", "trial_run", "compliance_review", "system_logs",
    "final_expert_review", "final_internal_review", "expert_review", "data_aggregation",
    "acceptance_filing", "materials_upload", "upper_level_result_filing",
})
"""What approval owes that the acceptance steps themselves record (a meeting, the trial run, the compliance
request and its logs, the filing after passing); everything else owed is evidence filed before the final review."""
PAPERS_ZH = {"login_logs": "须附系统登录日志", "operation_logs": "须附业务功能操作日志", "self_evaluation": "须附效能自评估报告"}


@dataclass(frozen=True)
class Owed:
    key: str
    status: str
    rule_ids: tuple[str, ...]


@dataclass(frozen=True)
class Standing:
    """Where a project's acceptance stands."""

    project_class: str | None
    contract_amount_yuan: int
    initial_passed_on: date | None = None
    data_confirmed: bool = False
    compliance: str | None = None
    evidence: Collection[str] = ()
    owed: Sequence[Owed] = field(default_factory=tuple)
    """What approval fixed for the acceptance stage (BY-43 等保, YL-24/25, YL-28 …)."""
    regime: str | None = None
    applied: bool = False
    """The unit applied for the acceptance the bureau organises (DY-20a, YL-22a)."""


def application_owed(pack: Pack, standing: Standing) -> bool:
    """Whether the bureau organises this project's final acceptance on the unit's application (DY-20a, YL-22a)."""
    application = pack.acceptance.application
    return application is not None and (not application.regimes or standing.regime in application.regimes)


def _expert_needed(line: Threshold | None, contract_yuan: int) -> bool:
    return line is not None and line.reached(contract_yuan)


def initial_mode_problem(pack: Pack, standing: Standing, mode: str) -> Problem | None:
    """BY-39.1/39.2: at 合同金额 ≥50万 initial acceptance is an expert meeting."""
    initial = pack.acceptance.initial
    if initial is not None and mode == "internal_meeting" and _expert_needed(initial.expert_line, standing.contract_amount_yuan):
        return Problem("mode", f"a contract amount of {standing.contract_amount_yuan:,}元 needs an expert review meeting",
                       f"合同金额 {standing.contract_amount_yuan:,} 元，须组织专家评审会", initial.expert_line.rules)  # type: ignore[union-attr]
    return None


def trial_run_ends(pack: Pack, standing: Standing, calendar: WorkingDayCalendar) -> date | None:
    """The earliest day the trial run has lasted its minimum (BY-41, BZ-28a)."""
    minimum = pack.acceptance.trial_run_min
    if minimum is None or standing.initial_passed_on is None:
        return None
    return period_due(pack, minimum, standing.initial_passed_on, calendar).due


def final_review_problems(pack: Pack, standing: Standing, concluded_on: date, mode: str | None,
                          calendar: WorkingDayCalendar, result: str = "passed") -> list[Problem]:
    """Everything that stands before a final review (终验) concluded on ``concluded_on``. Data and
    evidence stand only before a pass: their absence is what a failure may rest on (YL-27.7)."""
    acc = pack.acceptance
    problems: list[Problem] = []
    initial = acc.initial
    if initial is not None and standing.project_class in initial.mandatory_types and standing.initial_passed_on is None:
        problems.append(Problem("project_id", "initial acceptance has not passed; a build project is accepted initially first",
                                "尚未通过初步验收，建设开发类项目须先初验", initial.rules, status=409))
    minimum = acc.trial_run_min
    trial_owed = any(o.key == "trial_run" and o.status == "required" for o in standing.owed)
    initial_owed = initial is not None and standing.project_class in initial.mandatory_types
    if minimum is not None and (trial_owed or initial_owed or standing.initial_passed_on is not None):
        ends = trial_run_ends(pack, standing, calendar)
        if ends is None:
            problems.append(Problem("project_id", "no trial run has started: it starts when initial acceptance (or pre-acceptance) "
                                    "passes", "试运行尚未开始（自初验或预验收通过起算）", minimum.rules, status=409))
        elif concluded_on < ends:
            problems.append(Problem("concluded_on", f"the trial run lasts until at least {ends}: {minimum.length} "
                                    f"{minimum.unit.replace('_', ' ')} from {standing.initial_passed_on}",
                                    f"试运行须满 {minimum.length} 个月（自 {standing.initial_passed_on} 起，至少至 {ends}）",
                                    minimum.rules, status=409))
    if acc.compliance_review is not None and standing.compliance != "consent":
        state = "was refused" if standing.compliance == "refused" else "has not been given"
        problems.append(Problem("project_id", f"the bureau's compliance opinion {state}; final acceptance waits for its consent",
                                "符合性审核尚未获政数局同意，不得组织终验", acc.compliance_review.rules, status=409))
    if result != "passed":
        problems += _mode_problem(pack, standing, mode)
        return problems
    if application_owed(pack, standing) and not standing.applied:
        problems.append(Problem("project_id", "the unit has not applied for acceptance: the bureau organises it on the unit's "
                                "written application", "项目单位尚未向主管部门提出验收申请", pack.acceptance.application.rules,  # type: ignore[union-attr]
                                status=409))
    data = next((o for o in standing.owed if o.key == "data_aggregation" and o.status == "required"), None)
    if data is not None and not standing.data_confirmed:
        problems.append(Problem("project_id", "the project's data are not confirmed aggregated", "项目数据尚未完成汇聚确认",
                                data.rule_ids, status=409))
    missing = [o for o in standing.owed if o.status == "required" and o.key not in WORKFLOW_KEYS and o.key not in standing.evidence]
    for owed in missing:
        problems.append(Problem("evidence", f"{owed.key} is owed before final acceptance", f"终验前须提交 {owed.key}",
                                owed.rule_ids, status=409))
    return problems + _mode_problem(pack, standing, mode)


def _mode_problem(pack: Pack, standing: Standing, mode: str | None) -> list[Problem]:
    line = pack.acceptance.final_expert_line
    if mode == "internal_meeting" and _expert_needed(line, standing.contract_amount_yuan):
        return [Problem("mode", f"a contract amount of {standing.contract_amount_yuan:,}元 needs an expert review meeting",
                        f"合同金额 {standing.contract_amount_yuan:,} 元，终验须组织专家评审会", line.rules)]  # type: ignore[union-attr]
    return []


def compliance_request_problems(pack: Pack, standing: Standing, document_roles: Collection[str]) -> list[Problem]:
    """BY-45a/45b: the written request brings logs for a build project, the self-evaluation otherwise."""
    review = pack.acceptance.compliance_review
    if review is None:
        return [Problem("project_id", "this pack has no pre-final compliance review", "本地规定未设符合性审核",
                        pack.acceptance.passed_rules, status=409)]
    problems = []
    if "written_request" not in document_roles:
        problems.append(Problem("documents", "the request is made in writing", "须书面申请符合性审核", review.rules))
    papers = pack.acceptance.compliance_papers
    if papers is not None:
        needed = papers.build_develop if standing.project_class == BUILD else papers.other
        for role in needed:
            if role not in document_roles:
                problems.append(Problem("documents", f"the request brings the {role.replace('_', ' ')}",
                                        PAPERS_ZH.get(role, role), papers.rules))
    return problems


APPLICATION_PAPERS = {"written_request": ("the written application", "须附书面验收申请"),
                      "acceptance_report": ("the initial-acceptance report", "须附初步验收报告及材料")}


def application_problems(pack: Pack, standing: Standing, document_roles: Collection[str], self_evaluation_owed: Owed | None,
                         completed: bool) -> list[Problem]:
    """DY-20a: after its own initial acceptance the unit applies with the acceptance and initial-acceptance
    materials (and DY-20c's self-evaluation at 总投资 ≥200万); YL-22a: once the content is built."""
    application = pack.acceptance.application
    if not application_owed(pack, standing):
        organisers = tuple(dict.fromkeys(r for o in pack.acceptance.organisers for r in o.rules))
        return [Problem("project_id", "the unit organises this project's final acceptance itself: there is nothing to apply for",
                        "本项目由项目单位自行组织验收，无需申请", organisers or pack.acceptance.passed_rules, status=409)]
    assert application is not None
    if standing.applied:
        return [Problem("project_id", "the unit has already applied for acceptance", "已提出验收申请", application.rules, status=409)]
    if application.after == "initial_acceptance" and standing.initial_passed_on is None:
        rules = tuple(dict.fromkeys([*application.rules, *(pack.acceptance.initial.rules if pack.acceptance.initial else ())]))
        return [Problem("project_id", "initial acceptance has not passed: the application follows it", "初步验收尚未通过，不能申请验收",
                        rules, status=409)]
    if application.after == "completion" and not completed:
        return [Problem("project_id", "the content is not declared built: the application follows completion",
                        "尚未申报建成，不能申请验收", application.rules, status=409)]
    needed = ["written_request"] + (["acceptance_report"] if application.after == "initial_acceptance" else [])
    problems = [Problem("documents", f"the application brings {APPLICATION_PAPERS[role][0]}", APPLICATION_PAPERS[role][1],
                        application.rules) for role in needed if role not in document_roles]
    if self_evaluation_owed is not None and "self_evaluation" not in document_roles:
        problems.append(Problem("documents", "the application brings the performance self-evaluation report",
                                "须随验收申请提交绩效自评报告", self_evaluation_owed.rule_ids))
    return problems
