"""Who records an evaluation, when it may be made, and what its record must say (RULES.md §3.9).

Pure: the service states what was asked and where the project stands; these functions say which
rules the record cites and what stands in the way, each with its field and rule.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from policy.schema import Pack
from servicekit.problems import Problem

IP_ITEMS = {
    "plan_completion": ("the completion of the IP application plan", "知识产权申请计划完成情况"),
    "ownership_transfer": ("the ownership transfer", "权属转化情况"),
    "follow_up_operation": ("the follow-up operation", "后续运营情况"),
}
"""What an evaluation report says about the project's intellectual property (BY-54)."""

GROUND_ZH = {"key_project": "区内重点信息化项目", "slow_construction": "建设缓慢", "delayed_acceptance": "验收迟滞"}


@dataclass(frozen=True)
class Asked:
    """An evaluation as it is put on record, and where its project stands."""

    kind: str
    """``self`` (the unit's) or ``third_party``, ``bureau``, ``post`` (the bureau's)."""
    accepted: bool
    """The project's final acceptance has passed."""
    contracted: bool = False
    """A builder's contract is on file: under the pack's IP terms it states who owns what (BY-28)."""
    ground: str | None = None
    firm: bool = False
    ip_items: Collection[str] = field(default_factory=tuple)


def bureau_rules(pack: Pack) -> tuple[str, ...]:
    """The rules under which the bureau evaluates (BY-51c, BY-52.1/52.2, BZ-42b, DY-25a, YF-21, YL-29)."""
    return tuple(dict.fromkeys(r for e in pack.evaluation.third_party for r in e.rules))


def evaluator_rules(pack: Pack, kind: str) -> tuple[str, ...]:
    """Why only the unit records its self-evaluation (BY-50, YL-30), and only the bureau the others (BY-52)."""
    evaluation = pack.evaluation
    if kind == "self":
        return evaluation.unit_part.rules if evaluation.unit_part else ()
    firm = evaluation.third_party_firm.rules if evaluation.third_party_firm and kind == "third_party" else ()
    return tuple(dict.fromkeys([*bureau_rules(pack), *firm]))


def ip_terms_apply(pack: Pack, asked: Asked) -> bool:
    """The project's contract states IP terms: the pack asks every contract for them and one is on file."""
    return asked.contracted and any(not terms.flags for terms in pack.contracts.ip_terms)


def during_implementation(asked: Asked) -> bool:
    return asked.kind != "self" and not asked.accepted


def problems(pack: Pack, asked: Asked) -> list[Problem]:
    """Everything that stands before recording this evaluation, past who may record it."""
    evaluation = pack.evaluation
    found: list[Problem] = []
    mid = evaluation.during_implementation
    if during_implementation(asked):
        if mid is None or asked.kind != "third_party":
            rules = tuple(dict.fromkeys([*bureau_rules(pack), *(mid.rules if mid else ())])) or pack.acceptance.passed_rules
            found.append(Problem(
                "kind", f"a {asked.kind.replace('_', '-')} evaluation looks back on a project whose final acceptance has passed; "
                + ("only a third-party one may come during implementation" if mid else "this one has not passed yet"),
                "项目尚未通过终验，" + ("实施阶段仅可开展效能第三方评估" if mid else "评价应在验收通过后开展"), rules, status=409))
        elif asked.ground is None:
            allowed = ", ".join(mid.grounds)
            found.append(Problem("ground", f"a third-party evaluation during implementation states its ground: {allowed}",
                                 f"实施阶段开展第三方评估须写明依据（{'、'.join(GROUND_ZH[g] for g in mid.grounds)}）", mid.rules))
        elif asked.ground not in mid.grounds:
            found.append(Problem("ground", f"{asked.ground} is not a ground here; grounds: {', '.join(mid.grounds)}",
                                 f"“{asked.ground}”不是实施阶段评估的依据", mid.rules))
    elif asked.ground is not None:
        rules = mid.rules if mid else bureau_rules(pack) or pack.acceptance.passed_rules
        found.append(Problem("ground", "a ground is stated only for a third-party evaluation during implementation",
                             "仅实施阶段的第三方评估须写明依据", rules))
    firm = evaluation.third_party_firm
    if firm is not None and asked.kind == "third_party" and not asked.firm:
        found.append(Problem("firm", "a third-party evaluation names the firm the bureau hired for it",
                             "第三方评估须写明政数局聘请的第三方机构", firm.rules))
    if firm is not None and asked.kind == "self" and asked.firm:
        found.append(Problem("firm", "a self-evaluation is the unit's own; a firm is named for the bureau's third-party evaluation",
                             "效能自评估由项目单位开展，第三方机构仅见于政数局组织的第三方评估", firm.rules))
    report = evaluation.ip_report
    if report is not None and ip_terms_apply(pack, asked):
        for item, (en, zh) in IP_ITEMS.items():
            if item not in asked.ip_items:
                found.append(Problem(f"ip_report.{item}", f"the project's contract states IP terms: the report covers {en}",
                                     f"项目合同约定了知识产权，评估报告须包含{zh}", report.rules))
    return found


def cited(pack: Pack, asked: Asked, base: Sequence[str]) -> tuple[str, ...]:
    """The rules the record cites: those of its kind and grade, and the ones that shaped it."""
    evaluation = pack.evaluation
    extra: list[str] = []
    if asked.kind == "self" and evaluation.unit_part:
        extra += evaluation.unit_part.rules
    if asked.kind == "third_party" and evaluation.third_party_firm:
        extra += evaluation.third_party_firm.rules
    if during_implementation(asked) and evaluation.during_implementation:
        extra += evaluation.during_implementation.rules
    if evaluation.ip_report and ip_terms_apply(pack, asked):
        extra += evaluation.ip_report.rules
    return tuple(dict.fromkeys([*base, *extra]))
