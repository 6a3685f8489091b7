"""The one clock every service reads.

Business time (deadlines, records) comes from here so tests and demos can move a project
through a year in seconds. The movable clock keeps its offset in the service's database,
so a restarted process still lives at the same moment. Infrastructure timing (retries,
timeouts) uses real time and never this clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from datetime import date, datetime, timedelta, timezone
from typing import Protocol
from zoneinfo import ZoneInfo

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""


def business_date(instant: datetime) -> date:
    """The calendar day of ``instant`` in Asia/Shanghai, the day rules count in."""
    if instant.tzinfo is None:
        raise ValueError("instant must be timezone-aware")
    return instant.astimezone(BUSINESS_TZ).date()


def fact_day(facts: Mapping[str, Any]) -> date | None:
    """The business day the fact an event reports happened (a grading's ``completed_on``, a
    finding's ``recorded_at``), so a period "to the end of the next year" (BY-53.2, BZ-32c, A-18)
    counts from the fact, not from when a consumer caught up with the message."""
    day = facts.get("completed_on")
    if day:
        return day if isinstance(day, date) else date.fromisoformat(str(day))
    instant = facts.get("recorded_at")
    if instant:
        return business_date(instant if isinstance(instant, datetime) else datetime.fromisoformat(str(instant)))
    return None


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def today(self) -> date:
        return business_date(self.now())


class MovableClock:
    """Real time plus an offset that only moves forward."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset

    def today(self) -> date:
        return business_date(self.now())

    def advance(self, delta: timedelta) -> None:
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        self.offset += delta

    def move_to(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("instant must be timezone-aware")
        self.advance(instant - self.now())
