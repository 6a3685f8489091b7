"""Request and response bodies of the review API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from servicekit.identifiers import TEXT_PATTERN

MAX_AMOUNT_YUAN = 100_000_000_000

StageKey = Literal["plan_review", "initial_review", "expert_review", "cost_review", "co_review", "finance_review",
                   "committee_review", "external_approval"]


class OpinionIn(BaseModel):
    """The bureau's opinion on the open round of a stage."""

    model_config = ConfigDict(extra="forbid")

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
    approved_by: str
    approved_at: datetime
    event_id: str
