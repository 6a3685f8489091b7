"""The common shape of every decision: it explains itself.

A decision names the pack id and version it applied, the rules it rests on, the inputs it read,
and each reason in English and Chinese, so a reviewer can check it against the regulation and a
unit can read why without asking.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from policy.facts import Amounts, Override, PolicyInputError
from policy.schema import Pack, Threshold


class Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Reason(Model):
    rule_ids: tuple[str, ...]
    en: str
    zh: str
    inferred: bool = False


class ThresholdCheck(Model):
    """One amount line applied: which amount, which line, 含 or 不含, and the result."""

    rule_ids: tuple[str, ...]
    basis: str
    amount_yuan: int
    line_yuan: int
    inclusive: bool
    reached: bool
    inferred: bool = False

    @classmethod
    def apply(cls, threshold: Threshold, amounts: Amounts) -> ThresholdCheck:
        amount = amounts.require(threshold)
        return cls(
            rule_ids=threshold.rules, basis=threshold.basis, amount_yuan=amount, line_yuan=threshold.yuan,
            inclusive=threshold.inclusive, reached=threshold.reached(amount),
            inferred=threshold.inferred or threshold.inclusive_inferred,
        )


class Decision(Model):
    pack_id: str
    pack_version: str
    rule_ids: tuple[str, ...]
    inputs: dict[str, Any]
    reasons: tuple[Reason, ...] = ()
    overrides: tuple[Override, ...] = ()


def rules_of(*groups: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Rule IDs in first-cited order without repeats."""
    seen: dict[str, None] = {}
    for group in groups:
        for rule in group:
            seen.setdefault(rule, None)
    return tuple(seen)


def check_overrides(pack: Pack, overrides: tuple[Override, ...] | list[Override]) -> dict[str, Override]:
    """Overrides by rule ID, refusing any for a rule the pack does not mark 原则上 (A-10)."""
    allowed = set(pack.overridable.rules)
    by_rule: dict[str, Override] = {}
    for i, override in enumerate(overrides):
        if override.rule_id not in allowed:
            raise PolicyInputError(
                f"overrides[{i}].rule_id",
                f"{override.rule_id} is not a 原则上 rule of pack {pack.id}@{pack.version}, so it cannot be overridden;"
                f" overridable: {', '.join(sorted(allowed)) or 'none'}",
                f"{override.rule_id} 不是 {pack.id}@{pack.version} 中“原则上”的规定，不能例外处理",
                (override.rule_id,),
            )
        by_rule[override.rule_id] = override
    return by_rule
