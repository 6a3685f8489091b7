"""Events published by the procurement context (contracts, changes, implementation, termination)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from contracts.base import AmountFen, AwareDatetime, Event, PackRef, RuleId
from contracts.registry import register

__all__ = [
    "ChangeDecided",
    "ChangeFiled",
    "CloudResourceBlocked",
    "ContractFiled",
    "FinalAccountsFiled",
    "IncidentReported",
    "ProgressReported",
    "ProjectSuspended",
    "ProjectTerminated",
]

SupplierRole = Literal[
    "builder",  # 承建单位 / service provider
    "design",
    "consulting",
    "supervision",  # 监理 (BY-29.2a, YF-13a, YL-17b)
    "testing",
    "cost_review",
    "evaluation",
]


@register
class ContractFiled(Event):
    """A contract or supplementary agreement was filed (BY-26c, BY-26d, YL-20b); cancels the lapse timer (BY-37.3)."""

    TYPE = "procurement.contract.filed.v1"

    project_id: str
    contract_id: str
    unit_id: str
    pack: PackRef
    kind: Literal["contract", "supplementary"]
    amends_contract_id: str | None = Field(None, description="The contract a supplementary agreement amends")
    supplier_id: str
    supplier_role: SupplierRole = Field(description="Checked against the supplier's other roles (BY-29.1, DY-10.1c)")
    amount_fen: AmountFen = Field(description="合同金额: acceptance mode (BY-39, BY-47) and evaluation (BY-52)")
    signed_on: date = Field(description="Anchor of the 5-WD filing period (BY-26c)")
    warranty_software_months: int | None = Field(None, ge=0, description="Free O&M for software (BY-27)")
    warranty_hardware_months: int | None = Field(None, ge=0, description="Free O&M for hardware (BY-27)")
    rule_ids: list[RuleId] = Field(min_length=1)
    filed_at: AwareDatetime
    filing_due_on: date | None = Field(None, description="Last day of the filing period (BY-26c, BY-26d)")
    filed_late: bool | None = Field(None, description="Filed after filing_due_on (counts in the annual assessment, BY-59)")


ChangeStage = Literal["approval", "procurement", "implementation"]

ChangeKind = Literal[
    "content",  # content or amount changes (BY-32a, BY-33.3, DY-17a, YL-21)
    "cancel_only",  # only cancels content: filing, no approval (BY-33.2)
    "policy",  # major change or late delivery caused by law / policy (YF-17a, DY-18a)
    "budget_adjustment",  # 调概 (BZ-25b)
]


@register
class ChangeFiled(Event):
    """A unit filed a change of an approved project (BY-32a, BY-33, BY-34, BY-36, DY-17a, YL-21)."""

    TYPE = "procurement.change.filed.v1"

    project_id: str
    change_id: str
    unit_id: str
    pack: PackRef
    contract_id: str | None = None
    stage: ChangeStage
    kind: ChangeKind
    cancelled_amount_fen: AmountFen
    added_amount_fen: AmountFen
    change_amount_fen: AmountFen = Field(description="Σ|cancelled| + Σ|added| (BY-33.3c)")
    approved_amount_fen: AmountFen = Field(description="The approved amount the change is measured against")
    requires_approval: bool = Field(description="Needs the bureau's decision (ChangeDecided) before it is made")
    requires_redeclaration: bool = Field(
        description="Above the re-approval threshold: full re-declaration (BY-33.3a, YL-21)"
    )
    after_the_fact: bool = Field(False, description="Change was made before approval (BY-32b, BZ-25b)")
    procedure_completed_on: date | None = Field(None, description="Anchor of the 5-WD filing period (BY-36)")
    rule_ids: list[RuleId] = Field(min_length=1)
    filed_at: AwareDatetime
    filing_due_on: date | None = Field(None, description="Last day of the filing period (BY-36)")
    filed_late: bool | None = Field(None, description="Filed after filing_due_on (BY-59)")


@register
class ChangeDecided(Event):
    """The bureau approved or refused a filed change (BY-32a, BY-32b, BY-33.3b, BZ-25b, DY-17a)."""

    TYPE = "procurement.change.decided.v1"

    project_id: str
    change_id: str
    unit_id: str
    pack: PackRef
    contract_id: str | None = None
    approved: bool
    change_amount_fen: AmountFen = Field(description="Σ|cancelled| + Σ|added| (BY-33.3c)")
    added_amount_fen: AmountFen = Field(
        description="Added content: finance does not pay it if made unapproved (BY-32b)"
    )
    approved_amount_fen: AmountFen = Field(description="Approved amount after the decision: the new baseline (BY-47a)")
    rule_ids: list[RuleId] = Field(min_length=1)
    reasons: list[str] = Field(default_factory=list)
    decided_at: AwareDatetime


@register
class ProjectTerminated(Event):
    """A project or sub-project ended before completion (终止, BY-37, BY-38, BY-47.3b, BZ-26b, BZ-43b)."""

    TYPE = "procurement.project.terminated.v1"

    project_id: str
    unit_id: str
    sub_project_id: str | None = None
    pack: PackRef
    reason: Literal["acceptance_failed", "lapsed", "unit_request", "policy_change", "force_majeure", "supervision"]
    rule_ids: list[RuleId]
    cause_event_id: str | None = None
    terminated_at: AwareDatetime


@register
class ProjectSuspended(Event):
    """Construction was suspended or the investment plan deferred by the supervisors (BZ-26a, BZ-43b)."""

    TYPE = "procurement.project.suspended.v1"

    project_id: str
    suspension_id: str
    unit_id: str
    pack: PackRef
    measure: Literal["construction_suspended", "investment_deferred"]
    rule_ids: list[RuleId] = Field(min_length=1)
    cause_event_id: str
    cause_event_type: str
    lifted_by: str | None = Field(None, description="What lifts it, or null when the rules name nothing")
    suspended_at: AwareDatetime


@register
class CloudResourceBlocked(Event):
    """The government cloud must not give the project (new) resources (BZ-30, BZ-32c); for the cloud operator."""

    TYPE = "procurement.cloud.resources_blocked.v1"

    project_id: str
    block_id: str
    unit_id: str
    pack: PackRef
    scope: Literal["all_resources", "new_resources"]
    rule_ids: list[RuleId] = Field(min_length=1)
    cause_event_id: str
    cause_event_type: str
    until: date | None = Field(None, description="Last day of the block (BZ-32c: end of next year), or null")
    blocked_at: AwareDatetime


@register
class ProgressReported(Event):
    """A unit reported its project's schedule and milestones to the bureau (BY-29.5); feeds BY-22.5."""

    TYPE = "procurement.project.progress_reported.v1"

    project_id: str
    report_id: str
    unit_id: str
    pack: PackRef
    period_end: date
    schedule_status: Literal["on_schedule", "behind_schedule"]
    milestones_due: int = Field(ge=0, description="Milestones of the scheme due by period_end")
    milestones_done: int = Field(ge=0)
    delay_reason: str | None = Field(None, description="The unit's stated cause when behind schedule (BY-22.5)")
    reported_at: AwareDatetime


@register
class IncidentReported(Event):
    """A unit reported a serious delay or major investment loss to 发改委, 财政局, 大数据局 (BZ-26a)."""

    TYPE = "procurement.project.incident_reported.v1"

    project_id: str
    incident_id: str
    unit_id: str
    pack: PackRef
    kind: Literal["serious_delay", "investment_loss"]
    description: str
    rule_ids: list[RuleId] = Field(min_length=1)
    reported_at: AwareDatetime


@register
class FinalAccountsFiled(Event):
    """The unit filed its completion final-accounts report (竣工财务决算报告) for the finance bureau's review (BZ-40)."""

    TYPE = "procurement.project.final_accounts_filed.v1"

    project_id: str
    filing_id: str
    unit_id: str
    pack: PackRef
    final_amount_fen: AmountFen = Field(description="决算金额")
    approved_amount_fen: AmountFen = Field(description="The approved amount it is compared with (BZ-25a)")
    audited: bool = Field(description="A major project's settlement was audited by the audit department first (BZ-40)")
    report_sm3: str = Field(description="SM3 of the filed report")
    rule_ids: list[RuleId] = Field(min_length=1)
    filed_at: AwareDatetime
