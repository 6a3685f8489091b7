"""Review: the steps a project goes through, their round limits and the SLAs on both sides."""

from __future__ import annotations

from policy.classification import ClassificationDecision
from policy.decisions import Decision, Model, Reason, check_overrides, rules_of
from policy.facts import Override, PolicyInputError
from policy.schema import Pack, Period, Prompt, Ratio, RoundLimit


class ReviewStepOutcome(Model):
    key: str
    name_zh: str
    rule_ids: tuple[str, ...]
    inferred: bool


class ReviewDecision(Decision):
    steps: tuple[ReviewStepOutcome, ...]
    skipped: tuple[ReviewStepOutcome, ...]
    round_limits: tuple[RoundLimit, ...]
    bureau_sla: Period | None
    unit_response: Period | None
    scheme_filing: Period | None
    approval_validity: Period | None
    co_review: Prompt | None
    expert_pools: tuple[str, ...]


def review_policy(pack: Pack, classification: ClassificationDecision) -> ReviewDecision:
    """The review path of a classified project (BY-20, YF-8, BZ-15/20/21, DY-10.3, YL-12)."""
    if not classification.in_scope:
        raise PolicyInputError(
            "classification.regime", f"a project that is {classification.regime} is not reviewed under pack {pack.id}",
            f"项目{classification.regime_zh}，不进入 {pack.id} 的评审程序", classification.rule_ids,
        )
    steps, skipped = [], []
    for step in pack.review.steps:
        item = ReviewStepOutcome(key=step.key, name_zh=step.name_zh, rule_ids=step.rules, inferred=step.inferred)
        (skipped if classification.track in step.skip_tracks else steps).append(item)
    review = pack.review
    reasons = [Reason(rule_ids=s.rule_ids, en=f"step {s.key}", zh=s.name_zh, inferred=s.inferred) for s in steps]
    reasons += [Reason(rule_ids=s.rule_ids, en=f"skipped on the {classification.track} track: {s.key}",
                       zh=f"{classification.track} 程序无需：{s.name_zh}") for s in skipped]
    for limit in review.round_limits:
        reasons.append(Reason(rule_ids=limit.rules, en=f"{limit.stage}: at most {limit.max_rounds} rounds",
                              zh=f"{limit.stage} 不超过 {limit.max_rounds} 次"))
    periods = [p for p in (review.bureau_sla, review.unit_response, review.scheme_filing, review.approval_validity) if p]
    return ReviewDecision(
        pack_id=pack.id, pack_version=pack.version,
        inputs={"regime": classification.regime, "track": classification.track},
        rule_ids=rules_of(*(s.rule_ids for s in steps), *(l.rules for l in review.round_limits), *(p.rules for p in periods)),
        reasons=tuple(reasons), steps=tuple(steps), skipped=tuple(skipped), round_limits=review.round_limits,
        bureau_sla=review.bureau_sla, unit_response=review.unit_response, scheme_filing=review.scheme_filing,
        approval_validity=review.approval_validity, co_review=review.co_review, expert_pools=review.expert_pools,
    )


class RoundDecision(Decision):
    stage: str
    failed_rounds: int
    max_rounds: int | None
    may_resubmit: bool
    rejected: bool


def after_failed_round(pack: Pack, stage: str, failed_rounds: int, overrides: tuple[Override, ...] = ()) -> RoundDecision:
    """Whether a project may go round again after ``failed_rounds`` failed reviews of ``stage``.

    BY-22.11–22.13: the third failure ends the project (不予立项). Plan and initial review limits are
    原则上 (BY-16d, BY-20.1b), so a recorded override may allow another round; the expert-review
    limit (BY-20.2c) is not.
    """
    if failed_rounds < 1:
        raise PolicyInputError("failed_rounds", "failed_rounds starts at 1", "不通过次数从1开始")
    limit = next((l for l in pack.review.round_limits if l.stage == stage), None)
    inputs = {"stage": stage, "failed_rounds": failed_rounds, "overrides": [o.rule_id for o in overrides]}
    base = {"pack_id": pack.id, "pack_version": pack.version, "inputs": inputs, "stage": stage, "failed_rounds": failed_rounds}
    if limit is None:
        return RoundDecision(**base, max_rounds=None, may_resubmit=True, rejected=False, rule_ids=(),
                             reasons=(Reason(rule_ids=(), en=f"pack {pack.id} sets no round limit for {stage}",
                                             zh=f"{pack.id} 未规定 {stage} 的次数上限"),))
    granted = check_overrides(pack, overrides)
    applied = tuple(granted[r] for r in limit.rules if r in granted) if limit.overridable else ()
    if overrides and not applied:
        why = "names none of its rules" if limit.overridable else "is not 原则上 and takes no override"
        raise PolicyInputError("overrides", f"the {stage} round limit ({', '.join(limit.rules)}) {why}",
                               f"{stage} 次数限制（{'、'.join(limit.rules)}）不适用该例外处理", limit.rules)
    exhausted = failed_rounds >= limit.max_rounds
    if not exhausted:
        reason = Reason(rule_ids=limit.rules, en=f"{failed_rounds} of {limit.max_rounds} rounds failed: the unit may resubmit",
                        zh=f"已不通过 {failed_rounds} 次（上限 {limit.max_rounds} 次），可修改后再次报送")
    elif applied:
        reason = Reason(rule_ids=limit.rules, en=f"round limit {limit.max_rounds} reached, set aside by a recorded override",
                        zh=f"已达 {limit.max_rounds} 次上限，经记录在案的例外批准可再次报送")
    else:
        reason = Reason(rule_ids=limit.rules, en=f"{failed_rounds} rounds failed: the project is not approved (不予立项)",
                        zh=f"{failed_rounds} 次均不通过，不予立项")
    return RoundDecision(**base, max_rounds=limit.max_rounds, may_resubmit=not exhausted or bool(applied),
                         rejected=exhausted and not applied, rule_ids=limit.rules, reasons=(reason,), overrides=applied)


class BudgetCheck(Decision):
    violations: tuple[Reason, ...]

    @property
    def ok(self) -> bool:
        return not self.violations


def check_scheme_budget(pack: Pack, project_type: str, *, total_yuan: int, business_operation_yuan: int = 0,
                        plan_review_amount_yuan: int | None = None) -> BudgetCheck:
    """The scheme's budget against the pack's caps (BY-17.1b 30% operation share, BY-17.2b plan amount)."""
    violations: list[Reason] = []
    cap: Ratio | None = pack.review.business_operation_cap
    if cap is not None and project_type in ("build_develop", "operation_maintenance") and business_operation_yuan:
        # The cap is "≤30%": it is breached only above the line.
        if business_operation_yuan * 100 > cap.percent * total_yuan:
            violations.append(Reason(
                rule_ids=cap.rules,
                en=f"business operation {business_operation_yuan} yuan exceeds {cap.percent}% of the total {total_yuan} yuan",
                zh=f"业务运营内容 {business_operation_yuan} 元超过总投资 {total_yuan} 元的 {cap.percent}%",
            ))
    if pack.review.scheme_cap_basis is not None and plan_review_amount_yuan is not None and total_yuan > plan_review_amount_yuan:
        violations.append(Reason(
            rule_ids=pack.review.scheme_cap_rules,
            en=f"the scheme total {total_yuan} yuan exceeds the amount fixed at plan review {plan_review_amount_yuan} yuan",
            zh=f"立项方案总投资 {total_yuan} 元超过立项计划审核确定金额 {plan_review_amount_yuan} 元",
        ))
    return BudgetCheck(
        pack_id=pack.id, pack_version=pack.version,
        inputs={"project_type": project_type, "total_yuan": total_yuan, "business_operation_yuan": business_operation_yuan,
                "plan_review_amount_yuan": plan_review_amount_yuan},
        rule_ids=rules_of(*(v.rule_ids for v in violations)), reasons=tuple(violations), violations=tuple(violations),
    )
