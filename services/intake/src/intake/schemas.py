"""Request and response bodies of the intake API."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from contracts.base import ProjectClass
from policy.schema import Flag
from contracts.events.intake import UnitPlanKind
from servicekit.identifiers import TEXT_PATTERN, Identifier

MAX_AMOUNT_YUAN = 100_000_000_000  # 1000亿元: above any district's IT budget, so a typo is caught


class DocumentRef(BaseModel):
    """A filed document, named by its SM3 digest so the filing proves which file it was."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, pattern=TEXT_PATTERN)
    sm3: str = Field(pattern=r"^[0-9a-f]{64}$", description="SM3 digest of the file, lowercase hex")


class ConsentIn(BaseModel):
    """A consent document that lets a declaration in outside the window (BY-14b)."""

    model_config = ConfigDict(extra="forbid")

    consent: str = Field(min_length=1, max_length=100, pattern=TEXT_PATTERN, description="as the pack names it, e.g. 区财政局书面同意")
    document: DocumentRef


class AttachmentIn(BaseModel):
    """A document handed in with a submission, under the key the pack names it by (e.g. feasibility_study)."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")
    document: DocumentRef


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    plan_year: StrictInt = Field(ge=2000, le=2100)
    title: str = Field(min_length=2, max_length=200, pattern=TEXT_PATTERN)
    notice_issued_on: date = Field(description="The formal notice's date; the window counts from it (BY-14a)")
    closes_on: date | None = Field(None, description="Only for packs that set no window length (A-17)")


class BatchOut(BaseModel):
    batch_id: uuid.UUID
    pack_id: str
    pack_version: str
    plan_year: int
    title: str
    notice_issued_on: date
    closes_on: date
    window_provisional: bool
    rule_ids: list[str]
    opened_at: datetime
    opened_by: str
    event_id: str


class DeclarationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: Identifier
    project_name: str = Field(min_length=2, max_length=200, pattern=TEXT_PATTERN)
    declared_amount_yuan: StrictInt = Field(gt=0, le=MAX_AMOUNT_YUAN, description="申报金额 in 元, an integer")
    upgrade_of_project_id: Identifier | None = Field(None, description="The earlier project this one upgrades (升级改造)")
    project_class: ProjectClass = Field(description="The project's one class in the pack's taxonomy (BY-4, BY-17.1a)")
    batch_id: uuid.UUID | None = Field(None, description="The batch declared into; the open one when omitted")
    documents: list[AttachmentIn] = Field(default_factory=list, max_length=30,
                                          description="The declaration's documents by the pack's keys (BY-15a, BY-15b)")
    flags: list[Flag] = Field(default_factory=list, max_length=20, description="Facts the pack's conditions read (自行建设 …)")
    out_of_window_consents: list[ConsentIn] = Field(default_factory=list, max_length=5)


class ResubmissionIn(BaseModel):
    """The plan adjusted after the review's opinion (BY-16c)."""

    model_config = ConfigDict(extra="forbid")

    adjustment_note: str = Field(min_length=2, max_length=2000, pattern=TEXT_PATTERN, description="How the opinion was answered")
    project_name: str | None = Field(None, min_length=2, max_length=200, pattern=TEXT_PATTERN)
    declared_amount_yuan: StrictInt | None = Field(None, gt=0, le=MAX_AMOUNT_YUAN)
    documents: list[AttachmentIn] = Field(default_factory=list, max_length=30)


class Receipt(BaseModel):
    """Proof of filing: the server's time of receipt and the SM3 of what was submitted (BY-14a windows,
    YF-6 11-30): a unit can show it filed before the deadline, and what it filed."""

    received_at: datetime
    request_sm3: str = Field(description="SM3 of the request body exactly as received")
    documents: list[DocumentRef]
    idempotency_key: str | None


class SchemeIn(BaseModel):
    """The 立项方案 after the plan passed review (BY-17)."""

    model_config = ConfigDict(extra="forbid")

    estimate_yuan: StrictInt = Field(gt=0, le=MAX_AMOUNT_YUAN, description="总投资概算 in 元")
    business_operation_yuan: StrictInt = Field(0, ge=0, le=MAX_AMOUNT_YUAN, description="业务运营 content inside it (BY-17.1b)")
    differs_from_plan: bool = Field(False, description="The scheme clearly departs from the approved plan (BY-31.1)")
    documents: list[AttachmentIn] = Field(default_factory=list, max_length=30)
    flags: list[Flag] = Field(default_factory=list, max_length=20)


class MicroFilingIn(BaseModel):
    """A 小微 project's 项目备案表, filed in place of a scheme (BY-19.1a)."""

    model_config = ConfigDict(extra="forbid")

    estimate_yuan: StrictInt = Field(gt=0, le=MAX_AMOUNT_YUAN, description="投资概算 in 元; below 50万 (不含) under BY")
    documents: list[AttachmentIn] = Field(default_factory=list, max_length=30)
    flags: list[Flag] = Field(default_factory=list, max_length=20)


class SchemeOut(BaseModel):
    scheme_id: uuid.UUID
    project_id: str
    revision: int
    track: str
    estimate_yuan: int
    business_operation_yuan: int
    rule_ids: list[str]
    submitted_at: datetime
    event_id: str
    receipt: Receipt


class PlanFilingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: UnitPlanKind
    plan_year: StrictInt | None = Field(None, ge=2000, le=2100, description="The year an annual plan is for (YF-6)")
    document: DocumentRef


class PlanFilingOut(BaseModel):
    plan_id: uuid.UUID
    unit_id: str
    kind: str
    plan_year: int | None
    revision: int
    document_name: str
    document_sm3: str
    rule_ids: list[str]
    filed_at: datetime
    filed_by: str
    event_id: str
    receipt: Receipt


class DeclarationOut(BaseModel):
    application_id: uuid.UUID
    project_id: str
    unit_id: str
    pack_id: str
    pack_version: str
    project_name: str
    declared_amount_yuan: int
    upgrade_of_project_id: str | None
    project_class: str | None
    batch_id: uuid.UUID | None
    round: int
    status: str
    submitted_at: datetime
    event_id: str
    receipt: Receipt


class BlockOut(BaseModel):
    block_id: uuid.UUID
    scope: str
    rule_ids: list[str]
    project_id: str | None
    cause_event_id: str
    cause_event_type: str
    placed_at: datetime
    lifted_by: str | None
    lift_inferred: bool
    message: str
    message_zh: str
    lifted_at: datetime | None
    project_class: str | None = Field(description="For same-type bans: the class they refuse (A-6)")
    until: date | None = Field(description="Last day of a time-bound block (BY-53.2, BZ-32c)")


class StandingOut(BaseModel):
    unit_id: str
    blocks: list[BlockOut]
    reviews_suspended: bool
