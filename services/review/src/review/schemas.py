"""Request and response bodies of the review API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator, model_validator

from servicekit.identifiers import TEXT_PATTERN, Day, Identifier

MAX_AMOUNT_YUAN = 100_000_000_000

StageKey = Literal["plan_review", "initial_review", "expert_review", "cost_review", "co_review", "finance_review",
                   "committee_review", "external_approval"]


class CommitteeMember(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, pattern=TEXT_PATTERN)
    kind: Literal["expert", "official"] = Field(description="An IT expert, or a member for a body (BZ-5b)")
    body: str | None = Field(None, max_length=100, pattern=TEXT_PATTERN, description="The body an official sits for")


class JudgementIn(BaseModel):
    """The reviewer's finding on one of the pack's concerns (BY-11, BY-22, BZ-8 …); on an encouragement
    (BY-58) the note is the advice to the unit."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")
    found: bool = Field(description="The concern applies to this project")
    note: str | None = Field(None, max_length=1000, pattern=TEXT_PATTERN)


class OpinionIn(BaseModel):
    """The bureau's opinion on the open round of a stage."""

    model_config = ConfigDict(extra="forbid")

    third_party: str | None = Field(None, min_length=2, max_length=200, pattern=TEXT_PATTERN,
                                    description="The qualified third party that reviewed, where the pack requires one (DY-10.3b)")
    judgements: list[JudgementIn] = Field(default_factory=list, max_length=50,
                                          description="Findings on the pack's concerns; a 不予立项 item found ends the project (BY-22)")

    committee_members: list[CommitteeMember] = Field(default_factory=list, max_length=60,
                                                     description="Who sat, for a committee's decision (审委会, BZ-5b)")

    stage: StageKey
    round: StrictInt = Field(ge=1, le=20, description="The round the opinion closes; it must be the open one")
    result: Literal["passed", "failed"]
    reasons: list[str] = Field(default_factory=list, max_length=50,
                               description="What the unit must change; a failed opinion states at least one (BY-16b)")
    amount_yuan: StrictInt | None = Field(None, gt=0, le=MAX_AMOUNT_YUAN,
                                          description="The amount a passed plan review (BY-17.2b) or cost review (BY-20.3) fixes, in 元")

    @model_validator(mode="after")
    def failed_says_why(self) -> "OpinionIn":
        if self.result == "failed" and not self.reasons:
            raise ValueError("reasons: a failed opinion states what must change")
        for reason in self.reasons:
            if not 1 <= len(reason) <= 500 or "\x00" in reason:
                raise ValueError("reasons: each reason is 1–500 characters of text")
        return self


class ApprovalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approved_amount_yuan: StrictInt = Field(gt=0, le=MAX_AMOUNT_YUAN, description="立项批复金额 in 元; at most the reviewed amount")
    document_number: str = Field(min_length=2, max_length=100, pattern=TEXT_PATTERN, description="批复文号, e.g. 云政数审〔2027〕12号")


class RoundOut(BaseModel):
    judgements: list[dict] = []
    third_party: str | None = None
    stage: str
    round: int
    opened_at: datetime
    due_on: date | None
    due_provisional: bool
    result: str | None
    reasons: list[str]
    amount_yuan: int | None
    rule_ids: list[str]
    decided_by: str | None
    decided_at: datetime | None
    event_id: str | None


class CaseOut(BaseModel):
    project_id: str
    due_on: date | None = Field(None, description="When the open round is due (the desk's order of work)")
    application_id: str
    unit_id: str
    pack_id: str
    pack_version: str
    project_name: str
    declared_amount_fen: int
    project_class: str | None
    track: str | None
    path: list[str]
    stage: str
    awaiting: str
    status: str
    plan_amount_fen: int | None
    reviewed_amount_fen: int | None
    findings: list[dict]
    flags: list[str] = Field(default_factory=list, description="The declared facts the pack's conditions read (public_class, county_collaboration …)")
    fund_application: dict | None = Field(None, description="The bureau's application for a 公共类 project's funds (YF-7.4)")
    priority: str = "normal"
    priority_reason: str | None = None
    opened_at: datetime
    paused_at: datetime | None
    closed_at: datetime | None


class CaseDetailOut(CaseOut):
    rounds: list[RoundOut]


class ApprovalOut(BaseModel):
    approval_id: str
    project_id: str
    unit_id: str
    pack_id: str
    pack_version: str
    approved_amount_yuan: int
    ceiling_basis: str
    authority: str
    approved_on: date
    valid_until: date | None
    document_number: str
    opinions: list[dict]
    rule_ids: list[str]
    requirements: list[dict]
    approved_by: str
    approved_at: datetime
    event_id: str


Label = Annotated[str, Field(min_length=1, max_length=100, pattern=TEXT_PATTERN)]


class ExpertIn(BaseModel):
    """A pool member (专家库, BY-20.2b)."""

    model_config = ConfigDict(extra="forbid")

    expert_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    username: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]*$", description="The expert's login")
    name: Label
    employer: Label
    fields: list[Label] = Field(min_length=1, max_length=20, description="专业领域")
    pools: list[Label] = Field(min_length=1, max_length=5, description="The pools the expert belongs to, as the pack names them")


class ExpertOut(BaseModel):
    expert_id: str
    username: str
    name: str
    employer: str
    fields: list[str]
    pools: list[str]
    active: bool


class MeetingIn(BaseModel):
    """A review meeting to draw experts for; its seed is committed now and revealed by the draw."""

    model_config = ConfigDict(extra="forbid")

    stage: Literal["expert_review", "cost_review", "initial_review", "plan_review", "initial_acceptance", "final_acceptance"] = Field(
        "expert_review", description="expert_review (BY-20.2a); plan_review when the bureau calls experts on a plan (BY-16e); "
                                     "an acceptance meeting of an approved project (BY-5.2b)")
    pool: Label = Field(description="The pack's pool drawn from (BY-20.2b: 广州市 or 白云区)")
    fields: list[Label] = Field(default_factory=list, max_length=20, description="Fields at least one of which an expert must cover")
    size: StrictInt | None = Field(None, ge=1, le=25, description="Experts to draw; the pack's number when it sets one (A-27)")
    starts_at: datetime
    ends_at: datetime
    conflicted_employers: list[Label] = Field(default_factory=list, max_length=30,
                                              description="The unit, its suppliers, the scheme's designer: their staff are not drawn")
    involved_experts: list[str] = Field(default_factory=list, max_length=50, description="Experts who worked on the project before")

    @model_validator(mode="after")
    def ends_after_start(self) -> "MeetingIn":
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError("starts_at, ends_at: give the time zone (Asia/Shanghai is +08:00)")
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at: the meeting ends after it starts")
        return self


class ExpertOpinionIn(BaseModel):
    """A drawn expert's written opinion on the project before the meeting (专家评审意见)."""

    model_config = ConfigDict(extra="forbid")

    recommendation: Literal["pass", "revise", "fail"] = Field(description="通过 / 修改后通过 / 不通过")
    opinion: str = Field(min_length=10, max_length=4000, pattern=TEXT_PATTERN, description="The opinion as written")


class ExpertOpinionOut(BaseModel):
    opinion_id: uuid.UUID
    meeting_id: uuid.UUID
    project_id: str
    expert_id: str
    recommendation: str
    opinion: str
    submitted_at: datetime


class DeclineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expert_id: Identifier
    reason: str = Field(min_length=1, max_length=500, pattern=TEXT_PATTERN)


class DrawOut(BaseModel):
    attempt: int
    size: int
    candidates: list[str]
    excluded: list[dict]
    selected: list[str]
    drawn_by: str
    drawn_at: datetime


class BookingOut(BaseModel):
    expert_id: str
    status: str
    attempt: int
    declined_reason: str | None


class MeetingOut(BaseModel):
    meeting_id: str
    project_id: str
    stage: str
    pool: str
    fields: list[str]
    size: int
    starts_at: datetime
    ends_at: datetime
    conflicted_employers: list[str]
    involved_experts: list[str]
    seed_commitment: str = Field(description="SM3 of the seed, published before the draw")
    seed: str | None = Field(description="Revealed by the first draw: re-run it with the candidates to check the experts")
    draws: list[DrawOut]
    bookings: list[BookingOut]


class InvitedBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=2, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")
    name_zh: str = Field(min_length=2, max_length=100, pattern=TEXT_PATTERN)


class CoReviewRequestIn(BaseModel):
    """Ask bodies for their opinions: those whose remit the project's topics touch (BY-5.5) and any
    professional department the bureau invites (BY-5.6)."""

    model_config = ConfigDict(extra="forbid")

    topics: list[Literal["geo_spatial_data", "urban_village_communications", "public_video", "new_technology",
                         "has_sector_department"]] = Field(default_factory=list, max_length=10)
    invited: list[InvitedBody] = Field(default_factory=list, max_length=10)

    @field_validator("invited")
    @classmethod
    def each_body_once(cls, invited: list[InvitedBody]) -> list[InvitedBody]:
        named = [item.body for item in invited]
        if len(named) != len(set(named)):
            raise ValueError(f"each body once ({', '.join(sorted({b for b in named if named.count(b) > 1}))} twice)")
        return invited


class CoReviewOpinionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    result: Literal["agreed", "objected"]
    reasons: list[Annotated[str, Field(min_length=1, max_length=500, pattern=TEXT_PATTERN)]] = Field(default_factory=list, max_length=30)

    @model_validator(mode="after")
    def objection_says_why(self) -> "CoReviewOpinionIn":
        if self.result == "objected" and not self.reasons:
            raise ValueError("reasons: an objection states its grounds")
        return self


class CoReviewOut(BaseModel):
    body: str
    body_zh: str
    before: str
    rule_ids: list[str]
    requested_at: datetime
    due_on: date | None
    result: str | None
    reasons: list[str]
    recorded_by: str | None
    recorded_at: datetime | None


class AnnualListIn(BaseModel):
    """The year's project list as 市委、市政府 approved it (BZ-15)."""

    model_config = ConfigDict(extra="forbid")

    pack_id: Literal["BY", "YF", "BZ", "DY", "YL"] | None = Field(None, description="The jurisdiction's pack; the deployment's when omitted")
    year: StrictInt = Field(ge=2000, le=2100)
    project_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(min_length=1, max_length=2000)
    approved_on: Day
    document_number: str = Field(min_length=2, max_length=100, pattern=TEXT_PATTERN, description="审定文件文号")


class AnnualListOut(BaseModel):
    list_id: str
    pack_id: str
    year: int
    project_ids: list[str]
    approved_on: date
    document_number: str
    recorded_by: str
    recorded_at: datetime
    event_id: str


class SchemeChangeIn(BaseModel):
    """A change to the scheme the reviewers did not ask for (BY-31.3, BY-31.4)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=2, max_length=2000, pattern=TEXT_PATTERN)
    substantive: bool = Field(description="实质性调整: the revision will also bring an expert argument (and a change cost review)")


class SchemeChangeDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    consent: bool
    reasons: list[Annotated[str, Field(min_length=1, max_length=500, pattern=TEXT_PATTERN)]] = Field(default_factory=list, max_length=20)


class SchemeChangeOut(BaseModel):
    change_id: str
    project_id: str
    after_stage: str
    substantive: bool
    reason: str
    requested_by: str
    requested_at: datetime
    consented: bool | None
    reasons: list[str]
    decided_by: str | None
    decided_at: datetime | None
    event_id: str | None


class PriorityIn(BaseModel):
    """The bureau's order of work (轻重缓急, YL-10): urgent first, then by the round's due date."""

    model_config = ConfigDict(extra="forbid")

    priority: Literal["urgent", "high", "normal", "low"]
    reason: str = Field(min_length=2, max_length=500, pattern=TEXT_PATTERN, description="The plan, key task or deployment it serves")


class FundApplicationIn(BaseModel):
    """The bureau applies to 市政府 for the funds of a 公共类 project whose fund review has passed (YF-7.4)."""

    model_config = ConfigDict(extra="forbid")

    amount_yuan: StrictInt = Field(gt=0, le=MAX_AMOUNT_YUAN, description="申请金额 in 元; at most what the cost review fixed")
    document_number: str = Field(min_length=2, max_length=100, pattern=TEXT_PATTERN, description="申请资金的请示文号, e.g. 云政数〔2027〕5号")


class FundApplicationOut(BaseModel):
    project_id: str
    amount_yuan: int
    document_number: str
    addressee_zh: str
    applied_on: date
    applied_by: str
    rule_ids: list[str]
