"""Request and response bodies of the acceptance API."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from contracts.base import RuleId
from servicekit.identifiers import TEXT_PATTERN, CreditCode, Day, FreeText, Identifier


class JudgementIn(BaseModel):
    """The review's finding on one of the pack's acceptance concerns (BY-29.4, BY-57, BZ-45 …)."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")
    found: bool = Field(description="The project falls short of the concern's rule")
    note: FreeText | None = None


class FinalReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: Identifier
    sub_project_id: Identifier | None = None
    pack_id: Literal["BY", "YF", "BZ", "DY", "YL"] | None = Field(
        None, description="Pack the project was declared under; the deployment's pack when omitted"
    )
    result: Literal["passed", "failed"]
    concluded_on: Day = Field(description="Date of the review meeting's conclusion (Asia/Shanghai)")
    reasons: list[FreeText] = Field(default_factory=list, max_length=50, description="Required when failed (BY-47.3a)")
    mode: Literal["expert_meeting", "internal_meeting"] | None = Field(
        None, description="Expert meeting at 合同金额 ≥50万 (BY-47.2)")
    grounds: list[RuleId] = Field(default_factory=list, max_length=11,
                                  description="Which of the pack's grounds a failure rests on (YL-27.1–27.10, YL-28b)")
    judgements: list[JudgementIn] = Field(default_factory=list, max_length=50, description=(
        "Findings on the pack's acceptance concerns (GET /projects/{id}/acceptance lists them); one found refuses a pass"))


class FinalReviewOut(BaseModel):
    id: uuid.UUID
    project_id: str
    sub_project_id: str | None
    unit_id: str
    pack_id: str
    pack_version: str
    attempt: int
    result: str
    terminal: bool
    rule_id: str
    concluded_on: date
    reasons: list[str]
    event_id: str
    judgements: list[dict] = []
    """The review's findings on the pack's acceptance concerns, with notes."""
    concern_rules: list[str] = []
    """The rules of the concerns a failed review found (BY-29.4, BZ-45 …)."""


class DocumentRef(BaseModel):
    """A document the unit stored (intake's document store), named by its SM3 digest."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, pattern=TEXT_PATTERN)
    sm3: str = Field(pattern=r"^[0-9a-f]{64}$", description="SM3 digest of the file, lowercase hex")


class FiledDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["written_request", "login_logs", "operation_logs", "self_evaluation", "meeting_minutes", "expert_opinion",
                  "acceptance_report", "filing_materials", "rectification_note", "explanation",
                  "upper_level_acceptance", "other"]
    document: DocumentRef


class CompletionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    completed_on: Day = Field(description="The day the content was built (建成): anchor of YL-22a's 6 months")


class AcceptanceApplicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    documents: list[FiledDocument] = Field(min_length=1, max_length=20, description=(
        "The written application, the initial-acceptance report where the unit accepted initially first (DY-20a), "
        "and the performance self-evaluation where the pack asks for it with the application (DY-20c)"))


class OperationStartIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    started_on: Day = Field(description="The day the system went into operation (投入运行): anchor of BZ-42a's window")


class InitialAcceptanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    result: Literal["passed", "failed"]
    mode: Literal["expert_meeting", "internal_meeting", "pre_acceptance"] = Field(
        description="Expert meeting at 合同金额 ≥50万 (BY-39.2); pre_acceptance by experts or a third party (BZ-28b)")
    concluded_on: Day
    reasons: list[FreeText] = Field(default_factory=list, max_length=50)
    documents: list[FiledDocument] = Field(default_factory=list, max_length=20)


class FilingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    documents: list[FiledDocument] = Field(min_length=1, max_length=30)
    rectification_note: FreeText | None = Field(None, description="With a resubmission after feedback (BY-48c)")


class DataAggregationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platforms: list[Literal["big_data_platform", "video_platform", "geographic_platform"]] = Field(
        min_length=1, description="Where the data listed in the 政务数据清单 went (BY-42)")
    gap_explained: bool = Field(False, description="A large gap against the list is covered by a stamped explanation")
    explanation: DocumentRef | None = None


class EvidenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Identifier = Field(description="What approval said acceptance owes, e.g. djcp_report (BY-43)")
    document: DocumentRef
    passed: bool = Field(True, description="The test or review passed (YL-27.3)")


class MonitoringReportIn(BaseModel):
    """项目绩效监控报告 (BZ-41): progress, fund execution and, for a system in trial run, its effects and problems."""

    model_config = ConfigDict(extra="forbid")

    report_year: StrictInt = Field(ge=2000, le=2100, description="The year the report covers")
    document: DocumentRef


class ComplianceRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    documents: list[FiledDocument] = Field(min_length=1, max_length=20)


class ComplianceOpinionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    consent: bool
    findings: list[FreeText] = Field(default_factory=list, max_length=50)


class DeferralIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    months: int = Field(ge=1, le=60, description="At most six per deferral (YL-26)")
    reason: FreeText


class FilingReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    accepted: bool
    defects: list[FreeText] = Field(default_factory=list, max_length=50)
    refused: bool = Field(False, description="The unit refused to rectify: rejected at once (BY-48d)")


class EvaluationFirm(BaseModel):
    """The third-party evaluation firm (第三方机构) the bureau hired (BY-52)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=200, pattern=TEXT_PATTERN)
    credit_code: CreditCode


class IpReport(BaseModel):
    """The report's account of the project's intellectual property (BY-54)."""

    model_config = ConfigDict(extra="forbid")

    plan_completion: FreeText | None = Field(None, description="知识产权申请计划完成情况")
    ownership_transfer: FreeText | None = Field(None, description="权属转化情况")
    follow_up_operation: FreeText | None = Field(None, description="后续运营情况")


class EvaluationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["self", "third_party", "bureau", "post"]
    grade: Identifier | None = Field(
        None, description="优秀 / 合格 / 基本合格 / 不合格 (BY-53a); none where the pack grades nothing")
    completed_on: Day
    findings: list[FreeText] = Field(default_factory=list, max_length=50)
    rectification_due: Day | None = Field(None, description="Findings rectified by this day (BY-53.3)")
    report: DocumentRef
    ground: Literal["key_project", "slow_construction", "delayed_acceptance"] | None = Field(
        None, description="Why the bureau evaluates during implementation: 区内重点项目, 建设缓慢, 验收迟滞 (BY-52.3)")
    firm: EvaluationFirm | None = Field(None, description="The third-party firm the bureau hired (BY-52)")
    ip_report: IpReport | None = Field(None, description="What the report says of the project's IP (BY-54)")


class FindingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: Identifier
    project_id: Identifier | None = None
    kind: Literal["data_sharing", "data_aggregation", "security", "cryptography", "xinchuang", "cloud_usage", "procurement",
                  "quality", "schedule", "funds", "procedure", "other"]
    severity: Literal["general", "major", "serious"]
    authority: Literal["data_bureau", "cyberspace", "public_security", "secrecy", "audit", "finance", "development_reform", "other"]
    description: FreeText
    rectification_due: Day | None = None
    rule_ids: list[RuleId] = Field(min_length=1, max_length=10, description="The rules the finding cites")


class RectificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    completed_on: Day


class StepOut(BaseModel):
    step_id: uuid.UUID
    kind: str
    number: int
    outcome: str | None
    on: date
    due_on: date | None
    late: bool
    detail: dict
    rule_ids: list[str]


class AcceptanceOut(BaseModel):
    project_id: str
    unit_id: str
    pack: str
    project_class: str | None
    contract_amount_yuan: int
    completed_on: date | None
    application_due_on: date | None
    applied_on: date | None = None
    """The unit's application for the acceptance the bureau organises (DY-20a, YL-22a)."""
    operation_started_on: date | None = None
    initial_passed_on: date | None
    trial_run_ends_on: date | None
    data_confirmed_on: date | None
    compliance: str | None
    passed_on: date | None
    filing_status: str
    terminated: bool
    organiser: dict | None = None
    """Who organises the final acceptance under the pack (BY-46 the unit, DY-22 a bureau-led team, YL-22a the bureau)."""
    final_review_blockers: list[dict]
    final_review_concerns: list[dict] = []
    """What the final review judges under the pack (BY-29.4, BY-49, BZ-10, YL-18c …): key, rule_ids, en, zh."""
    evaluation_duties: list[dict]
    steps: list[StepOut]


class EvaluationOut(BaseModel):
    evaluation_id: uuid.UUID
    project_id: str
    kind: str
    grade: str | None
    completed_on: date
    rectification_due: date | None
    rectified_on: date | None
    overdue: bool
    rule_ids: list[str]
    ground: str | None = None
    firm: dict | None = None
    ip_report: dict | None = None


class FindingOut(BaseModel):
    finding_id: uuid.UUID
    unit_id: str
    project_id: str | None
    kind: str
    severity: str
    rectification_due: date | None
    rectified_on: date | None
    overdue: bool
    rule_ids: list[str]
