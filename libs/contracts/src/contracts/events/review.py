"""Events published by the review context (review rounds, approvals)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import AmountFen, AwareDatetime, Event, PackRef, ProjectClass, RuleId
from contracts.registry import register

__all__ = ["AnnualListApproved", "CoReviewOpinionRecorded", "CoReviewRequested", "LaterRequirement", "PlanReviewed",
           "SchemeChangeDecided", "ProjectApproved", "ProjectRejected", "ReviewStageCompleted",
           "ReviewStageCompletedV2"]

ReviewResult = Literal["passed", "failed"]


@register
class PlanReviewed(Event):
    """The bureau returned a plan-review (计划审核) opinion for one round (BY-15c, BY-16a–d, BY-19.1a)."""

    TYPE = "review.plan.reviewed.v1"

    project_id: str
    application_id: str
    unit_id: str
    pack: PackRef
    round: int = Field(ge=1)
    result: ReviewResult
    final: bool = Field(description="No further round follows: passed, or the last allowed round failed (BY-16d)")
    approved_amount_fen: AmountFen | None = Field(
        None, description="立项计划审核确定金额, the cap for the scheme estimate (BY-17.2b); set when passed"
    )
    micro: bool = Field(False, description="A 小微项目: the unit files a 项目备案表 instead of a scheme (BY-19.1a)")
    rule_ids: list[RuleId] = Field(min_length=1)
    reasons: list[str] = Field(default_factory=list)
    opinion_issued_at: AwareDatetime = Field(description="Anchor of the unit's 5-WD response period (BY-16c)")


ReviewStage = Literal[
    "initial",  # 材料初审 / 初核 / 技术审查 (BY-20.1a, YF-8.2, BZ-21a, YL-12.2)
    "expert",  # 专家评审 / 专家论证 (BY-16e, BY-20.2a, YF-7.2)
    "cost",  # 造价评审 / 造价审核 (BY-20.3, YF-7.2, DY-10.3a, YL-12.2)
]
ReviewStageV2 = Literal[
    "initial", "expert", "cost",
    "co_review",  # 并联审查 of other bodies (BZ-20, YL-14, YL-4.5, YL-4.7)
    "finance",  # 资金审核 (YF-7.3, YF-8.3, DY-11a, YL-12.3)
    "committee",  # 审委会 (BZ-5b, BZ-21a)
    "external",  # 发改委 / 市政府 decisions the bureau records (BZ-6, BZ-21b)
]


@register
class ReviewStageCompleted(Event):
    """One stage of scheme review produced its opinion (BY-20.1a, BY-20.2a, BY-20.3, BY-21, YF-7.2, BZ-21a, YL-12.2)."""

    # superseded by v2, whose stage list holds the other packs' stages; kept so a stored v1 message reads

    TYPE = "review.scheme.stage_completed.v1"

    project_id: str
    scheme_id: str
    unit_id: str
    pack: PackRef
    stage: ReviewStage
    round: int = Field(ge=1)
    result: ReviewResult
    final_stage: bool = Field(description="The last review stage: the unit files the final scheme within 5 WD (BY-21)")
    reviewed_amount_fen: AmountFen | None = Field(
        None, description="Amount fixed by a cost review (评审核定金额, DY-11b)"
    )
    rule_ids: list[RuleId] = Field(min_length=1)
    reasons: list[str] = Field(default_factory=list)
    opinion_issued_at: AwareDatetime = Field(description="Anchor of the unit's response or filing period")


@register
class ReviewStageCompletedV2(Event):
    """A stage of review, any pack's, produced its opinion (BY-20.1a, BY-20.3, BZ-20, BZ-21a, YF-7.3, YL-12.3)."""

    # v2 opens the stage list to co-review, finance, committee and external decisions; review publishes only v2

    TYPE = "review.scheme.stage_completed.v2"

    project_id: str
    scheme_id: str
    unit_id: str
    pack: PackRef
    stage: ReviewStageV2
    round: int = Field(ge=1)
    result: ReviewResult
    final_stage: bool = Field(description="The last review stage: the unit files the final scheme within 5 WD (BY-21)")
    reviewed_amount_fen: AmountFen | None = Field(
        None, description="Amount fixed by a cost review (评审核定金额, DY-11b)"
    )
    rule_ids: list[RuleId] = Field(min_length=1)
    reasons: list[str] = Field(default_factory=list)
    opinion_issued_at: AwareDatetime = Field(description="Anchor of the unit's response or filing period")


class LaterRequirement(BaseModel):
    """A step, document or evidence a later stage owes (RULES.md §3.4–3.9), fixed at approval."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    stage: str
    key: str
    status: Literal["required", "pending"] = Field(description="pending: it turns on an amount not known yet (e.g. 合同金额)")
    rule_ids: list[RuleId] = Field(min_length=1)


@register
class ProjectApproved(Event):
    """A project was approved (批复); procurement may start, validity runs (BY-20.4, YF-8.4, YL-12.4, YL-24a)."""

    TYPE = "review.project.approved.v1"

    project_id: str
    approval_id: str
    unit_id: str
    pack: PackRef
    project_class: ProjectClass
    approved_amount_fen: AmountFen = Field(
        description="立项批复金额: procurement cap (DY-11b) and change base (BY-33.3)"
    )
    approved_on: date = Field(description="Approval date, anchor of the validity period (BY-20.4b)")
    valid_until: date | None = Field(None, description="Last day of validity, or null when the pack sets none")
    public_components_required: bool = Field(False, description="Public-component sharing required (YL-24a)")
    rule_ids: list[RuleId] = Field(min_length=1)
    approved_at: AwareDatetime
    approval_authority: str | None = Field(None, description="Who approved: the bureau, or 区政府 above the pack's line (BY-20.4a)")
    requirements: list[LaterRequirement] = Field(
        default_factory=list, description="What later stages owe, as the pack decides it at approval (BY-29.2a 监理, BY-43 等保测评, YL-24a …)")
    document_number: str | None = Field(None, description="The 批复 document's number")


RejectionStage = Literal["plan_review", "initial_review", "expert_review", "cost_review", "approval", "annual_list"]


@register
class ProjectRejected(Event):
    """A project was refused approval (不予立项) with the rules that refused it (BY-22, BY-16d, BY-20.1b, BZ-15)."""

    TYPE = "review.project.rejected.v1"

    project_id: str
    unit_id: str
    pack: PackRef
    stage: RejectionStage
    rule_ids: list[RuleId] = Field(min_length=1)
    reasons: list[str] = Field(default_factory=list)
    cause_event_id: str | None = Field(None, description="The event that caused the refusal, when one did")
    rejected_at: AwareDatetime


@register
class AnnualListApproved(Event):
    """市委、市政府 approved the year's project list; projects not on it are not approved (BZ-15)."""

    TYPE = "review.annual_list.approved.v1"
    SUBJECT_FIELD = "list_id"

    list_id: str
    pack: PackRef
    year: int = Field(description="The year the list is for")
    project_ids: list[str]
    rule_ids: list[RuleId] = Field(min_length=1)
    approved_on: date
    approved_at: AwareDatetime


@register
class CoReviewRequested(Event):
    """The bureau asked another body for its written opinion on a project (BY-5.5, BY-5.6, BZ-20, YL-4.5, YL-4.7)."""

    TYPE = "review.co_review.requested.v1"

    project_id: str
    unit_id: str
    pack: PackRef
    body: str = Field(description="The body asked, by the pack's key (cyberspace, finance …)")
    body_zh: str
    due_on: date | None = Field(None, description="When the opinion is expected (A-34: the texts give no period)")
    rule_ids: list[RuleId] = Field(min_length=1)
    requested_at: AwareDatetime


@register
class CoReviewOpinionRecorded(Event):
    """A co-reviewing body's written opinion was recorded (BY-5.5, BY-5.6, BZ-20, YL-4.5, YL-4.7)."""

    TYPE = "review.co_review.opinion_recorded.v1"

    project_id: str
    unit_id: str
    pack: PackRef
    body: str
    result: Literal["agreed", "objected"]
    reasons: list[str] = Field(default_factory=list)
    rule_ids: list[RuleId] = Field(min_length=1)
    recorded_at: AwareDatetime


@register
class SchemeChangeDecided(Event):
    """The bureau decided on a scheme change the reviewers had not asked for (BY-31.3 after expert review, BY-31.4 after cost review)."""

    TYPE = "review.scheme_change.decided.v1"

    project_id: str
    change_id: str
    unit_id: str
    pack: PackRef
    after_stage: Literal["expert_review", "cost_review"]
    substantive: bool = Field(description="实质性调整: the revision also brings an expert argument (and after cost review a change cost review)")
    consented: bool
    reasons: list[str] = Field(default_factory=list)
    rule_ids: list[RuleId] = Field(min_length=1)
    decided_at: AwareDatetime
