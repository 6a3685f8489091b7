"""Acceptance requirements (RULES.md §3.8; A-15, A-16, A-21, A-22, A-25)."""

from __future__ import annotations

from typing import Literal

from policy.classification import ClassificationDecision
from policy.conditions import evaluate, threshold_words
from policy.decisions import Decision, Reason, ThresholdCheck, rules_of
from policy.facts import PolicyInputError, ProjectFacts
from policy.requirements import RequirementOutcome, requirements
from policy.schema import Deferral, Pack, Period, Prompt

ReviewMode = Literal["expert_meeting", "internal_or_expert", "not_set"]


class AcceptanceDecision(Decision):
    organiser: str
    organiser_zh: str
    initial_acceptance: Literal["required", "optional", "none"]
    initial_mode: ReviewMode | Literal["pending"]
    initial_filing_deadline: Period | None
    trial_run_min: Period | None
    final_mode: ReviewMode | Literal["pending"]
    compliance_review_required: bool
    max_final_attempts: int | None
    rectification: Period | Prompt | None
    application_deadline: Period | None
    deferral: Deferral | None
    filing_deadline: Period | None
    filing_rectification: Period | None
    evidence: tuple[RequirementOutcome, ...]
    thresholds: tuple[ThresholdCheck, ...]


def _mode(line, facts: ProjectFacts, checks: list[ThresholdCheck], reasons: list[Reason], what: str, what_zh: str):
    if line is None:
        return "not_set"
    amount = facts.amounts.get(line.basis)
    if amount is None:
        reasons.append(Reason(rule_ids=line.rules, en=f"{what}: mode pending on {line.basis}", zh=f"{what_zh}形式待定（需{line.basis}）"))
        return "pending"
    check = ThresholdCheck.apply(line, facts.amounts)
    checks.append(check)
    en, zh = threshold_words(check)
    mode: ReviewMode = "expert_meeting" if check.reached else "internal_or_expert"
    reasons.append(Reason(rule_ids=line.rules, en=f"{what}: {mode} ({en})",
                          zh=f"{what_zh}：{'专家评审会' if check.reached else '内部验收会或专家评审'}（{zh}）"))
    return mode


def acceptance_requirements(pack: Pack, facts: ProjectFacts, classification: ClassificationDecision) -> AcceptanceDecision:
    if not classification.in_scope:
        raise PolicyInputError("classification.regime", f"a project that is {classification.regime} has no acceptance under {pack.id}",
                               f"项目{classification.regime_zh}，不适用 {pack.id} 的验收规定", classification.rule_ids)
    acc = pack.acceptance
    reasons: list[Reason] = []
    checks: list[ThresholdCheck] = []
    # The last organiser is the pack's general case; earlier ones are the exceptions (公共类, 审批制).
    organiser = next((o for o in acc.organisers if evaluate(o.when, facts, classification.regime, classification.track).holds),
                     acc.organisers[-1])
    reasons.append(Reason(rule_ids=organiser.rules, en=f"organised by {organiser.who}", zh=organiser.who_zh, inferred=organiser.inferred))

    initial = acc.initial
    if initial is None:
        initial_state, initial_mode = "none", "not_set"
    else:
        initial_state = "required" if facts.project_type in initial.mandatory_types else "optional"
        reasons.append(Reason(rule_ids=initial.rules, inferred=initial.inferred,
                              en=f"initial acceptance {initial_state} for {facts.project_type}",
                              zh=f"初步验收：{'必须' if initial_state == 'required' else '可选'}"))
        initial_mode = _mode(initial.expert_line, facts, checks, reasons, "initial acceptance", "初步验收")
    final_mode = _mode(acc.final_expert_line, facts, checks, reasons, "final review", "终验")
    if acc.trial_run_min is not None:
        reasons.append(Reason(rule_ids=acc.trial_run_min.rules, inferred=acc.trial_run_min.unit_inferred,
                              en=f"trial run at least {acc.trial_run_min.length} {acc.trial_run_min.unit}",
                              zh=f"试运行不少于 {acc.trial_run_min.length} 个月"))
    if acc.compliance_review is not None:
        reasons.append(Reason(rule_ids=acc.compliance_review.rules, en="a bureau compliance opinion precedes final acceptance",
                              zh="终验前须经政数局符合性审核同意"))
    reasons.append(Reason(
        rule_ids=acc.max_final_attempts_rules, inferred=acc.max_final_attempts_inferred,
        en=f"final reviews: {'at most ' + str(acc.max_final_attempts) if acc.max_final_attempts else 'no limit stated'}",
        zh=f"终验次数：{'最多 ' + str(acc.max_final_attempts) + ' 次' if acc.max_final_attempts else '未规定上限'}",
    ))
    rectification: Period | Prompt | None = acc.rectification or (pack.prompt if acc.rectification_prompt else None)
    applies_deadline = acc.application_deadline is not None and classification.regime in acc.application_deadline_regimes
    evidence = requirements(pack, facts, "acceptance", classification).items
    periods = [p for p in (acc.trial_run_min, acc.filing_deadline, acc.filing_rectification, acc.rectification) if p]
    return AcceptanceDecision(
        pack_id=pack.id, pack_version=pack.version, inputs={**classification.inputs, "regime": classification.regime},
        rule_ids=rules_of(*(r.rule_ids for r in reasons), *(p.rules for p in periods), acc.rectification_rules),
        reasons=tuple(reasons), organiser=organiser.who, organiser_zh=organiser.who_zh,
        initial_acceptance=initial_state, initial_mode=initial_mode,
        initial_filing_deadline=initial.filing_deadline if initial else None, trial_run_min=acc.trial_run_min,
        final_mode=final_mode, compliance_review_required=acc.compliance_review is not None,
        max_final_attempts=acc.max_final_attempts, rectification=rectification,
        application_deadline=acc.application_deadline if applies_deadline else None,
        deferral=acc.deferral if applies_deadline else None, filing_deadline=acc.filing_deadline,
        filing_rectification=acc.filing_rectification, evidence=evidence, thresholds=tuple(checks),
    )


class DeferralDecision(Decision):
    allowed: bool


def may_defer(pack: Pack, deferrals_so_far: int, months_requested: int) -> DeferralDecision:
    """YL-26: at most three deferrals of acceptance, each of at most six months."""
    deferral = pack.acceptance.deferral
    inputs = {"deferrals_so_far": deferrals_so_far, "months_requested": months_requested}
    base = {"pack_id": pack.id, "pack_version": pack.version, "inputs": inputs}
    if deferral is None:
        return DeferralDecision(**base, allowed=False, rule_ids=(), reasons=(
            Reason(rule_ids=(), en=f"pack {pack.id} provides no acceptance deferral", zh=f"{pack.id} 未规定延期验收"),))
    if months_requested < 1:
        raise PolicyInputError("months_requested", "a deferral is at least one month", "延期至少1个月", deferral.rules)
    problems = []
    if deferrals_so_far >= deferral.max_deferrals:
        problems.append(Reason(rule_ids=deferral.rules, en=f"{deferral.max_deferrals} deferrals already granted",
                               zh=f"已延期 {deferral.max_deferrals} 次，不得再延期"))
    if months_requested > deferral.each_at_most.length:
        problems.append(Reason(rule_ids=deferral.rules, en=f"each deferral is at most {deferral.each_at_most.length} months",
                               zh=f"每次延期不超过 {deferral.each_at_most.length} 个月"))
    ok = Reason(rule_ids=deferral.rules, en=f"deferral {deferrals_so_far + 1} of {deferral.max_deferrals} allowed",
                zh=f"可申请第 {deferrals_so_far + 1} 次延期验收")
    return DeferralDecision(**base, allowed=not problems, rule_ids=deferral.rules, reasons=tuple(problems) or (ok,))
