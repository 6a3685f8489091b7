"""Events published by the acceptance context (初验, 终验, 验收备案, 整改, 绩效评价, supervision findings)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from contracts.base import AwareDatetime, Event, PackRef, RuleId
from contracts.registry import register

__all__ = [
    "AcceptanceApplied",
    "AcceptanceDeferred",
    "AcceptanceFailed",
    "AcceptanceFiled",
    "AcceptanceFilingRejected",
    "AcceptanceFilingSubmitted",
    "AcceptancePassed",
    "ComplianceOpinionIssued",
    "ConstructionCompleted",
    "DataAggregationConfirmed",
    "EvaluationCompleted",
    "InitialAcceptanceFiled",
    "InitialAcceptancePassed",
    "OperationStarted",
    "PerformanceMonitoringReportFiled",
    "RectificationCompleted",
    "RectificationOverdue",
    "SupervisionFindingRecorded",
]

RectificationSource = Literal[
    "final_acceptance",  # failed final review (BY-47.3a, DY-23)
    "acceptance_filing",  # filing feedback (BY-48c, BY-48d)
    "evaluation",  # evaluation findings (BY-53.3, BY-22.9)
    "supervision",  # supervision order (BZ-43a, BZ-47, BY-22.15)
]


@register
class ConstructionCompleted(Event):
    """The unit declared the project's content built (建成); starts acceptance timers (BY-39a, YL-22a)."""

    TYPE = "acceptance.project.construction_completed.v1"

    project_id: str
    unit_id: str
    sub_project_id: str | None = None
    pack: PackRef
    completed_on: date = Field(description="Anchor of the 6-month acceptance-application period (YL-22a)")
    rule_ids: list[RuleId] = Field(min_length=1)
    declared_at: AwareDatetime


@register
class AcceptanceApplied(Event):
    """The unit applied to the bureau for the acceptance it organises (DY-20a); stops the application period (YL-22a)."""

    TYPE = "acceptance.project.acceptance_applied.v1"

    project_id: str
    unit_id: str
    sub_project_id: str | None = None
    pack: PackRef
    applied_on: date
    due_on: date | None = Field(None, description="Last day of the application period, deferrals included (YL-22a, YL-26)")
    late: bool = Field(False, description="Applied after due_on")
    rule_ids: list[RuleId] = Field(min_length=1)
    applied_at: AwareDatetime


@register
class OperationStarted(Event):
    """The system went into operation (投入运行); anchor of the 12–24-month self-evaluation window (BZ-42a)."""

    TYPE = "acceptance.project.operation_started.v1"

    project_id: str
    unit_id: str
    sub_project_id: str | None = None
    pack: PackRef
    started_on: date = Field(description="Anchor of the self-evaluation window (BZ-42a)")
    rule_ids: list[RuleId] = Field(min_length=1)
    declared_at: AwareDatetime


@register
class InitialAcceptancePassed(Event):
    """初验 or 预验收 passed; starts the filing and trial-run timers (BY-39, BY-40, BY-41, BZ-28b, DY-19)."""

    TYPE = "acceptance.initial_acceptance.passed.v1"

    project_id: str
    unit_id: str
    sub_project_id: str | None = None
    pack: PackRef
    attempt: int = Field(ge=1, description="Initial acceptance repeats until it passes (BY-39.3)")
    mode: Literal["expert_meeting", "internal_meeting", "pre_acceptance"] = Field(
        description="Expert meeting at 合同金额 ≥50万 (BY-39.2); pre_acceptance by experts or a third party (BZ-28b)"
    )
    passed_on: date = Field(description="Meeting date: anchor of 15-WD filing (BY-40) and trial run (BY-41)")
    rule_ids: list[RuleId] = Field(min_length=1)
    recorded_at: AwareDatetime


@register
class DataAggregationConfirmed(Event):
    """The project's data listed in the 政务数据清单 reached the district platforms (BY-42); clears BY-22.6, BZ-11a."""

    TYPE = "acceptance.data_aggregation.confirmed.v1"

    project_id: str
    unit_id: str
    pack: PackRef
    confirmed_on: date
    gap_explained: bool = Field(False, description="A large gap against the list is covered by a stamped explanation")
    rule_ids: list[RuleId] = Field(min_length=1)
    confirmed_at: AwareDatetime


@register
class ComplianceOpinionIssued(Event):
    """The bureau gave or refused its pre-final compliance consent (符合性审核, BY-45c, BY-45d, YF-18b)."""

    TYPE = "acceptance.compliance.opinion_issued.v1"

    project_id: str
    opinion_id: str
    unit_id: str
    pack: PackRef
    consent: bool = Field(description="Final acceptance may be organised; basis of the 终验款 (BY-45d)")
    findings: list[str] = Field(default_factory=list)
    rule_ids: list[RuleId] = Field(min_length=1)
    issued_at: AwareDatetime


@register
class AcceptanceFailed(Event):
    """A final acceptance review (终验) failed for the project or a sub-project (BY-47.3, DY-24, BZ-30, YL-27)."""

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
    """A final acceptance review (终验) passed; anchors filing (BY-48a), warranty (BY-27) and evaluation timers."""

    TYPE = "acceptance.project.passed.v1"

    project_id: str
    unit_id: str
    sub_project_id: str | None = None
    pack: PackRef
    attempt: int = Field(ge=1)
    concluded_on: date
    recorded_at: AwareDatetime


@register
class AcceptanceDeferred(Event):
    """The bureau granted a deferral of the acceptance application (延期验收, YL-26); moves the YL-22a timer."""

    TYPE = "acceptance.project.deferred.v1"

    project_id: str
    deferral_id: str
    unit_id: str
    pack: PackRef
    deferral_number: int = Field(ge=1, description="1 for the first deferral; the pack caps the count")
    new_due_on: date = Field(description="The acceptance application is now due by this day")
    rule_ids: list[RuleId] = Field(min_length=1)
    granted_at: AwareDatetime


@register
class AcceptanceFilingRejected(Event):
    """The bureau's filing review found the acceptance filing deficient (BY-48b–d); final=true triggers BY-48d."""

    TYPE = "acceptance.filing.rejected.v1"

    project_id: str
    filing_id: str
    unit_id: str
    sub_project_id: str | None = None
    pack: PackRef
    attempt: int = Field(ge=1)
    final: bool = Field(
        description="Still non-compliant after rectification, or refused: reviews and payments stop (BY-48d)"
    )
    defects: list[str] = Field(default_factory=list)
    rule_ids: list[RuleId] = Field(min_length=1)
    rejected_at: AwareDatetime = Field(description="The unit receives the feedback: anchor of 10 WD (BY-48c)")


@register
class AcceptanceFilingSubmitted(Event):
    """The unit applied for acceptance filing (BY-48a within 30 days, BY-48c again after defects); the filing deadline stops here."""

    TYPE = "acceptance.filing.submitted.v1"

    project_id: str
    filing_id: str
    unit_id: str
    sub_project_id: str | None = None
    pack: PackRef
    attempt: int = Field(ge=1)
    submitted_on: date
    rule_ids: list[RuleId] = Field(min_length=1)
    submitted_at: AwareDatetime


@register
class InitialAcceptanceFiled(Event):
    """The initial-acceptance materials reached the bureau (BY-40: within 15 working days of passing)."""

    TYPE = "acceptance.initial_acceptance.filed.v1"

    project_id: str
    unit_id: str
    sub_project_id: str | None = None
    pack: PackRef
    filed_on: date
    rule_ids: list[RuleId] = Field(min_length=1)
    filed_at: AwareDatetime


@register
class PerformanceMonitoringReportFiled(Event):
    """A unit filed the year's performance-monitoring report (项目绩效监控报告) during implementation (BZ-41)."""

    TYPE = "acceptance.monitoring_report.filed.v1"

    project_id: str
    unit_id: str
    pack: PackRef
    report_year: int = Field(ge=2000, le=2100, description="The year the report covers; it is due by that year's end")
    document_sm3: str = Field(pattern=r"^[0-9a-f]{64}$", description="SM3 of the report as filed")
    filed_on: date
    rule_ids: list[RuleId] = Field(min_length=1)
    filed_at: AwareDatetime


@register
class AcceptanceFiled(Event):
    """The acceptance filing (验收备案) was accepted (BY-48b, YF-18b, BZ-31); clears BY-22.7 and BY-48d blocks."""

    TYPE = "acceptance.filing.accepted.v1"

    project_id: str
    filing_id: str
    unit_id: str
    sub_project_id: str | None = None
    pack: PackRef
    filed_on: date
    rule_ids: list[RuleId] = Field(min_length=1)
    filed_at: AwareDatetime


EvaluationGrade = Literal[
    "excellent",  # 优秀
    "qualified",  # 合格
    "basically_qualified",  # 基本合格
    "unqualified",  # 不合格
]


@register
class EvaluationCompleted(Event):
    """An efficacy / performance evaluation concluded (BY-51c, BY-53, BZ-42b, DY-25, YF-21, YL-29)."""

    TYPE = "acceptance.evaluation.completed.v1"

    project_id: str
    evaluation_id: str
    unit_id: str
    pack: PackRef
    kind: Literal["self", "third_party", "bureau", "post"]
    grade: EvaluationGrade | None = Field(None, description="BY-53a grade; null where the pack grades nothing")
    imposed: bool = Field(False, description="不合格 imposed for a serious violation (DY-25b), not evaluated")
    cause_event_id: str | None = Field(None, description="The finding that imposed the grade (DY-25b)")
    rectification_due: date | None = Field(None, description="Findings must be rectified by this day (BY-53.3)")
    rule_ids: list[RuleId] = Field(min_length=1)
    completed_on: date = Field(description="Date of the result; BY-53.2 bans the same class in the next year")
    completed_at: AwareDatetime


FindingKind = Literal[
    "data_sharing",  # BZ-32c, YL-19b
    "data_aggregation",  # BY-5.1, BZ-11a
    "security",  # network / data security, major hidden danger (BY-22.15, BZ-47)
    "cryptography",  # BZ-43a, BZ-47
    "xinchuang",  # 信创 (YL-19b)
    "cloud_usage",  # shared infrastructure / government cloud (BY-5.1, YL-19b)
    "procurement",  # tendering (BZ-43a)
    "quality",
    "schedule",
    "funds",  # fund use, estimate control, overrun (BZ-43a, BZ-44a)
    "procedure",  # filing / approval procedures not completed (BZ-44a)
    "other",
]


@register
class SupervisionFindingRecorded(Event):
    """A supervisor's finding on a unit or project (BY-5.1, BY-22.15, BZ-11a, BZ-32c, BZ-43a/44a/47, DY-25b, YL-19b)."""

    TYPE = "acceptance.supervision.finding_recorded.v1"
    SUBJECT_FALLBACKS = ("unit_id",)

    finding_id: str
    project_id: str | None = Field(None, description="Null when the finding is about the unit's systems as a whole")
    unit_id: str
    pack: PackRef | None = Field(None, description="The project's pack; for a unit-level finding the deployment's")
    kind: FindingKind
    severity: Literal["general", "major", "serious"] = Field(
        description="major = 重大安全隐患 (BZ-47); serious = 严重违反 (DY-25b)"
    )
    authority: Literal[
        "data_bureau", "cyberspace", "public_security", "secrecy", "audit", "finance", "development_reform", "other"
    ]
    description: str
    rectification_due: date | None = Field(None, description="限期整改 period set in the order (BZ-43a)")
    rule_ids: list[RuleId] = Field(min_length=1)
    recorded_at: AwareDatetime


@register
class RectificationOverdue(Event):
    """A rectification was not done in time, still fails, or was refused (BY-47.3a, BY-48d, BY-53.3, BZ-43b)."""

    TYPE = "acceptance.rectification.overdue.v1"
    SUBJECT_FALLBACKS = ("unit_id",)

    project_id: str | None = Field(None, description="Null for a unit-level supervision finding")
    unit_id: str
    pack: PackRef | None = None
    source: RectificationSource
    reason: Literal["overdue", "still_non_compliant", "refused"]
    finding_id: str | None = Field(None, description="The supervision finding, when source is supervision")
    deadline_id: str | None = Field(None, description="The notify deadline that elapsed, when it did")
    cause_event_id: str
    due_on: date | None = None
    rule_ids: list[RuleId] = Field(min_length=1)
    detected_at: AwareDatetime


@register
class RectificationCompleted(Event):
    """A rectification was confirmed done (BY-22.9, BY-22.15, BY-53.3, BZ-47, DY-23); clears the blocks it caused."""

    TYPE = "acceptance.rectification.completed.v1"
    SUBJECT_FALLBACKS = ("unit_id",)

    project_id: str | None = None
    unit_id: str
    pack: PackRef | None = None
    source: RectificationSource
    finding_id: str | None = None
    cause_event_id: str = Field(description="The failure, finding or overdue event this rectification answers")
    rule_ids: list[RuleId] = Field(min_length=1)
    completed_on: date
    confirmed_at: AwareDatetime
