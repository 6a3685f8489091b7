"""Documents, steps and evidence a project owes at each stage under a pack."""

from __future__ import annotations

from typing import Literal

from policy.classification import ClassificationDecision, classify
from policy.conditions import evaluate
from policy.decisions import Decision, Model, Reason, ThresholdCheck, rules_of
from policy.facts import ProjectFacts
from policy.schema import Pack, Stage

Status = Literal["required", "optional", "not_required", "pending"]
STAGES: tuple[Stage, ...] = ("planning", "declaration", "scheme", "review", "procurement", "implementation", "acceptance", "evaluation")


class RequirementOutcome(Model):
    stage: Stage
    kind: Literal["document", "step", "evidence"]
    key: str
    name_zh: str
    status: Status
    """``pending``: the condition needs an amount not known yet (see ``missing``)."""
    rule_ids: tuple[str, ...]
    overridable: bool
    inferred: bool
    why: str
    why_zh: str
    missing: tuple[str, ...] = ()
    thresholds: tuple[ThresholdCheck, ...] = ()
    note: str | None = None


class RequirementsDecision(Decision):
    regime: str
    track: str | None
    items: tuple[RequirementOutcome, ...]

    def owed(self) -> tuple[RequirementOutcome, ...]:
        return tuple(i for i in self.items if i.status == "required")


def requirements(pack: Pack, facts: ProjectFacts, stage: Stage | None = None,
                 classification: ClassificationDecision | None = None) -> RequirementsDecision:
    """What the project owes at ``stage`` (every stage when None), each with the rule and the reason."""
    decided = classification or classify(pack, facts)
    items: list[RequirementOutcome] = []
    for req in pack.requirements:
        if stage is not None and req.stage != stage:
            continue
        outcome = evaluate(req.when, facts, decided.regime, decided.track)
        if outcome.holds is None:
            status: Status = "pending"
        elif outcome.holds:
            status = "required" if req.mandatory else "optional"
        else:
            status = "not_required"
        # Outside the pack nothing is owed but the duties written for that case (DY-2.1b).
        if not decided.in_scope and req.when.regimes is None:
            status = "not_required"
            outcome.en.append(f"the project is {decided.regime}")
            outcome.zh.append(f"项目{decided.regime_zh}")
        items.append(RequirementOutcome(
            stage=req.stage, kind=req.kind, key=req.key, name_zh=req.name_zh, status=status, rule_ids=req.rules,
            overridable=req.overridable, inferred=req.inferred or any(c.inferred for c in outcome.checks),
            why="; ".join(outcome.en) or "always", why_zh="；".join(outcome.zh) or "一律适用",
            missing=tuple(outcome.missing), thresholds=tuple(outcome.checks), note=req.note,
        ))
    reasons = tuple(
        Reason(rule_ids=i.rule_ids, en=f"{i.status}: {i.key} — {i.why}", zh=f"{i.name_zh}：{i.why_zh}", inferred=i.inferred)
        for i in items if i.status in ("required", "pending")
    )
    return RequirementsDecision(
        pack_id=pack.id, pack_version=pack.version, inputs={**decided.inputs, "stage": stage},
        rule_ids=rules_of(*(i.rule_ids for i in items if i.status in ("required", "optional", "pending"))),
        reasons=reasons, regime=decided.regime, track=decided.track, items=tuple(items),
    )
