"""Change assessment (RULES.md §3.6; A-3, A-4, A-5, A-43).

The change amount is measured as the pack says: BY-33.3c sums the absolute amounts of cancelled
and added content, so a change that swaps 10万 of content for 10万 of other content is a 20万
change although the total does not move. Sums make the result independent of line order.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from policy.decisions import Decision, Reason, check_overrides, rules_of
from policy.facts import Override, PolicyInputError
from policy.schema import AMOUNT_BASIS_ZH, Pack, Period, Prompt, format_wan

Outcome = Literal["filing", "bureau_consent", "approval_procedure", "redeclaration", "refused"]
OUTCOME_ZH = {"filing": "备案", "bureau_consent": "先经政数局同意后变更", "approval_procedure": "履行变更审批程序",
              "redeclaration": "重新申报（报批或备案）", "refused": "不予变更"}


class ChangeLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["add", "cancel"]
    """A modified item is a cancel of the old content plus an add of the new (BY-33.3c)."""
    amount_yuan: Annotated[StrictInt, Field(ge=0)]
    item: StrictStr = ""


class ChangeRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    stage: Literal["approval", "procurement", "implementation"]
    base_amount_yuan: Annotated[StrictInt, Field(gt=0, description="the amount the pack's change base names")]
    lines: Annotated[tuple[ChangeLine, ...], Field(min_length=1)]
    major_content_change: StrictBool = False
    """Goals, main content or technical scheme change (YL-21.2, BZ-25b, BY-33.1)."""
    policy_driven: StrictBool = False
    """Caused by a change of law or policy (YF-17a, DY-18a)."""
    prior_change_requests: Annotated[StrictInt, Field(ge=0)] = 0
    overrides: tuple[Override, ...] = ()


class ChangeDecision(Decision):
    outcome: Outcome
    requires_redeclaration: bool
    requires_prior_approval: bool
    steps: tuple[str, ...]
    added_yuan: int
    cancelled_yuan: int
    change_amount_yuan: int
    net_delta_yuan: int
    new_total_yuan: int
    change_ratio_percent: str
    refusals: tuple[Reason, ...]
    filing_deadline: Period | None
    filing_prompt: Prompt | None

    @property
    def outcome_zh(self) -> str:
        return OUTCOME_ZH[self.outcome]


def assess_change(pack: Pack, request: ChangeRequest) -> ChangeDecision:
    policy = pack.change
    granted = check_overrides(pack, request.overrides)
    added = sum(line.amount_yuan for line in request.lines if line.kind == "add")
    cancelled = sum(line.amount_yuan for line in request.lines if line.kind == "cancel")
    if added == 0 and cancelled == 0:
        raise PolicyInputError("lines", "a change must add or cancel some amount", "变更须有新增或取消的金额")
    change = added + cancelled
    base = request.base_amount_yuan
    net = added - cancelled
    new_total = base + net
    reasons: list[Reason] = [Reason(
        rule_ids=policy.measure_rules, inferred=policy.measure_inferred,
        en=f"change amount = |cancelled| {format_wan(cancelled)} + |added| {format_wan(added)} = {format_wan(change)},"
           f" {_percent(change, base)} of the {policy.base} {format_wan(base)}",
        zh=f"变更金额 = 取消 {format_wan(cancelled)} + 新增 {format_wan(added)} = {format_wan(change)}，"
           f"占{AMOUNT_BASIS_ZH[policy.base]} {format_wan(base)} 的 {_percent(change, base)}",
    )]
    refusals: list[Reason] = []
    applied: list[Override] = []

    def refuse(rules: tuple[str, ...], overridable: bool, en: str, zh: str) -> None:
        override = next((granted[r] for r in rules if r in granted), None) if overridable else None
        if override is not None:
            applied.append(override)
            reasons.append(Reason(rule_ids=rules, en=f"{en} — set aside by override ({override.authority})",
                                  zh=f"{zh}——已按例外处理（{override.authority}）"))
        else:
            refusals.append(Reason(rule_ids=rules, en=en, zh=zh))

    if policy.total_cap is not None and new_total > base:
        refuse(policy.total_cap.rules, False,
               f"the changed total {format_wan(new_total)} would exceed the approved total {format_wan(base)}",
               f"变更后总额 {format_wan(new_total)} 超过原批复总额 {format_wan(base)}")
    if not policy.allow_additions and added > 0:
        refuse(policy.additions_rules, policy.additions_overridable,
               f"additions ({format_wan(added)}) are not allowed", f"原则上不得新增建设内容（新增 {format_wan(added)}）")
    if not policy.allow_increase and net > 0:
        refuse(policy.additions_rules, policy.additions_overridable,
               f"the budget may not increase (+{format_wan(net)})", f"原则上不得增加预算（增加 {format_wan(net)}）")
    if policy.max_requests is not None:
        counts = not request.policy_driven or policy.count_policy_changes
        number = request.prior_change_requests + (1 if counts else 0)
        if number > policy.max_requests:
            refuse(policy.max_requests_rules, policy.max_requests_overridable,
                   f"this would be change request {number}; at most {policy.max_requests} per project",
                   f"本次为第 {number} 次变更申请，每个项目原则上不超过 {policy.max_requests} 次")
        elif request.policy_driven and not policy.count_policy_changes:
            reasons.append(Reason(rule_ids=policy.max_requests_rules, inferred=policy.count_policy_changes_inferred,
                                  en="a change caused by law or policy does not count against the limit",
                                  zh="因法律政策变化引起的变更不计入次数限制"))

    if request.policy_driven and policy.policy_change_rules:
        reasons.append(Reason(rule_ids=policy.policy_change_rules, en="caused by a change of law or policy: filed with the bureau promptly",
                              zh="因法律、政策变化引起的变更，及时报备"))
    outcome: Outcome
    steps: tuple[str, ...] = ()
    if request.stage not in policy.tiers_apply_at:
        outcome = "filing"
        reasons.append(Reason(rule_ids=policy.within_ratio.rules, inferred=policy.tiers_apply_inferred,
                              en=f"at the {request.stage} stage the change is filed", zh="该阶段变更报备"))
    elif request.major_content_change and policy.major_change is not None:
        outcome = policy.major_change.outcome
        if outcome == "refused":
            refuse(policy.major_change.rules, False, "a post-approval change must keep the goals and main content",
                   "批复后变更须保持建设目标和主要内容不变")
        else:
            reasons.append(Reason(rule_ids=policy.major_change.rules, en=f"major change of goals or content: {outcome}",
                                  zh=f"建设目标、主要内容或技术方案重大调整：{OUTCOME_ZH[outcome]}"))
    elif added == 0 and policy.cancel_only is not None:
        outcome = policy.cancel_only.outcome
        steps = policy.cancel_only.steps
        reasons.append(Reason(rule_ids=policy.cancel_only.rules, inferred=policy.cancel_only.inferred,
                              en=f"the change only cancels content: {outcome}", zh=f"仅取消建设内容：{OUTCOME_ZH[outcome]}"))
    elif policy.redeclaration_ratio is not None and policy.redeclaration_ratio.crossed(change, base):
        ratio = policy.redeclaration_ratio
        outcome = "redeclaration"
        reasons.append(Reason(rule_ids=ratio.rules, inferred=ratio.inferred,
                              en=f"{_percent(change, base)} is above {ratio.percent}%{' (exclusive)' if ratio.strict else ''}: full re-declaration",
                              zh=f"{_percent(change, base)} 超过 {ratio.percent}%{'（不含）' if ratio.strict else ''}：重新申报"))
    else:
        tier = policy.within_ratio
        outcome = tier.outcome
        steps = tier.steps
        line = policy.redeclaration_ratio
        within = f" ({_percent(change, base)} is within {line.percent}%{' inclusive' if line.strict else ''})" if line else ""
        within_zh = f"（{_percent(change, base)} 未超过 {line.percent}%{'（含）' if line.strict else ''}）" if line else ""
        reasons.append(Reason(rule_ids=tier.rules, inferred=tier.inferred, en=f"{outcome}{within}", zh=f"{OUTCOME_ZH[outcome]}{within_zh}"))

    if refusals:
        outcome = "refused"
    requires_prior = outcome in ("bureau_consent", "approval_procedure") and policy.prior_approval is not None
    if requires_prior and policy.prior_approval is not None:
        reasons.append(Reason(rule_ids=policy.prior_approval.rules, en="approve first, then change (先批准后变更)",
                              zh="先批准后变更"))
    return ChangeDecision(
        pack_id=pack.id, pack_version=pack.version, inputs=request.model_dump(mode="json"),
        rule_ids=rules_of(*(r.rule_ids for r in reasons), *(r.rule_ids for r in refusals)),
        reasons=tuple(reasons), overrides=tuple(applied), outcome=outcome,
        requires_redeclaration=outcome == "redeclaration", requires_prior_approval=requires_prior, steps=steps,
        added_yuan=added, cancelled_yuan=cancelled, change_amount_yuan=change, net_delta_yuan=net, new_total_yuan=new_total,
        change_ratio_percent=_percent(change, base), refusals=tuple(refusals), filing_deadline=policy.filing_deadline,
        filing_prompt=pack.prompt if policy.filing_prompt else None,
    )


def _percent(part: int, whole: int) -> str:
    """A ratio to two decimals without floats, e.g. ``15.00%``; truncated so it never shows a line crossed."""
    hundredths = part * 10_000 // whole
    return f"{hundredths // 100}.{hundredths % 100:02d}%"
