"""The final review's judgements on the pack's acceptance concerns: obligations a person judges
(BY-29.4, BY-56, BY-57, BY-49, BZ-10, BZ-32a, BZ-45, YL-18a, YL-18c). The text states no
consequence beyond acceptance itself, so a concern found means the review cannot pass, and a failed
review keeps the rules of what it found. Review judges its own concerns the same way, with stages,
project flags and refusals acceptance has none of; the two stay apart so each can follow its text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from policy.schema import Pack
from servicekit.problems import Problem


@dataclass(frozen=True)
class Judgement:
    key: str
    found: bool
    note: str | None = None


def judge_concerns(pack: Pack, judgements: Sequence[Judgement], result: str) -> tuple[tuple[str, ...], Problem | None]:
    """The rules of the concerns ``judgements`` found, each once, or the first problem with them."""
    by_key = {c.key: c for c in pack.acceptance.concerns}
    seen: set[str] = set()
    found = []
    for i, item in enumerate(judgements):
        concern = by_key.get(item.key)
        if concern is None:
            return (), Problem(f"judgements[{i}].key",
                               f"{item.key} is not an acceptance concern of {pack.id}; it has {', '.join(sorted(by_key)) or 'none'}",
                               f"{item.key} 不是本办法规定的验收事项（可选：{'、'.join(sorted(by_key)) or '无'}）",
                               pack.acceptance.failed_rules)
        if item.key in seen:
            return (), Problem(f"judgements[{i}].key", f"{item.key} is judged twice", f"{item.key} 重复", tuple(concern.rules))
        seen.add(item.key)
        if item.found:
            found.append(concern)
    rules = tuple(dict.fromkeys(r for c in found for r in c.rules))
    if rules and result == "passed":
        return (), Problem("result", f"a final review that finds a concern ({', '.join(c.key for c in found)}) cannot pass",
                           f"终验发现问题（{'；'.join(c.zh for c in found)}）的，不得通过", rules)
    return rules, None


def concerns_of(pack: Pack) -> list[dict]:
    """What the final review judges, as the unit and the experts read it."""
    return [{"key": c.key, "rule_ids": list(c.rules), "en": c.en, "zh": c.zh} for c in pack.acceptance.concerns]
