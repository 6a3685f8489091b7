"""A reviewer's judgements on the pack's concerns (BY-11, BY-22, BZ-8 …): which apply at a stage, and
what a found concern does to the opinion. The text leaves these to a person; the platform records
who found what, and draws the consequence the text does state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Judgement:
    key: str
    found: bool
    note: str | None = None


@dataclass(frozen=True)
class Problem:
    field: str
    en: str
    zh: str
    rule_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    refusing_rules: tuple[str, ...]
    """Rules of 不予立项 items found: the project ends now, whatever the round (BY-22, BZ-8)."""
    failing_rules: tuple[str, ...]
    """Rules of other concerns found: the opinion cannot pass."""


def judge(decisions: Sequence, judgements: Sequence[Judgement], stage: str, result: str) -> tuple[Verdict | None, Problem | None]:
    """The verdict of ``judgements`` at ``stage``, or the problem with them."""
    by_key = {d.key: d for d in decisions}
    seen = set()
    refusing, failing = [], []
    for i, item in enumerate(judgements):
        decision = by_key.get(item.key)
        if decision is None:
            return None, Problem(f"judgements[{i}].key", f"{item.key} is not a concern of this pack; it has {', '.join(sorted(by_key)) or 'none'}",
                                 f"{item.key} 不是本办法规定的审查事项")
        if decision.stages and stage not in decision.stages:
            return None, Problem(f"judgements[{i}].key", f"{item.key} is judged at {', '.join(decision.stages)}, not {stage}",
                                 f"{item.key} 应在 {'、'.join(decision.stages)} 环节审查", tuple(decision.rules))
        if item.key in seen:
            return None, Problem(f"judgements[{i}].key", f"{item.key} is judged twice", f"{item.key} 重复", tuple(decision.rules))
        seen.add(item.key)
        if item.found:
            (refusing if decision.refuses else failing).extend(decision.rules)
    if (refusing or failing) and result == "passed":
        rules = tuple(dict.fromkeys(refusing + failing))
        return None, Problem("result", "result: an opinion that finds a concern cannot pass the project",
                             "result：审查发现问题的，意见不得为通过", rules)
    return Verdict(tuple(dict.fromkeys(refusing)), tuple(dict.fromkeys(failing))), None
