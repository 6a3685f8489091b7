"""Request and response bodies of the acceptance API."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from servicekit.identifiers import FreeText, Identifier


class FinalReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: Identifier
    sub_project_id: Identifier | None = None
    pack_id: Literal["BY", "YF", "BZ", "DY", "YL"] | None = Field(
        None, description="Pack the project was declared under; the deployment's pack when omitted"
    )
    result: Literal["passed", "failed"]
    concluded_on: date = Field(description="Date of the review meeting's conclusion (Asia/Shanghai)")
    reasons: list[FreeText] = Field(default_factory=list, max_length=50, description="Required when failed (BY-47.3a)")


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
