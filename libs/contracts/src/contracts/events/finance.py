"""Events on the ``FINANCE`` stream: what the finance bureau's system reads and asks.

Procurement is the platform's single voice here. A finance system needs only these
classes' JSON Schemas (see ``docs/asyncapi.yaml``) and a CloudEvents SDK: it follows the
holds, and before paying it may ask whether a payment is clear and get an answer with the
rule IDs that block it.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from contracts.base import AmountFen, AwareDatetime, Event, RuleId
from contracts.registry import register

__all__ = [
    "FinanceHoldPlaced",
    "FinanceHoldReleased",
    "HoldScope",
    "PaymentClearanceAnswered",
    "PaymentClearanceRequested",
    "PaymentMilestone",
]

HoldScope = Literal[
    "remaining",  # 不再支付剩余款项 / 不予拨付余款
    "final_payment",  # 终验款
    "change_delta",  # the changed part of a contract (BY-32b)
    "recover_remaining",  # remaining funds recovered after termination (BY-38b)
    "no_om_funding",  # no O&M funds (BZ-30, BZ-47, YL-19b)
    "no_funding",  # no construction or O&M funds (YL-19b)
]


@register
class FinanceHoldPlaced(Event):
    """Payments of a project, contract or milestone must not be made (BY-32b/38b/45d/48d, DY-24, BZ-30/47, YL-19b)."""

    TYPE = "finance.hold.placed.v1"
    PRODUCER = "procurement"

    hold_id: str
    project_id: str
    unit_id: str
    contract_id: str | None = None
    scope: HoldScope
    rule_ids: list[RuleId] = Field(min_length=1)
    cause_event_id: str
    cause_event_type: str
    placed_at: AwareDatetime
    release_condition: str | None = Field(
        None, description="What releases the hold, or null when the rules name no release"
    )
    amount_fen: int | None = Field(None, ge=0, description="Held amount in 分 when known")
    hold_mode: Literal["hard", "advisory"] | None = Field(
        None, description="advisory: the rule makes the hold an important basis (重要依据, BY-45d), not an absolute bar")
    expires_on: date | None = Field(None, description="A time-bound hold stops applying after this day (BZ-32c)")


@register
class FinanceHoldReleased(Event):
    """A hold placed earlier no longer applies (BY-45d, DY-24, BZ-30, BZ-47 releases of §3.10.1)."""

    TYPE = "finance.hold.released.v1"
    PRODUCER = "procurement"

    hold_id: str
    project_id: str
    unit_id: str
    contract_id: str | None = None
    scope: HoldScope
    rule_ids: list[RuleId] = Field(min_length=1)
    release_event_id: str
    release_event_type: str
    released_at: AwareDatetime


PaymentMilestone = Literal[
    "advance",  # 预付款
    "progress",  # 进度款
    "final_payment",  # 终验款 (BY-45d)
    "remaining",  # 剩余款项 / 余款 (BY-48d, DY-24)
]


@register
class PaymentClearanceRequested(Event):
    """The finance system asks whether a payment may be made now, given the holds (BY-32b, BY-45d, BY-48d, DY-24)."""

    TYPE = "finance.payment.clearance_requested.v1"
    PRODUCER = "finance-system"

    request_id: str = Field(description="Chosen by the finance system; the answer carries it back")
    project_id: str
    contract_id: str | None = None
    milestone: PaymentMilestone
    amount_fen: AmountFen
    requested_at: AwareDatetime


@register
class PaymentClearanceAnswered(Event):
    """Procurement's answer from its hold ledger, with the rule IDs that block the payment (e.g. BY-48d, DY-24)."""

    TYPE = "finance.payment.clearance_answered.v1"
    PRODUCER = "procurement"

    request_id: str
    project_id: str
    contract_id: str | None = None
    answer: Literal["cleared", "blocked", "pending"] = Field(
        description="pending = the ledger cannot decide yet (e.g. no compliance opinion, BY-45d); ask again later"
    )
    rule_ids: list[RuleId] = Field(description="Rules of the holds that block the payment; empty when cleared")
    hold_ids: list[str] = Field(description="The FinanceHoldPlaced holds in force that apply to this payment")
    reason: str | None = Field(None, description="Why the answer is pending or blocked, for a person")
    ledger_as_of: AwareDatetime = Field(description="Time of the last event the hold ledger had applied")
    answered_at: AwareDatetime
