"""Checks of a change filing beyond the amount tiers that ``policy.changes`` applies (RULES.md §3.6)."""

from __future__ import annotations

from policy.changes import ChangeDecision
from policy.sanctions import sanctions_for
from policy.schema import Pack

from servicekit.problems import Problem, yuan


def stated_totals(added_fen: int, cancelled_fen: int, stated_added_fen: int | None, stated_cancelled_fen: int | None,
                  measure_rules: tuple[str, ...]) -> list[Problem]:
    """The totals written on the change form (变更单, 变更清单) must be the sums of its lines."""
    problems = []
    for name, zh, lines, stated in (("added", "新增", added_fen, stated_added_fen),
                                    ("cancelled", "取消", cancelled_fen, stated_cancelled_fen)):
        if stated is not None and stated != lines:
            problems.append(Problem(f"totals.{name}_yuan", f"the stated {name} total {yuan(stated)} is not the sum of the "
                                    f"{name} lines, {yuan(lines)}", f"{zh}合计 {yuan(stated)} 与各{zh}明细之和 {yuan(lines)} 不符",
                                    measure_rules))
    return problems


def budget_adjustment_refused(pack: Pack, kind: str, after_the_fact: bool) -> Problem | None:
    """BZ-25b: after an unapproved major change, no post-hoc budget adjustment (事后调概) is accepted."""
    facts = {"kind": kind, "after_the_fact": after_the_fact}
    for sanction in sanctions_for(pack, "ChangeFiled", facts).sanctions:
        if sanction.effect == "budget_adjustment_refused":
            return Problem("kind", sanction.message_en, sanction.message_zh, sanction.rule_ids, status=409)
    return None


def refusal(decision: ChangeDecision) -> Problem | None:
    """A change the pack refuses outright (BY-33.1, DY-17) as one problem with every reason."""
    if not decision.refusals:
        return None
    return Problem("lines", "; ".join(r.en for r in decision.refusals), "；".join(r.zh for r in decision.refusals),
                   tuple(dict.fromkeys(i for r in decision.refusals for i in r.rule_ids)))
