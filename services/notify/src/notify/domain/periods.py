"""From an event to a deadline: which day a period counts from, and the moment it has run out.

A period counts from its anchor, the day the event says the thing happened (the approval date, the
signing date, the meeting date), not the day the event reached us; and it runs to the end of its
last day in Asia/Shanghai, so it has run out at the first moment of the next day.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from servicekit.clock import BUSINESS_TZ, business_date

ANCHOR_FIELDS = ("approved_on", "signed_on", "passed_on", "concluded_on", "completed_on", "notice_issued_on",
                 "procedure_completed_on", "filed_on", "confirmed_on", "started_on", "applied_on")
"""Fields that carry the day a thing happened, in the order they are preferred."""

TIMESTAMP_FIELDS = ("opinion_issued_at", "rejected_at", "decided_at", "recorded_at", "submitted_at", "filed_at", "granted_at")


def anchor_of(data: Mapping[str, Any], received_at: datetime) -> date:
    for name in ANCHOR_FIELDS:
        value = data.get(name)
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str) and len(value) == 10:
            return date.fromisoformat(value)
    for name in TIMESTAMP_FIELDS:
        value = data.get(name)
        if isinstance(value, datetime):
            return business_date(value)
        if isinstance(value, str):
            return business_date(datetime.fromisoformat(value))
    return business_date(received_at)


def runs_out_at(due_on: date) -> datetime:
    """The first moment after the last day of the period."""
    return datetime.combine(due_on + timedelta(days=1), time(0), tzinfo=BUSINESS_TZ)


def ordered_due(data: Mapping[str, Any]) -> date | None:
    """The deadline an order set itself (BZ-43a 限期整改, BY-53.3)."""
    value = data.get("rectification_due")
    if isinstance(value, date):
        return value
    return date.fromisoformat(value) if isinstance(value, str) else None


def working_days_before(due_on: date, days: int, is_working_day: Callable[[date], bool]) -> date:
    """The day ``days`` working days before ``due_on`` (the reminder's day)."""
    day, left = due_on, days
    while left > 0:
        day -= timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day
