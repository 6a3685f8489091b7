"""Whether a pack's condition holds for a project, and in what words.

A condition whose amount is not known yet (no contract amount before procurement) is
*undetermined* rather than false: the requirement it guards is reported as pending on the
named amount, never silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from policy.decisions import ThresholdCheck
from policy.facts import PolicyInputError, ProjectFacts
from policy.schema import AMOUNT_BASIS_ZH, Condition, Regime, Threshold, Track, format_wan


@dataclass
class Outcome:
    holds: bool | None = True
    checks: list[ThresholdCheck] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    en: list[str] = field(default_factory=list)
    zh: list[str] = field(default_factory=list)

    def fail(self, en: str, zh: str) -> None:
        self.holds = False
        self.en.append(en)
        self.zh.append(zh)

    def note(self, en: str, zh: str) -> None:
        self.en.append(en)
        self.zh.append(zh)


def threshold_words(check: ThresholdCheck, *, below: bool = False) -> tuple[str, str]:
    reached = check.reached != below
    amount, line = format_wan(check.amount_yuan), format_wan(check.line_yuan)
    if below:
        sign = ("<" if check.inclusive else "≤") if reached else ("≥" if check.inclusive else ">")
    else:
        sign = ("≥" if check.inclusive else ">") if reached else ("<" if check.inclusive else "≤")
    mark = "含" if check.inclusive else "不含"
    rules = ", ".join(check.rule_ids)
    en = f"{check.basis} {amount} {sign} {line} ({'inclusive' if check.inclusive else 'exclusive'}; {rules})"
    zh = f"{AMOUNT_BASIS_ZH.get(check.basis, check.basis)} {amount} {sign} {line}（{mark}；{'、'.join(check.rule_ids)}）"
    return en, zh


def _line(outcome: Outcome, threshold: Threshold, facts: ProjectFacts, *, below: bool) -> None:
    try:
        check = ThresholdCheck.apply(threshold, facts.amounts)
    except PolicyInputError:
        outcome.missing.append(f"amounts.{threshold.basis}")
        if outcome.holds:
            outcome.holds = None
        outcome.note(
            f"needs {threshold.basis} to apply {threshold.describe()} ({', '.join(threshold.rules)})",
            f"需提供{AMOUNT_BASIS_ZH[threshold.basis]}以适用 {threshold.describe_zh()}",
        )
        return
    outcome.checks.append(check)
    en, zh = threshold_words(check, below=below)
    if check.reached == below:
        outcome.fail(en, zh)
    else:
        outcome.note(en, zh)


def _member(outcome: Outcome, allowed: tuple[str, ...] | None, value: str | None, what: str, what_zh: str) -> None:
    if allowed is None:
        return
    if value in allowed:
        outcome.note(f"{what} {value}", f"{what_zh} {value}")
    else:
        outcome.fail(f"{what} {value} is not {'/'.join(allowed)}", f"{what_zh} {value} 不属于 {'/'.join(allowed)}")


def evaluate(condition: Condition, facts: ProjectFacts, regime: Regime | None, track: Track | None) -> Outcome:
    outcome = Outcome()
    _member(outcome, condition.project_types, facts.project_type, "project type", "项目类型")
    _member(outcome, condition.regimes, regime, "regime", "管理方式")
    _member(outcome, condition.tracks, track, "track", "立项程序")
    for flag in condition.flags:
        if flag in facts.flags:
            outcome.note(f"{flag}", f"{flag}")
        else:
            outcome.fail(f"not {flag}", f"非 {flag}")
    for flag in condition.unless_flags:
        if flag in facts.flags:
            outcome.fail(f"{flag} is excluded", f"{flag} 除外")
    if condition.at_least is not None:
        _line(outcome, condition.at_least, facts, below=False)
    if condition.below is not None:
        _line(outcome, condition.below, facts, below=True)
    return outcome
