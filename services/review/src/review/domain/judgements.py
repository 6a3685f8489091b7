"""A reviewer's judgements on the pack's concerns (BY-11, BY-22, BZ-8 …): which apply at a stage and to
which projects, and what a found concern does to the opinion. The text leaves these to a person; the
platform records who found what, and draws the consequence the text does state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from servicekit.problems import Problem


@dataclass(frozen=True)
class Judgement:
    key: str
    found: bool
    note: str | None = None


@dataclass(frozen=True)
class Verdict:
    refusing_rules: tuple[str, ...]
    """Rules of 不予立项 items found: the project ends now, whatever the round (BY-22, BZ-8)."""
    failing_rules: tuple[str, ...]
    """Rules of other concerns found: the opinion cannot pass."""
    advisory_rules: tuple[str, ...] = ()
    """Rules of encouragements found (BY-58): advice kept with the opinion, which it neither fails nor ends."""


Effect = Literal["refuses", "fails", "advises"]


def effect_of(decision) -> Effect:
    """What finding the concern does: ends the project, fails the opinion, or only advises the unit."""
    return "refuses" if decision.refuses else "advises" if decision.advisory else "fails"


def judge(decisions: Sequence, judgements: Sequence[Judgement], stage: str, result: str,
          flags: Sequence[str] = ()) -> tuple[Verdict | None, Problem | None]:
    """The verdict of ``judgements`` at ``stage`` on a project with ``flags``, or the problem with them."""
    by_key = {d.key: d for d in decisions}
    seen = set()
    refusing, failing, advisory = [], [], []
    for i, item in enumerate(judgements):
        decision = by_key.get(item.key)
        if decision is None:
            return None, Problem(f"judgements[{i}].key", f"{item.key} is not a concern of this pack; it has {', '.join(sorted(by_key)) or 'none'}",
                                 f"{item.key} 不是本办法规定的审查事项", ())
        if decision.stages and stage not in decision.stages:
            return None, Problem(f"judgements[{i}].key", f"{item.key} is judged at {', '.join(decision.stages)}, not {stage}",
                                 f"{item.key} 应在 {'、'.join(decision.stages)} 环节审查", tuple(decision.rules))
        missing = [flag for flag in decision.flags if flag not in flags]
        if missing:
            return None, Problem(f"judgements[{i}].key", f"{item.key} concerns only a project declared {', '.join(decision.flags)}",
                                 f"{item.key} 仅适用于申报为 {'、'.join(decision.flags)} 的项目", tuple(decision.rules))
        if item.key in seen:
            return None, Problem(f"judgements[{i}].key", f"{item.key} is judged twice", f"{item.key} 重复", tuple(decision.rules))
        seen.add(item.key)
        if not item.found:
            continue
        effect = effect_of(decision)
        if effect == "advises" and not item.note:
            # the advice is what the unit reads; a bare "found" tells it nothing
            return None, Problem(f"judgements[{i}].note", f"{item.key} found: the note states the advice to the unit",
                                 f"{item.key}：请在说明中写明给项目单位的建议", tuple(decision.rules))
        {"refuses": refusing, "fails": failing, "advises": advisory}[effect].extend(decision.rules)
    if (refusing or failing) and result == "passed":
        rules = tuple(dict.fromkeys(refusing + failing))
        return None, Problem("result", "result: an opinion that finds a concern cannot pass the project",
                             "result：审查发现问题的，意见不得为通过", rules)
    return Verdict(tuple(dict.fromkeys(refusing)), tuple(dict.fromkeys(failing)), tuple(dict.fromkeys(advisory))), None


def recorded(decisions: Sequence, judgements: Sequence[Judgement]) -> list[dict]:
    """The judgements as the round keeps them: each with the rules it rests on and what finding it does,
    so whoever reads the opinion sees an advice as an advice (BY-58) and a refusal as a refusal."""
    by_key = {d.key: d for d in decisions}
    return [{"key": j.key, "found": j.found, "note": j.note, "rule_ids": list(by_key[j.key].rules),
             "effect": effect_of(by_key[j.key])} for j in judgements]
