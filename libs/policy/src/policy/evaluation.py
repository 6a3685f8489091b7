"""Evaluation requirements (RULES.md §3.9; A-14, A-18)."""

from __future__ import annotations

from policy.classification import ClassificationDecision
from policy.conditions import evaluate
from policy.decisions import Decision, Model, Reason, ThresholdCheck, rules_of
from policy.facts import ProjectFacts
from policy.schema import Grade, Pack, Period


class EvaluationDuty(Model):
    kind: str
    """``self`` or ``third_party``."""
    status: str
    """``required``, ``discretionary``, ``pending`` (an amount is not known yet) or ``not_required``."""
    timing: str | None
    by: str | None
    opens: Period | None
    due: Period | None
    rule_ids: tuple[str, ...]
    why: str
    why_zh: str
    missing: tuple[str, ...] = ()
    thresholds: tuple[ThresholdCheck, ...] = ()


class EvaluationDecision(Decision):
    duties: tuple[EvaluationDuty, ...]
    grades: tuple[Grade, ...]
    ban_year_basis: str | None


def evaluation_requirements(pack: Pack, facts: ProjectFacts, classification: ClassificationDecision) -> EvaluationDecision:
    duties: list[EvaluationDuty] = []
    for entry in pack.evaluation.self_evaluation:
        outcome = evaluate(entry.when, facts, classification.regime, classification.track)
        status = "pending" if outcome.holds is None else "required" if outcome.holds else "not_required"
        duties.append(EvaluationDuty(kind="self", status=status, timing=entry.timing, by="unit", opens=entry.opens, due=entry.due,
                                     rule_ids=entry.rules, why="; ".join(outcome.en) or "always", why_zh="；".join(outcome.zh) or "一律适用",
                                     missing=tuple(outcome.missing), thresholds=tuple(outcome.checks)))
    for entry in pack.evaluation.third_party:
        outcome = evaluate(entry.when, facts, classification.regime, classification.track)
        held = "required" if entry.mode == "mandatory" else "discretionary"
        status = "pending" if outcome.holds is None else held if outcome.holds else "not_required"
        duties.append(EvaluationDuty(kind="third_party", status=status, timing=None, by=entry.by, opens=entry.opens, due=entry.due,
                                     rule_ids=entry.rules, why="; ".join(outcome.en) or "always", why_zh="；".join(outcome.zh) or "一律适用",
                                     missing=tuple(outcome.missing), thresholds=tuple(outcome.checks)))
    reasons = tuple(Reason(rule_ids=d.rule_ids, en=f"{d.kind} evaluation {d.status}: {d.why}", zh=f"{d.kind} 评估 {d.status}：{d.why_zh}")
                    for d in duties if d.status != "not_required")
    reasons += tuple(Reason(rule_ids=g.rules, en=f"grade {g.key}: {g.consequence}", zh=f"{g.name_zh}：{g.consequence_zh}")
                     for g in pack.evaluation.grades if g.consequence)
    return EvaluationDecision(
        pack_id=pack.id, pack_version=pack.version, inputs=classification.inputs,
        rule_ids=rules_of(*(r.rule_ids for r in reasons)), reasons=reasons, duties=tuple(duties),
        grades=pack.evaluation.grades, ban_year_basis=pack.evaluation.ban_year_basis,
    )
