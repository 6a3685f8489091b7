"""What follows from an event, per pack (RULES.md §3.10.1, the sanction matrix).

Pure functions: given a pack and the facts of an event, the sanctions that follow and
what lifts each. The services apply them: intake keeps unit blocks, procurement keeps
finance holds and terminations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from policy.packs import Pack

Effect = Literal["unit_block", "finance_hold", "terminate_project"]


@dataclass(frozen=True)
class Sanction:
    effect: Effect
    rule_ids: tuple[str, ...]
    scope: str
    """Block scope (``all_new_projects``, ``upgrade_of_project`` …) or hold scope (``remaining`` …)."""
    lifted_by: str | None
    """The event that lifts it (``AcceptancePassed``), or None when the rules name none."""
    lift_inferred: bool
    """The release is our reading where the text is silent (RULES.md A-19)."""
    message_en: str
    message_zh: str


def final_review_outcome(pack: Pack, attempt: int) -> tuple[bool, str]:
    """Whether failing final review ``attempt`` ends the project, and the rule that says so.

    BY-47.3a: a first failure gives a rectification period and one re-review; BY-47.3b: the
    re-review failing terminates the project or sub-project. Packs without a limit (A-22)
    allow re-review after rectification without end (DY-23).
    """
    if attempt < 1:
        raise ValueError("attempt starts at 1")
    limit = pack.final_acceptance_max_attempts
    terminal = limit is not None and attempt >= limit
    if pack.id == "BY":
        return terminal, "BY-47.3b" if terminal else "BY-47.3a"
    rule = {"BZ": "BZ-29", "DY": "DY-22", "YL": "YL-27", "YF": "YF-18b"}[pack.id]
    return terminal, rule


def final_review_pass_rule(pack: Pack) -> str:
    """The rule a passed final review is concluded under (BY-47a: review against the approved scheme)."""
    return "BY-47a" if pack.id == "BY" else final_review_outcome(pack, 1)[1]


def after_acceptance_failed(pack: Pack, *, terminal: bool) -> tuple[Sanction, ...]:
    """Sanctions that a failed final acceptance (``AcceptanceFailed``) sets off under ``pack``."""
    if pack.id == "BY":
        sanctions = [
            Sanction(
                "unit_block", ("BY-22.8",), "upgrade_of_project", "AcceptancePassed", False,
                "An upgrade of a build project that has not passed final acceptance is not approved",
                "前期建设开发类项目未通过终验的，其升级改造项目不予立项",
            )
        ]
        if terminal:
            sanctions += [
                Sanction(
                    "terminate_project", ("BY-47.3b", "BY-37.2"), "project", None, False,
                    "The re-review also failed: the project or sub-project is terminated",
                    "复验仍不通过，项目或子项目终止",
                ),
                Sanction(
                    "finance_hold", ("BY-38b", "BY-47.3b"), "recover_remaining", None, False,
                    "The project is terminated: remaining funds are recovered",
                    "项目终止，收回剩余资金",
                ),
            ]
        return tuple(sanctions)
    if pack.id == "BZ":
        return (
            Sanction(
                "unit_block", ("BZ-30",), "all_new_projects", "AcceptancePassed", True,
                "A project of the unit failed acceptance: the unit may not have new projects approved",
                "项目未通过验收，项目建设单位不得新增项目",
            ),
            Sanction(
                "finance_hold", ("BZ-30",), "no_om_funding", "AcceptancePassed", True,
                "A project that failed acceptance gets no O&M funding",
                "未通过验收的项目不安排运维经费",
            ),
        )
    if pack.id == "DY":
        return (
            Sanction(
                "finance_hold", ("DY-24",), "remaining", "AcceptancePassed", True,
                "A project that has not passed acceptance gets no remaining funds",
                "项目未通过验收，不予拨付余款",
            ),
        )
    return ()


def lifted_by_acceptance_passed(pack: Pack) -> tuple[Sanction, ...]:
    """The sanctions of an earlier failure that a later ``AcceptancePassed`` lifts."""
    return tuple(s for s in after_acceptance_failed(pack, terminal=False) if s.lifted_by == "AcceptancePassed")
