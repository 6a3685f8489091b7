"""Events published by the intake context (units, plans, declarations, unit standing)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import AmountFen, AwareDatetime, Event, PackRef, ProjectClass, RuleId
from contracts.registry import register

__all__ = [
    "ApplicationSubmitted",
    "BatchOpened",
    "DeclarationFinding",
    "MicroProjectFiled",
    "ProjectFiled",
    "SchemeFiled",
    "SchemeSubmitted",
    "StandingBlock",
    "UnitPlanFiled",
    "UnitStandingChanged",
]

UnitPlanKind = Literal[
    "dev_plan",  # 信息化发展规划 (BY-12)
    "asset_catalogue",  # 信息化资产目录 (BY-10, clears BY-22.10)
    "data_catalogue",  # 数据资源目录 (BY-10, YL-7)
    "annual_plan",  # next-year plan / project list (YF-6, DY-10.1a)
    "resource_catalogue",  # 信息资源目录 (BZ-16)
    "construction_plan",  # 政务信息化建设规划 (YL-7)
]


@register
class BatchOpened(Event):
    """The bureau opened a declaration batch: its window from the notice (BY-14a: two natural months; A-17)."""

    TYPE = "intake.batch.opened.v1"
    SUBJECT_FIELD = "batch_id"

    batch_id: str
    pack: PackRef
    plan_year: int = Field(description="The year the projects declared in it are for")
    title: str
    notice_issued_on: date
    closes_on: date = Field(description="Last day of the window (inclusive)")
    window_provisional: bool = Field(False, description="The close date lies in a year without holiday data")
    rule_ids: list[RuleId] = Field(min_length=1)
    opened_at: AwareDatetime


@register
class UnitPlanFiled(Event):
    """A unit filed (or re-filed) a plan or catalogue (BY-10, BY-12, YF-6, BZ-16, DY-10.1a, YL-7)."""

    TYPE = "intake.unit.plan_filed.v1"
    SUBJECT_FIELD = "unit_id"

    unit_id: str
    plan_id: str
    kind: UnitPlanKind
    plan_year: int | None = Field(None, description="The year an annual plan is for (YF-6: next year)")
    revision: int = Field(1, ge=1, description="Re-filings after a change count up (BY-12 及时重新备案)")
    rule_ids: list[RuleId] = Field(min_length=1)
    filed_at: AwareDatetime


class DeclarationFinding(BaseModel):
    """Something intake noticed for the reviewer to judge, with its evidence (BY-19.1b split, BY-22.3 duplicate)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    key: str = Field(description="The pack's human-decision key, e.g. split_micro_projects, duplicate_construction")
    rule_ids: list[RuleId] = Field(min_length=1)
    message: str
    message_zh: str
    evidence: dict = Field(default_factory=dict)


@register
class ApplicationSubmitted(Event):
    """A unit declared a project (计划申报) and intake accepted the submission (BY-15a, BY-16a, BY-16c)."""

    TYPE = "intake.application.submitted.v1"

    project_id: str
    application_id: str
    unit_id: str
    pack: PackRef
    project_name: str
    declared_amount_fen: AmountFen
    upgrade_of_project_id: str | None = None
    submitted_at: AwareDatetime
    round: int = Field(1, ge=1, description="1 for the declaration, n for the resubmission after opinion n-1 (BY-16c)")
    project_class: ProjectClass | None = Field(None, description="Class of the project (BY-4)")
    using_unit_id: str | None = Field(None, description="The subordinate unit the project is for (BY-5.2a)")
    flags: list[str] = Field(default_factory=list, description="Facts the pack's conditions read (software_development, self_build …)")
    findings: list[DeclarationFinding] = Field(default_factory=list, description="For the reviewer to judge (BY-19.1b, BY-22.3)")


@register
class SchemeFiled(Event):
    """The unit filed the stamped final scheme after the last review stage (立项方案备案, BY-21)."""

    TYPE = "intake.scheme.filed.v1"

    project_id: str
    unit_id: str
    pack: PackRef
    document_name: str
    document_sm3: str = Field(pattern=r"^[0-9a-f]{64}$")
    filed_on: date
    rule_ids: list[RuleId] = Field(min_length=1)
    filed_at: AwareDatetime


@register
class SchemeSubmitted(Event):
    """A unit submitted its 立项方案 (or a revision of it) for scheme review (BY-17, BY-18, BY-20, BY-31, YL-12.1)."""

    TYPE = "intake.scheme.submitted.v1"

    project_id: str
    scheme_id: str
    application_id: str
    unit_id: str
    pack: PackRef
    project_class: ProjectClass
    track: Literal["ordinary", "simplified"] = Field(
        description="simplified = identical O&M renewal, no expert review (BY-19.2)"
    )
    estimate_fen: AmountFen = Field(description="总投资概算; must not exceed the plan-review amount (BY-17.2b)")
    revision: int = Field(ge=1, description="1 for the first submission, n for the n-th resubmission (BY-20.1b, BY-31)")
    adjustment_note: bool = Field(False, description="A 差异说明 / 调整说明 is attached (BY-31.1–31.4)")
    submitted_at: AwareDatetime


@register
class MicroProjectFiled(Event):
    """A project below the pack's floor was filed instead of approved; procurement may start (BY-19.1a, DY-2.1b)."""

    TYPE = "intake.project.micro_filed.v1"

    project_id: str
    filing_id: str
    unit_id: str
    pack: PackRef
    project_class: ProjectClass | None = None
    estimate_fen: AmountFen = Field(description="投资概算 (BY) / 预算金额 (DY)")
    rule_ids: list[RuleId] = Field(min_length=1)
    filed_at: AwareDatetime


@register
class ProjectFiled(Event):
    """A 备案制 project was filed with the bureau; procurement may start as after an approval (YL-13)."""

    TYPE = "intake.project.filed.v1"

    project_id: str
    filing_id: str
    unit_id: str
    pack: PackRef
    project_class: ProjectClass
    total_investment_fen: AmountFen = Field(description="总投资, which put the project under 备案制 (YL-11b)")
    rule_ids: list[RuleId] = Field(min_length=1)
    filed_on: date
    filed_at: AwareDatetime


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
    project_class: ProjectClass | None = Field(None, description="The banned class when scope is project_class")


@register
class UnitStandingChanged(Event):
    """The blocks on a unit changed; carries the whole current set, so the last one wins (BY-22, BY-48d, BY-53)."""

    TYPE = "intake.unit.standing_changed.v1"
    SUBJECT_FIELD = "unit_id"

    unit_id: str
    change: Literal["placed", "lifted"]
    changed_block_ids: list[str] = Field(min_length=1)
    changed_blocks: list[StandingBlock] = Field(
        default_factory=list, description="The blocks placed or lifted by this change, with their rules"
    )
    blocks: list[StandingBlock]
    reviews_suspended: bool = Field(description="Whether the unit's open review cases must pause (BY-48d)")
    changed_at: AwareDatetime
