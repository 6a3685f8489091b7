"""May the finance bureau make this payment now? Answered from the hold ledger, failing closed.

"cleared" is said only when the ledger has applied every event that could place a hold on the
project; while one waits, the answer is "pending" with how current the ledger is. A hold blocks
the payments its scope names: the remaining amounts of the project (BY-48d, DY-24, BY-38b), the
final-acceptance payment (BY-45d), the contract that carries an unapproved change (BY-32b), or
the O&M funds of the project (BZ-30, BZ-47).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

Answer = Literal["cleared", "blocked", "pending"]
Milestone = Literal["advance", "progress", "final_payment", "remaining"]

PROJECT_WIDE = frozenset({"remaining", "recover_remaining", "no_funding"})


@dataclass(frozen=True)
class HoldView:
    hold_id: str
    scope: str
    rule_ids: tuple[str, ...]
    contract_id: str | None
    hold_mode: str
    message_en: str
    message_zh: str
    expires_on: date | None = None


@dataclass(frozen=True)
class ContractView:
    contract_id: str
    om_service: bool
    milestones: Sequence[tuple[str, int]]
    """(kind, amount in 分) of each payment milestone."""


@dataclass(frozen=True)
class Question:
    project_id: str
    contract_id: str | None
    milestone: Milestone
    amount_fen: int
    today: date


@dataclass(frozen=True)
class Known:
    """What procurement knows of the project when it answers."""

    authorised: bool
    gate_rules: tuple[str, ...]
    project_class: str | None
    contract: ContractView | None
    contract_rules: tuple[str, ...]
    compliance: Literal["consent", "refused"] | None
    compliance_rules: tuple[str, ...]
    """The pack's pre-final compliance review (BY-45c, YF-18b); empty when it has none."""
    unapplied_events: int
    """Events that concern the project and could place a hold, not yet applied (-1: unknown)."""


@dataclass(frozen=True)
class Decision:
    answer: Answer
    rule_ids: tuple[str, ...]
    hold_ids: tuple[str, ...]
    reason_en: str | None
    reason_zh: str | None

    @property
    def reason(self) -> str | None:
        return f"{self.reason_en} / {self.reason_zh}" if self.reason_en else None


def applies(hold: HoldView, question: Question, known: Known) -> bool:
    if hold.expires_on is not None and question.today > hold.expires_on:
        return False
    if hold.scope in PROJECT_WIDE:
        return True
    if hold.scope == "final_payment":
        return question.milestone == "final_payment"
    if hold.scope == "change_delta":
        return hold.contract_id is not None and hold.contract_id == question.contract_id
    if hold.scope == "no_om_funding":
        return known.project_class == "operation_maintenance" or bool(known.contract and known.contract.om_service)
    return True  # a scope this code does not know blocks: failing closed


def decide(question: Question, known: Known, holds: Sequence[HoldView]) -> Decision:
    if known.unapplied_events != 0:
        count = "an unknown number of" if known.unapplied_events < 0 else str(known.unapplied_events)
        return Decision("pending", (), (), f"{count} event(s) that may place a hold on the project are not applied yet; ask again",
                        f"尚有 {count if known.unapplied_events > 0 else '若干'} 条可能影响支付的事件未处理，请稍后再询")
    if not known.authorised:
        return Decision("blocked", known.gate_rules, (), "the project has no approval or filing that allows procurement",
                        "项目未经批复或备案，不予支付", )
    if question.contract_id is not None:
        if known.contract is None:
            return Decision("blocked", known.contract_rules, (), f"contract {question.contract_id} is not filed for the project",
                            f"合同 {question.contract_id} 未备案", )
        planned = [amount for kind, amount in known.contract.milestones if kind == question.milestone]
        if not planned:
            return Decision("blocked", known.contract_rules, (), f"the filed contract has no {question.milestone} milestone",
                            f"备案合同无此付款节点（{question.milestone}）")
        if question.amount_fen > sum(planned):
            return Decision("blocked", known.contract_rules, (), f"{question.amount_fen} 分 exceeds the contract's "
                            f"{question.milestone} milestone of {sum(planned)} 分", "申请金额超过合同约定的该节点金额")
    blocking = [h for h in holds if applies(h, question, known)]
    if blocking:
        rules = tuple(dict.fromkeys(r for h in blocking for r in h.rule_ids))
        advisory = all(h.hold_mode == "advisory" for h in blocking)
        en = "; ".join(h.message_en for h in blocking)
        zh = "；".join(h.message_zh for h in blocking)
        if advisory:
            en += " (the rule makes this an important basis, not an absolute bar)"
            zh += "（规定为重要依据）"
        return Decision("blocked", rules, tuple(h.hold_id for h in blocking), en, zh)
    if question.milestone == "final_payment" and known.compliance_rules and known.compliance is None:
        return Decision("pending", known.compliance_rules, (), "no compliance opinion has been issued yet; the final-acceptance "
                        "payment waits for it", "尚未出具符合性审核意见，终验款待其出具后再询")
    return Decision("cleared", (), (), None, None)
