"""Request and response bodies of the intake API."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from contracts.base import ProjectClass
from policy.schema import Exclusion, Flag, FundingSource
from contracts.events.intake import UnitPlanKind
from servicekit.identifiers import TEXT_PATTERN, Day, Identifier

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
    notice_issued_on: Day = Field(description="The formal notice's date; the window counts from it (BY-14a)")
    closes_on: Day | None = Field(None, description="Only for packs that set no window length (A-17)")
    units: list[Identifier] = Field(default_factory=list, max_length=500,
                                    description="The units the batch is issued to (下达项目单位, YL-6); only where the pack issues batches")


class BatchOut(BaseModel):
    batch_id: uuid.UUID
    pack_id: str
    pack_version: str
    plan_year: int
    title: str
    notice_issued_on: date
    closes_on: date
    window_provisional: bool
    sequence: int | None = Field(None, description="The batch's number within its plan year (第N批, YL-6)")
    units: list[str] = Field(default_factory=list, description="The units it is issued to; empty: every unit")
    rule_ids: list[str]
    opened_at: datetime
    opened_by: str
    event_id: str


ShortText = Annotated[str, Field(min_length=1, max_length=200, pattern=TEXT_PATTERN)]


class Signature(BaseModel):
    """A signed opinion on a form (签字, 日期): who signed and when; the stamped scan is a document."""

    model_config = ConfigDict(extra="forbid")

    signer: ShortText
    signed_on: Day


class FundingSources(BaseModel):
    """资金来源 of DY-A1, in 元."""

    model_config = ConfigDict(extra="forbid")

    city_fiscal_yuan: StrictInt = Field(0, ge=0, le=MAX_AMOUNT_YUAN)
    county_fiscal_yuan: StrictInt = Field(0, ge=0, le=MAX_AMOUNT_YUAN)
    self_raised_yuan: StrictInt = Field(0, ge=0, le=MAX_AMOUNT_YUAN)
    other_yuan: StrictInt = Field(0, ge=0, le=MAX_AMOUNT_YUAN)


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ShortText
    office_phone: str | None = Field(None, max_length=30, pattern=r"^[0-9+\- ()]*$")
    mobile: str = Field(pattern=r"^1[0-9]{10}$", description="手机号码")
    address: ShortText
    postcode: str = Field(pattern=r"^[0-9]{6}$")


class ApplicationForm(BaseModel):
    """东源 立项申请表 (DY-A1, DY-6): the fields of the form, beside its stamped scan."""

    model_config = ConfigDict(extra="forbid")

    using_unit: str = Field(min_length=1, max_length=200, pattern=TEXT_PATTERN, description="项目使用单位")
    site: str = Field(description="项目拟建设地点", min_length=1, max_length=200, pattern=TEXT_PATTERN)
    nature: Literal["new", "expansion", "relocation", "rebuild", "other"] = Field(description="建设性质: 新建/扩建/迁建/改建/其他")
    in_county_investment_plan: StrictBool = Field(description="是否已列入本年度县级财政投资计划")
    county_government_consent: StrictBool = Field(description="是否已经县政府同意建设 (DY-7)")
    planned_start: Day = Field(description="计划动工时间")
    planned_completion: Day = Field(description="计划竣工时间")
    total_investment_yuan: StrictInt = Field(gt=0, le=MAX_AMOUNT_YUAN, description="项目总投资 in 元")
    yearly_funding_yuan: list[Annotated[StrictInt, Field(ge=0, le=MAX_AMOUNT_YUAN)]] = Field(min_length=1, max_length=5, description="资金安排计划, 第一年 … 第五年, in 元")
    funding_sources: FundingSources
    sector_approval_document: str | None = Field(None, min_length=1, max_length=200, pattern=TEXT_PATTERN, description="批准文件名称")
    sector_approval_number: str | None = Field(None, min_length=1, max_length=100, pattern=TEXT_PATTERN, description="批准文件文号")
    construction_content: str = Field(min_length=1, max_length=2000, pattern=TEXT_PATTERN, description="建设内容")
    expected_benefits: str = Field(min_length=1, max_length=2000, pattern=TEXT_PATTERN, description="预期经济、社会效益")
    applicant_leader: Signature = Field(description="申请单位领导意见")
    competent_department_leader: Signature = Field(description="主管部门领导意见; the unit's principal leader where it has none (DY-6)")
    contact: Contact


class DataItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, pattern=TEXT_PATTERN, description="产生数据名称")
    sharing_period: str = Field(min_length=1, max_length=50, pattern=TEXT_PATTERN, description="共享周期, e.g. 实时, 每日")
    provision_method: str = Field(min_length=1, max_length=50, pattern=TEXT_PATTERN, description="提供方式, e.g. 接口, 库表")
    shareable: StrictBool = True
    non_share_legal_basis: str | None = Field(None, min_length=1, max_length=500, pattern=TEXT_PATTERN,
                                              description="The law or policy that keeps the item unshared (DY-A2 note 2)")


class SystemFunction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    function: str = Field(min_length=1, max_length=200, pattern=TEXT_PATTERN, description="系统功能")
    data_items: list[DataItem] = Field(min_length=1, max_length=100)


class DataChecklist(BaseModel):
    """东源 数据资源管理核查表 (DY-A2, DY-9): what data the system will produce and how it is shared."""

    model_config = ConfigDict(extra="forbid")

    summary: str = Field(min_length=1, max_length=2000, pattern=TEXT_PATTERN, description="项目简介")
    hardware_yuan: StrictInt = Field(ge=0, le=MAX_AMOUNT_YUAN, description="系统硬件")
    system_software_yuan: StrictInt = Field(ge=0, le=MAX_AMOUNT_YUAN, description="系统软件")
    application_development_yuan: StrictInt = Field(ge=0, le=MAX_AMOUNT_YUAN, description="应用软件开发")
    approved_on: Day | None = Field(None, description="立项时间")
    expected_acceptance_on: Day = Field(description="预计验收时间")
    functions: list[SystemFunction] = Field(min_length=1, max_length=100)


class Forms(BaseModel):
    """Structured forms, for packs whose attachments have fixed fields (RULES.md §4)."""

    model_config = ConfigDict(extra="forbid")

    application_form: ApplicationForm | None = None
    data_resource_checklist: DataChecklist | None = None


class ParticipantIn(BaseModel):
    """A department taking part in a project another leads (BZ-22, YL-9)."""

    model_config = ConfigDict(extra="forbid")

    unit_id: Identifier
    scope: str = Field(min_length=2, max_length=500, pattern=TEXT_PATTERN, description="Its part: content, duties, data")


class ProjectIn(BaseModel):
    """What a unit says about a new project, whether it declares it for review or files it."""

    model_config = ConfigDict(extra="forbid")

    unit_id: Identifier
    using_unit_id: Identifier | None = Field(None, description="A subordinate unit the project is for (BY-5.2a)")
    project_name: str = Field(min_length=2, max_length=200, pattern=TEXT_PATTERN)
    system_name: str | None = Field(None, min_length=2, max_length=200, pattern=TEXT_PATTERN,
                                    description="The information system built or upgraded; compared with the asset catalogue (BY-22.3)")
    purpose: str | None = Field(None, min_length=2, max_length=500, pattern=TEXT_PATTERN,
                                description="建设目的: what the project is for; compared across the unit's projects (BY-19.1b)")
    planned_start: Day | None = Field(None, description="Planned start; with planned_end the period BY-19.1b compares")
    planned_end: Day | None = None
    forms: Forms = Field(default_factory=Forms)
    declared_amount_yuan: StrictInt = Field(gt=0, le=MAX_AMOUNT_YUAN,
                                            description="申报金额 in 元, an integer; the total (YL-11b) or budget (DY-2.1a) a filing states")
    upgrade_of_project_id: Identifier | None = Field(None, description="The earlier project this one upgrades (升级改造)")
    project_class: ProjectClass = Field(description="The project's one class in the pack's taxonomy (BY-4, BY-17.1a)")
    funding_source: FundingSource = Field("fiscal", description="Where the money comes from (BY-3, BZ-2, DY-2.1a, YL-11b)")
    exclusions: list[Exclusion] = Field(default_factory=list, max_length=5,
                                        description="Facts that put a project outside the pack: 涉密 (BY-2, YF-5, DY-4), emergency (BY-60) …")
    documents: list[AttachmentIn] = Field(default_factory=list, max_length=30,
                                          description="The submission's documents by the pack's keys (BY-15a, BY-15b, DY-2.1b)")
    flags: list[Flag] = Field(default_factory=list, max_length=20, description="Facts the pack's conditions read (自行建设 …)")
    responsible_person: str | None = Field(None, min_length=2, max_length=50, pattern=TEXT_PATTERN,
                                           description="项目负责人: the unit's principal head where the pack says so (BZ-24)")
    participants: list[ParticipantIn] = Field(default_factory=list, max_length=30,
                                              description="Other departments in a project the unit leads, each with its part (BZ-22, YL-9)")


class DesignMergeIn(BaseModel):
    """可研 and 初设 merged into one 实施方案 (BZ-17), and the ground it rests on: an explicit requirement
    of the named bodies with its document (BZ-17.1), a national-security or other urgent reason (BZ-17.2),
    or a total investment within the line (BZ-17.3)."""

    model_config = ConfigDict(extra="forbid")

    ground: Literal["higher_requirement", "urgent_special_reason", "small_investment"]
    requiring_body: Literal["central", "provincial", "municipal"] | None = Field(
        None, description="Who requires it: 党中央、国务院 / 省委、省政府 / 市委、市政府 (BZ-17.1)")
    document_title: str | None = Field(None, min_length=2, max_length=200, pattern=TEXT_PATTERN, description="文件名称 (BZ-17.1)")
    document_number: str | None = Field(None, min_length=2, max_length=100, pattern=TEXT_PATTERN, description="文号 (BZ-17.1)")
    document: DocumentRef | None = Field(None, description="The document that states the requirement (BZ-17.1)")
    reason: str | None = Field(None, min_length=2, max_length=2000, pattern=TEXT_PATTERN,
                               description="The special reason and why it is urgent (BZ-17.2)")


class CommitmentIn(BaseModel):
    """Why a project the bureau never approved is already under way: funds arranged, or county
    党委/政府 documents that require it; it applies all the same (DY-7)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["funded", "mandated"] = Field(description="funded: 已落实财政资金; mandated: 县委、县政府有关文件明确要求建设")
    document_title: str = Field(min_length=2, max_length=200, pattern=TEXT_PATTERN, description="文件名称")
    document_number: str = Field(min_length=2, max_length=100, pattern=TEXT_PATTERN, description="文号")
    document: DocumentRef


class DeclarationIn(ProjectIn):
    """A plan declaration (计划申报) for review."""

    batch_id: uuid.UUID | None = Field(None, description="The batch declared into; the open one when omitted")
    out_of_window_consents: list[ConsentIn] = Field(default_factory=list, max_length=5)
    design_merge: DesignMergeIn | None = Field(None, description="可研 and 初设 merged into one 实施方案, on its ground (BZ-17)")
    commitments: list[CommitmentIn] = Field(default_factory=list, max_length=2,
                                            description="An unapproved project already funded or required by county documents (DY-7)")


class FilingIn(ProjectIn):
    """A project filed with the bureau instead of declared for review: 备案制 (YL-11b, YL-13), or under
    the pack's floor where the pack still asks for a filing (DY-2.1b)."""


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
    adjusted: bool = Field(False, description="A resubmitted scheme clearly adjusted during 初审 (BY-31.2)")
    documents: list[AttachmentIn] = Field(default_factory=list, max_length=30)
    flags: list[Flag] = Field(default_factory=list, max_length=20)


class MicroFilingIn(BaseModel):
    """A 小微 project's 项目备案表, filed in place of a scheme (BY-19.1a)."""

    model_config = ConfigDict(extra="forbid")

    estimate_yuan: StrictInt = Field(gt=0, le=MAX_AMOUNT_YUAN, description="投资概算 in 元; below 50万 (不含) under BY")
    documents: list[AttachmentIn] = Field(default_factory=list, max_length=30)
    flags: list[Flag] = Field(default_factory=list, max_length=20)


class SchemeFilingIn(BaseModel):
    """The stamped scan of the final scheme (立项方案备案, BY-21)."""

    model_config = ConfigDict(extra="forbid")

    document: DocumentRef


class SchemeFilingOut(BaseModel):
    project_id: str
    document: DocumentRef
    filed_on: date
    rule_ids: list[str]
    event_id: str


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


class CatalogueSystemIn(BaseModel):
    """A system in the unit's 信息化资产目录 (BY-10)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=200, pattern=TEXT_PATTERN)
    function: str = Field("", max_length=500, pattern=TEXT_PATTERN, description="What the system does")
    status: Literal["in_service", "under_construction", "retired"] = "in_service"
    disposition: Literal["keep", "consolidate", "migrate", "retire"] | None = Field(
        None, description="What becomes of it: 保留, 整合, 迁移改造, 清理下线 (YL-4.3)")
    into: str | None = Field(None, min_length=2, max_length=200, pattern=TEXT_PATTERN,
                             description="For a system consolidated: the system of this catalogue it goes into")


class PlanFilingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: UnitPlanKind
    plan_year: StrictInt | None = Field(None, ge=2000, le=2100, description="The year an annual plan is for (YF-6)")
    document: DocumentRef
    systems: list[CatalogueSystemIn] = Field(default_factory=list, max_length=500,
                                             description="For an asset catalogue: the systems it lists (BY-10); duplicates are checked against them (BY-22.3)")
    contents: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]] = Field(
        default_factory=list, max_length=30,
        description="The parts the plan covers; a 白云 development plan covers its IT state, business model and processes, "
                    "planned tasks and its overall, data and application architecture (BY-9)")


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
    systems: list[CatalogueSystemIn] = []
    receipt: Receipt


class FindingOut(BaseModel):
    """Something the reviewer should judge, with the evidence intake found (BY-19.1b, BY-22.3)."""

    key: str
    rule_ids: list[str]
    message: str
    message_zh: str
    evidence: dict


class DeclarationOut(BaseModel):
    application_id: uuid.UUID
    project_id: str
    unit_id: str
    using_unit_id: str | None = None
    system_name: str | None = None
    purpose: str | None = None
    planned_start: date | None = None
    planned_end: date | None = None
    findings: list[FindingOut] = []
    participants: list[dict] = []
    door: str = Field("declaration", description="declaration (reviewed), filing (备案制, YL-13) or below_floor_filing (DY-2.1b)")
    scheme_filed_on: date | None = Field(None, description="When the stamped final scheme was filed (BY-21)")
    design_merge: dict | None = Field(None, description="The merged 实施方案's ground (BZ-17)")
    commitments: list[dict] = Field(default_factory=list, description="Funds or county documents already behind it (DY-7)")
    fund_application: dict | None = Field(None, description="The unit's application for the approved funds (YF-8.5)")
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


class FundApplicationIn(BaseModel):
    """The unit applies for the funds of its approved project after the fund review (YF-8.5)."""

    model_config = ConfigDict(extra="forbid")

    amount_yuan: StrictInt = Field(gt=0, le=MAX_AMOUNT_YUAN, description="申请金额 in 元; at most the approved amount")
    document: DocumentRef = Field(description="The application as sent (申请资金的请示)")


class FundApplicationOut(BaseModel):
    project_id: str
    amount_yuan: int
    document: DocumentRef
    addressee_zh: str
    applied_on: date
    rule_ids: list[str]


class LibraryEntry(BaseModel):
    project_id: str
    unit_id: str
    project_name: str
    project_class: str | None
    door: str
    status: str
    declared_amount_yuan: int
    approved_amount_yuan: int | None
    plan_year: int | None
    batch_id: uuid.UUID | None
    submitted_at: datetime


class ProjectLibraryOut(BaseModel):
    """The bureau's project library (项目库, YL-4.1): every project declared or filed, as it stands now."""

    pack_id: str
    rule_ids: list[str]
    total: int
    by_status: dict[str, int]
    projects: list[LibraryEntry]


class CensusUnitOut(BaseModel):
    unit_id: str
    name: str | None
    plan_id: uuid.UUID
    revision: int
    document_name: str
    document_sm3: str
    filed_at: datetime
    systems: int
    by_status: dict[str, int]
    by_disposition: dict[str, int]
    undecided: int = Field(description="Running systems whose disposition the catalogue does not state (YL-4.3)")


class AssetCensusOut(BaseModel):
    """The IT-asset census across units (信息化资产普查, YL-4.1, YL-4.3): each unit's latest catalogue."""

    pack_id: str
    rule_ids: list[str]
    units: list[CensusUnitOut]
    not_filed: list[str] = Field(description="Registered units without an asset catalogue")


class BlockOut(BaseModel):
    block_id: uuid.UUID
    scope: str
    rule_ids: list[str]
    project_id: str | None
    sub_project_id: str | None = Field(None, description="Set when the block concerns one sub-project (BY-47.3b)")
    cause_event_id: str
    cause_event_type: str
    placed_at: datetime
    lifted_by: str | None
    lifted_by_text: str = Field("", description="What lifts it, for a person to read")
    lifted_by_zh: str = Field("", description="解除条件")
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


class ChiefDataOfficer(BaseModel):
    """首席数据官 (BY-10): the person answerable for the unit's catalogues."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, pattern=TEXT_PATTERN)
    title: str = Field(min_length=1, max_length=100, pattern=TEXT_PATTERN, description="职务")
    appointed_on: Day


class UnitIn(BaseModel):
    """A unit entered in the registry by the bureau (BY-5.2a)."""

    model_config = ConfigDict(extra="forbid")

    unit_id: Identifier
    name: str = Field(min_length=2, max_length=200, pattern=TEXT_PATTERN)
    level: Literal["first_level", "subordinate"] = Field(description="一级预算单位 or 下属单位")
    parent_unit_id: Identifier | None = Field(None, description="For a subordinate: its first-level budget unit")
    sector: Literal["health", "education"] | None = Field(None, description="Sector organised by 区卫生健康局 / 区教育局 (BY-5.7)")
    role: Literal["data_bureau", "information_centre"] | None = Field(
        None, description="The body that declares 公共类 projects: the bureau (YF-7.1) or the information centre (YL-4.2)")
    chief_data_officer: ChiefDataOfficer | None = None
    principal_head: str | None = Field(None, min_length=2, max_length=50, pattern=TEXT_PATTERN,
                                       description="单位主要负责人: the responsible person of the unit's projects (BZ-24)")


class UnitOut(BaseModel):
    unit_id: str
    name: str
    level: str
    parent_unit_id: str | None
    sector: str | None
    role: str | None = None
    chief_data_officer: ChiefDataOfficer | None
    principal_head: str | None = None
    subordinates: list[str]
    registered_at: datetime
    updated_at: datetime


DOCUMENT_MEDIA_TYPES = (
    "application/pdf", "application/ofd", "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation", "application/zip",
    "application/x-7z-compressed", "application/vnd.rar", "image/jpeg", "image/png", "image/tiff", "text/plain",
    "text/csv", "application/octet-stream",
)
"""What a filing is made of: PDF and OFD (the national e-document format), office files, scans, archives
and plain text. A type a browser would run (HTML, SVG, script) is refused: the file is served back as
uploaded, to reviewers."""


class DocumentIn(BaseModel):
    """A document's content, base64-encoded; re-uploading under the same name adds a version."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, pattern=TEXT_PATTERN, description="File name, the series its versions share")
    media_type: Literal[DOCUMENT_MEDIA_TYPES] = "application/pdf"  # type: ignore[valid-type]
    content_base64: str = Field(min_length=1, pattern=r"^[A-Za-z0-9+/]+={0,2}$")


class DocumentOut(BaseModel):
    document_id: uuid.UUID
    unit_id: str
    name: str
    version: int
    media_type: str
    size_bytes: int
    sm3: str
    uploaded_at: datetime
    uploaded_by: str
    created: bool = Field(description="False when the same content was already the latest version of this name")
