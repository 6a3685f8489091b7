"""Events published by the acceptance context (初验, 终验, 验收备案, 整改, 绩效评价)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from contracts.base import AwareDatetime, Event, PackRef, RuleId
from contracts.registry import register

__all__ = ["AcceptanceFailed", "AcceptancePassed"]


@register
class AcceptanceFailed(Event):
    """A final acceptance review (终验) concluded that the project or sub-project failed (BY-47.3)."""

    TYPE = "acceptance.project.failed.v1"

    project_id: str
    unit_id: str
    sub_project_id: str | None = Field(None, description="Set when only a sub-project failed (BY-47.3b)")
    pack: PackRef
    attempt: int = Field(ge=1, description="1 for the first final review, 2 for the re-review, …")
    terminal: bool = Field(description="No further review is allowed: the project or sub-project ends")
    rule_id: RuleId
    concluded_on: date = Field(description="Date of the fail conclusion; anchors the rectification period")
    recorded_at: AwareDatetime
    reasons: list[str] = Field(default_factory=list)


@register
class AcceptancePassed(Event):
    """A final acceptance review (终验) passed; anchors acceptance filing (BY-48a) and evaluation timers."""

    TYPE = "acceptance.project.passed.v1"

    project_id: str
    unit_id: str
    sub_project_id: str | None = None
    pack: PackRef
    attempt: int = Field(ge=1)
    concluded_on: date
    recorded_at: AwareDatetime
