"""What follows from an event, per pack (RULES.md §3.10.1, the sanction matrix).

Given a pack and the facts of an event, the sanctions that follow (block, hold, termination …),
their scope, and what releases each. The services apply them: intake keeps unit blocks,
procurement keeps finance holds and terminations, notify issues circulars.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policy.decisions import Decision, Model, Reason, rules_of
from policy.facts import PolicyInputError
from policy.schema import Effect, Pack, SanctionRule


class Sanction(Model):
    effect: Effect
    scope: str
    """Block scope (``all_new_projects``, ``same_type`` …) or hold scope (``remaining``, ``change_delta`` …)."""
    rule_ids: tuple[str, ...]
    hold_mode: str
    """``hard`` or ``advisory`` ("重要依据", A-23)."""
    overridable: bool
    lifted_by: str | None
    """The event that lifts it (``AcceptancePassed``), or None when the rules name none."""
    lifted_when: dict[str, Any] = {}
    release_after: str | None = None
    """A time-bound release (``end_of_next_year``, BY-53.2, BZ-32c)."""
    lift_inferred: bool
    """The release is our reading where the text is silent (RULES.md A-19)."""
    message_en: str
    message_zh: str
    addressees: tuple[str, ...] = ()

    @classmethod
    def of(cls, rule: SanctionRule) -> Sanction:
        release = rule.release
        return cls(
            effect=rule.effect, scope=rule.scope, rule_ids=rule.rules, hold_mode=rule.hold_mode, overridable=rule.overridable,
            lifted_by=release.event if release else None, lifted_when=dict(release.when) if release else {},
            release_after=release.after if release else None, lift_inferred=release.inferred if release else False,
            message_en=rule.message_en, message_zh=rule.message_zh, addressees=rule.addressees,
        )


class SanctionDecision(Decision):
    trigger: str
    sanctions: tuple[Sanction, ...]


def matches(when: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    """Every stated fact matches; a list in the pack means "one of"; a fact not given never matches."""
    for key, expected in when.items():
        if key not in facts:
            return False
        actual = facts[key]
        if isinstance(expected, (list, tuple)):
            if actual not in expected:
                return False
        elif actual != expected:
            return False
    return True


def sanctions_for(pack: Pack, trigger: str, facts: Mapping[str, Any] | None = None) -> SanctionDecision:
    """The sanctions ``trigger`` (an event type) with ``facts`` sets off under ``pack``."""
    facts = dict(facts or {})
    rows = [rule for rule in pack.sanctions if rule.trigger == trigger and matches(rule.when, facts)]
    sanctions = tuple(Sanction.of(rule) for rule in rows)
    reasons = tuple(Reason(rule_ids=s.rule_ids, en=s.message_en, zh=s.message_zh) for s in sanctions)
    return SanctionDecision(
        pack_id=pack.id, pack_version=pack.version, inputs={"trigger": trigger, **facts},
        rule_ids=rules_of(*(s.rule_ids for s in sanctions)), reasons=reasons, trigger=trigger, sanctions=sanctions,
    )


def released_by(pack: Pack, event: str, facts: Mapping[str, Any] | None = None) -> tuple[Sanction, ...]:
    """The sanctions of this pack that ``event`` with ``facts`` lifts."""
    facts = dict(facts or {})
    return tuple(
        Sanction.of(rule) for rule in pack.sanctions
        if rule.release is not None and rule.release.event == event and matches(rule.release.when, facts)
    )


def after_acceptance_failed(pack: Pack, *, terminal: bool) -> tuple[Sanction, ...]:
    """Sanctions a failed final acceptance (``AcceptanceFailed``) sets off, with those of the
    termination it may cause (BY-47.3b → BY-38b), so one transaction applies them all."""
    sanctions = sanctions_for(pack, "AcceptanceFailed", {"terminal": terminal}).sanctions
    if any(s.effect == "terminate_project" for s in sanctions):
        sanctions += sanctions_for(pack, "ProjectTerminated", {"reason": "acceptance_failed"}).sanctions
    return sanctions


def final_review_outcome(pack: Pack, attempt: int) -> tuple[bool, str]:
    """Whether failing final review ``attempt`` ends the project, and the rule that says so.

    BY-47.3a: a first failure gives a rectification period and one re-review; BY-47.3b: the
    re-review failing terminates the project or sub-project. Packs without a limit (A-22)
    allow re-review after rectification without end (DY-23).
    """
    if attempt < 1:
        raise PolicyInputError("attempt", "attempt starts at 1", "验收次数从1开始")
    acceptance = pack.acceptance
    terminal = acceptance.max_final_attempts is not None and attempt >= acceptance.max_final_attempts
    if terminal and acceptance.terminal_rules:
        return True, acceptance.terminal_rules[0]
    return terminal, acceptance.failed_rules[0]


def final_review_pass_rule(pack: Pack) -> str:
    """The rule a passed final review is concluded under (BY-47a: review against the approved scheme)."""
    return pack.acceptance.passed_rules[0]
