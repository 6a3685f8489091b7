"""Request and response bodies of the procurement API. Amounts are whole 元 in requests (as on the
forms) and travel as 分 in events."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from contracts.events.procurement import SupplierRole
from policy.facts import Override
from policy.schema import IpRight
from servicekit.identifiers import TEXT_PATTERN, CreditCode, Day, Identifier

MAX_AMOUNT_YUAN = 100_000_000_000
Yuan = Annotated[StrictInt, Field(ge=0, le=MAX_AMOUNT_YUAN)]
Text = Annotated[str, Field(min_length=1, max_length=2000, pattern=TEXT_PATTERN)]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=TEXT_PATTERN)]


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DocumentRef(Closed):
    """A document the unit stored (intake's document store), named by its SM3 digest."""

    name: Name
    sm3: str = Field(pattern=r"^[0-9a-f]{64}$", description="SM3 digest of the file, lowercase hex")


class FiledDocument(Closed):
    role: Literal["contract_text", "confidentiality_agreement", "personnel_register", "procurement_documents",
                  "requirement_self_check", "procurement_plan", "expert_opinion", "change_form", "change_list",
                  "change_description", "ip_plan_update", "termination_note", "other"]
    document: DocumentRef


class ExpertReviewIn(Closed):
    """The expert argument of the requirements and tender documents (DY-12)."""

    pool: Name = Field(description="e.g. 广东省政府采购评审专家库")
    experts_drawn: StrictInt = Field(ge=1, le=50)
    concluded_on: Day
    bias_found: StrictBool = Field(description="倾向性、歧视性条款 found; they must be removed before the tender")
    document: DocumentRef


class RequirementFilingIn(Closed):
    """采购需求自查表: the requirements compared with the approved scheme (BY-24)."""

    procurement_budget_yuan: Yuan = Field(description="采购预算: at most the approved amount (DY-11b); DY-12 line")
    matches_scheme: StrictBool = Field(description="The requirements match the approved scheme (BY-24)")
    deviations: list[Text] = Field(default_factory=list, max_length=50,
                                   description="Where the requirements depart from the scheme; a departure is a change (BY-32a)")
    scheme_designer_id: CreditCode | None = Field(None, description="The scheme's designer, who may not build it (DY-10.1c)")
    expert_review: ExpertReviewIn | None = None
    documents: list[FiledDocument] = Field(min_length=1, max_length=20)


class SupplierIn(Closed):
    supplier_id: CreditCode
    name: Name


class MilestoneIn(Closed):
    kind: Literal["advance", "progress", "final_payment", "remaining"]
    amount_yuan: Yuan
    label: Name | None = None


class TermIn(Closed):
    starts_on: Day
    ends_on: Day


class ContractIn(Closed):
    kind: Literal["contract", "supplementary"] = "contract"
    amends_contract_id: uuid.UUID | None = Field(None, description="The contract a supplementary agreement amends (BY-26d)")
    supplier: SupplierIn
    supplier_role: SupplierRole
    title: Name
    amount_yuan: Yuan
    signed_on: Day
    term: TermIn
    deliverables: list[Literal["software", "hardware", "services"]] = Field(default_factory=list)
    warranty_software_months: StrictInt | None = Field(None, ge=0, le=240, description="Free O&M after final acceptance (BY-27)")
    warranty_hardware_months: StrictInt | None = Field(None, ge=0, le=240)
    om_service: StrictBool = Field(False, description="An O&M service contract (BZ-38: ≤3 years, signed year by year)")
    service_purchase: StrictBool = Field(False, description="A service purchase (采购服务, YL-18b, YL-18d)")
    data_terms: StrictBool = Field(False, description="The contract states data-resource-management terms (BY-26a)")
    procurement_method: Literal["public_tender", "invited_tender", "competitive_negotiation", "competitive_consultation",
                                "single_source", "inquiry", "framework_agreement", "internal_control"] | None = Field(
        None, description="How it was procured (BZ-36); works subject to bidding are tendered (BZ-37); internal_control "
                          "only below the limit (BZ-39)")
    includes_works: StrictBool = Field(False, description="Includes construction works legally subject to bidding (BZ-37)")
    below_procurement_limit: StrictBool = Field(False, description="Outside the central catalogue and below the limit (BZ-39)")
    ip_clauses: dict[IpRight, Literal["unit", "supplier", "shared"]] = Field(
        default_factory=dict, description="Who owns each right, as the contract states (BY-28, BZ-27, YL-25a)")
    milestones: list[MilestoneIn] = Field(default_factory=list, max_length=20)
    documents: list[FiledDocument] = Field(default_factory=list, max_length=20)
    overrides: list[Override] = Field(default_factory=list, max_length=5,
                                      description="A recorded exception to a 原则上 rule (BY-28 IP ownership)")


class ChangeLineIn(Closed):
    kind: Literal["add", "cancel"] = Field(description="A modified item is a cancel of the old plus an add of the new (BY-33.3c)")
    amount_yuan: Yuan
    item: Name


class ChangeTotalsIn(Closed):
    added_yuan: Yuan | None = None
    cancelled_yuan: Yuan | None = None


class ChangeIn(Closed):
    stage: Literal["approval", "procurement", "implementation"]
    kind: Literal["content", "cancel_only", "policy", "budget_adjustment"] = "content"
    lines: list[ChangeLineIn] = Field(min_length=1, max_length=200)
    totals: ChangeTotalsIn | None = Field(None, description="The totals written on the change form; must match the lines")
    contract_id: uuid.UUID | None = Field(None, description="The contract (or supplementary agreement) that carries the change")
    major_content_change: StrictBool = Field(False, description="Goals, main content or technical scheme change (BY-33.1, YL-21.2)")
    after_the_fact: StrictBool = Field(False, description="The change was already made without approval (BY-32b, BZ-25b)")
    affects_ip: StrictBool = Field(False, description="The change affects IP types or ownership (BY-35a)")
    procedure_completed_on: Day | None = Field(None, description="Anchor of the filing period (BY-36)")
    reason: Text
    documents: list[FiledDocument] = Field(default_factory=list, max_length=20)
    overrides: list[Override] = Field(default_factory=list, max_length=5)


class ChangeDecisionIn(Closed):
    approved: StrictBool
    reasons: list[Text] = Field(default_factory=list, max_length=20)


class TerminationIn(Closed):
    ground: Literal["policy_change", "goals_unreachable", "om_object_stopped", "force_majeure"]
    sub_project_id: str | None = Field(None, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
    note: Text = Field(description="The termination note (终止说明, BY-38a)")
    documents: list[FiledDocument] = Field(min_length=1, max_length=20)


class FinalAccountsIn(Closed):
    """竣工财务决算报告 (BZ-40)."""

    final_amount_yuan: Yuan
    major: StrictBool = Field(False, description="A major project: its settlement is audited by the audit department first")
    audited: StrictBool = False
    report: DocumentRef
    audit_report: DocumentRef | None = None


class IncidentIn(Closed):
    """A serious delay or major investment loss, reported to 发改委, 财政局 and 大数据局 (BZ-26a)."""

    kind: Literal["serious_delay", "investment_loss"]
    description: Text


class ProgressReportIn(Closed):
    period_end: Day
    schedule_status: Literal["on_schedule", "behind_schedule"]
    milestones_due: StrictInt = Field(ge=0, le=1000)
    milestones_done: StrictInt = Field(ge=0, le=1000)
    delay_reason: Text | None = None


class ClearanceIn(Closed):
    """The finance bureau asks over HTTP what it may also ask on the FINANCE stream."""

    request_id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
    project_id: Identifier
    contract_id: Identifier | None = None
    milestone: Literal["advance", "progress", "final_payment", "remaining"]
    amount_fen: StrictInt = Field(ge=0, le=MAX_AMOUNT_YUAN * 100)


# ---- responses ---------------------------------------------------------------------------------


class HoldOut(BaseModel):
    hold_id: uuid.UUID
    project_id: str
    unit_id: str
    contract_id: str | None
    sub_project_id: str | None = Field(None, description="Set when the hold concerns one sub-project (BY-47.3b)")
    scope: str
    hold_mode: str
    rule_ids: list[str]
    cause_event_id: str
    cause_event_type: str
    placed_at: datetime
    release_condition: str | None
    amount_fen: int | None
    expires_on: date | None
    message: str
    message_zh: str
    released_at: datetime | None


class TerminationOut(BaseModel):
    project_id: str
    sub_project_id: str | None
    reason: str
    ground: str | None
    rule_ids: list[str]
    cause_event_id: str
    terminated_at: datetime


class ObligationOut(BaseModel):
    key: str
    stage: str
    status: Literal["met", "outstanding", "pending", "not_required"]
    rule_ids: list[str]
    detail: str


class ProjectOut(BaseModel):
    project_id: str
    unit_id: str
    pack: str
    project_class: str | None
    authorised_by: str
    approved_amount_yuan: int
    original_amount_yuan: int
    contracted_yuan: int
    approved_on: date
    valid_until: date | None
    status: str
    compliance: str | None
    obligations: list[ObligationOut]


class ContractOut(BaseModel):
    contract_id: uuid.UUID
    project_id: str
    kind: str
    amends_contract_id: uuid.UUID | None
    supplier_id: str
    supplier_role: str
    title: str
    amount_yuan: int
    signed_on: date
    term_starts_on: date
    term_ends_on: date
    milestones: list[dict[str, Any]]
    filing_due_on: date | None
    filed_late: bool
    rule_ids: list[str]
    filed_at: datetime


class ChangeOut(BaseModel):
    change_id: uuid.UUID
    project_id: str
    stage: str
    kind: str
    status: str
    outcome: str
    added_yuan: int
    cancelled_yuan: int
    change_amount_yuan: int
    base_yuan: int
    new_total_yuan: int
    requires_approval: bool
    requires_redeclaration: bool
    after_the_fact: bool
    steps: list[str]
    reasons: list[dict[str, Any]]
    filing_due_on: date | None
    filed_late: bool
    rule_ids: list[str]
    filed_at: datetime
    decided_at: datetime | None


class ClearanceOut(BaseModel):
    request_id: str
    project_id: str
    contract_id: str | None
    answer: Literal["cleared", "blocked", "pending"]
    rule_ids: list[str]
    hold_ids: list[str]
    reason: str | None
    ledger_as_of: datetime
    answered_at: datetime
