"""A unit's deadlines as an iCalendar feed (RFC 5545), so staff see them in the calendar they use."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone


@dataclass(frozen=True)
class Entry:
    uid: str
    due_on: date
    summary: str
    description: str


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 §3.1)."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode("utf-8")) > 75:
            out.append(current)
            current = " " + char
        else:
            current += char
    out.append(current)
    return out


def render(entries: Iterable[Entry], name: str, now: datetime) -> str:
    stamp = now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//govit//deadlines//ZH", "CALSCALE:GREGORIAN",
             f"X-WR-CALNAME:{_escape(name)}", "X-WR-TIMEZONE:Asia/Shanghai"]
    for entry in entries:
        lines += ["BEGIN:VEVENT", f"UID:{entry.uid}@govit", f"DTSTAMP:{stamp}",
                  f"DTSTART;VALUE=DATE:{entry.due_on:%Y%m%d}", f"DTEND;VALUE=DATE:{entry.due_on + timedelta(days=1):%Y%m%d}",
                  f"SUMMARY:{_escape(entry.summary)}", f"DESCRIPTION:{_escape(entry.description)}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(folded for line in lines for folded in _fold(line)) + "\r\n"
