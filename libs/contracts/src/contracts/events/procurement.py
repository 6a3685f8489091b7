"""Events published by the procurement context (contracts, changes, termination)."""

from __future__ import annotations

from typing import Literal

from contracts.base import AwareDatetime, Event, PackRef, RuleId
from contracts.registry import register

__all__ = ["ProjectTerminated"]


@register
class ProjectTerminated(Event):
    """A project or sub-project ended before completion (终止, BY-37, BY-47.3b)."""

    TYPE = "procurement.project.terminated.v1"

    project_id: str
    unit_id: str
    sub_project_id: str | None = None
    pack: PackRef
    reason: Literal["acceptance_failed", "lapsed", "unit_request", "policy_change", "force_majeure", "supervision"]
    rule_ids: list[RuleId]
    cause_event_id: str | None = None
    terminated_at: AwareDatetime
