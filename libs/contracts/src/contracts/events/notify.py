"""Events published by the notify context (deadlines, notifications, 通报)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from contracts.base import AwareDatetime, Event, PackRef, RuleId
from contracts.registry import register

__all__ = ["CircularIssued", "DeadlineElapsed", "NotificationSent", "TimerKind"]

TimerKind = Literal[
    # RULES.md §3.10.2
    "batch_close",  # BY-14a
    "annual_plan",  # YF-6
    "year_end_approval",  # YL-16a
    "review_sla",  # BY-16b, BY-20.1a
    "unit_response",  # BY-16c, BY-20.1b
    "scheme_filing",  # BY-21
    "approval_validity",  # BY-20.4b, YF-8.4b
    "contract_filing",  # BY-26c, BY-26d
    "change_filing",  # BY-34, BY-36
    "initial_acceptance_filing",  # BY-40
    "trial_run_min",  # BY-41, BZ-28a
    "data_aggregation",  # BY-42
    "acceptance_rectification",  # BY-47.3a
    "acceptance_filing",  # BY-48a
    "filing_rectification",  # BY-48c
    "self_evaluation",  # BY-51a
    "acceptance_application",  # YL-22a, YL-26
    "acceptance_upload",  # YL-23a
    "monitoring_report",  # BZ-41
    "self_evaluation_window",  # BZ-42a
    "evaluation_window",  # YL-29
    "supervision_rectification",  # BZ-43a
    "warranty_end",  # BY-27
    # cited by §3 rows but missing from §3.10.2
    "acceptance_due",  # BZ-30 (inferred trigger of "未进行验收", A-16)
    "evaluation_rectification",  # BY-53.3, BY-22.9 (period set per finding)
]


@register
class DeadlineElapsed(Event):
    """A timer the rules create ran out; the owning service decides what it means (RULES.md §3.10.2)."""

    TYPE = "notify.deadline.elapsed.v1"
    SUBJECT_FALLBACKS = ("unit_id", "deadline_id")

    deadline_id: str
    kind: TimerKind
    phase: Literal["due", "opens"] = Field(
        "due", description="opens = the start of a window timer (BZ-42a, YL-29 open at 12 months)"
    )
    project_id: str | None = Field(None, description="Null for unit-level and yearly timers")
    unit_id: str | None = Field(None, description="Null only for bureau-wide timers (batch_close)")
    pack: PackRef | None = None
    reference_id: str | None = Field(
        None, description="The record the timer watches when not the project: batch, contract, change, filing, finding"
    )
    rule_ids: list[RuleId] = Field(min_length=1)
    due_at: AwareDatetime


@register
class NotificationSent(Event):
    """A notification reached a recipient's inbox or left by e-mail / webhook (audit trail)."""

    TYPE = "notify.notification.sent.v1"
    SUBJECT_FIELD = "notification_id"

    notification_id: str
    recipient_id: str
    recipient_kind: Literal["user", "unit", "role", "external"]
    channel: Literal["inbox", "email", "webhook"]
    kind: Literal["information", "reminder", "escalation", "deadline_elapsed", "circular"]
    project_id: str | None = None
    unit_id: str | None = None
    cause_event_id: str
    cause_event_type: str
    rule_ids: list[RuleId] = Field(default_factory=list)
    sent_at: AwareDatetime


CircularAddressee = Literal[
    "public",
    "discipline_commission",  # 纪委监委 (DY-25b)
    "organisation_department",  # 组织部 (DY-25b)
    "finance_bureau",
    "audit_bureau",
    "development_reform",
    "data_bureau",
]


@register
class CircularIssued(Event):
    """A 通报 was issued: criticism of a unit or publication of evaluation results (BY-53a, BZ-43b, BZ-44a, DY-25b)."""

    TYPE = "notify.circular.issued.v1"
    SUBJECT_FIELD = "circular_id"

    circular_id: str
    kind: Literal["criticism", "evaluation_results"]
    unit_ids: list[str] = Field(description="Units named in the circular")
    project_ids: list[str] = Field(default_factory=list)
    addressees: list[CircularAddressee] = Field(min_length=1)
    title: str
    cause_event_ids: list[str] = Field(min_length=1)
    rule_ids: list[RuleId] = Field(min_length=1)
    issued_at: AwareDatetime
