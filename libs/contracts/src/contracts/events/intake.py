"""Events published by the intake context (units, plans, declarations, unit standing)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import AmountFen, AwareDatetime, Event, PackRef, RuleId
from contracts.registry import register

__all__ = ["ApplicationSubmitted", "StandingBlock", "UnitStandingChanged"]


@register
class ApplicationSubmitted(Event):
    """A unit declared a project (计划申报) and intake accepted the submission (BY-16a)."""

    TYPE = "intake.application.submitted.v1"

    project_id: str
    application_id: str
    unit_id: str
    pack: PackRef
    project_name: str
    declared_amount_fen: AmountFen
    upgrade_of_project_id: str | None = None
    submitted_at: AwareDatetime


BlockScope = Literal[
    "all_new_projects",  # 不予立项 / 不批准新增项目
    "upgrade_of_project",  # upgrades of one predecessor project (BY-22.8)
    "project_class",  # same-type ban (BY-53.2, BY-53.3)
    "reviews_suspended",  # 暂缓后续项目评审 (BY-48d)
]


class StandingBlock(BaseModel):
    """One block in force on a unit, as carried inside :class:`UnitStandingChanged`."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    block_id: str
    scope: BlockScope
    rule_ids: list[RuleId] = Field(min_length=1)
    project_id: str | None = Field(None, description="The project whose event caused the block")
    cause_event_id: str
    cause_event_type: str
    placed_at: AwareDatetime
    until: date | None = Field(None, description="End date when the block lapses by time")
    lifted_by: str | None = Field(None, description="What lifts the block, or null when the rules name nothing")


@register
class UnitStandingChanged(Event):
    """The set of blocks on a unit changed; carries the whole current set, so the last one wins."""

    TYPE = "intake.unit.standing_changed.v1"
    SUBJECT_FIELD = "unit_id"

    unit_id: str
    change: Literal["placed", "lifted"]
    changed_block_ids: list[str] = Field(min_length=1)
    blocks: list[StandingBlock]
    reviews_suspended: bool = Field(description="Whether the unit's open review cases must pause (BY-48d)")
    changed_at: AwareDatetime
