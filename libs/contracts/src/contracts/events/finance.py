"""Events on the ``FINANCE`` stream: what the finance bureau's system reads and asks.

Procurement is the platform's single voice here. A finance system needs only these
classes' JSON Schemas (see ``docs/asyncapi.yaml``) and a CloudEvents SDK.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from contracts.base import AwareDatetime, Event, RuleId
from contracts.registry import register

__all__ = ["FinanceHoldPlaced", "FinanceHoldReleased", "HoldScope"]

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
    """Payments of a project (or one contract / milestone of it) must not be made."""

    TYPE = "finance.hold.placed.v1"

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


@register
class FinanceHoldReleased(Event):
    """A hold placed earlier no longer applies."""

    TYPE = "finance.hold.released.v1"

    hold_id: str
    project_id: str
    unit_id: str
    contract_id: str | None = None
    scope: HoldScope
    rule_ids: list[RuleId] = Field(min_length=1)
    release_event_id: str
    release_event_type: str
    released_at: AwareDatetime
