"""Deadlines an event starts (RULES.md §3.10.2), and their due dates on the working-day calendar.

Notify holds the timers; the owning service decides what an elapsed one means. A period counts
from the day after its anchor (A-13); a natural-day period that ends on a rest day ends on the
next working day where the pack says so (民法典 §203).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from policy.calendar import Deadline, WorkingDayCalendar
from policy.decisions import Decision, Model, Reason, rules_of
from policy.facts import PolicyInputError
from policy.sanctions import matches
from policy.schema import Pack, Period, TimerRule


class Timer(Model):
    kind: str
    rule_ids: tuple[str, ...]
    period: Period | None
    fixed_date: str | None
    length_from_event: bool
    opens: Period | None
    stops_on: tuple[str, ...]
    at_expiry_en: str
    at_expiry_zh: str

    @classmethod
    def of(cls, rule: TimerRule) -> Timer:
        return cls(kind=rule.kind, rule_ids=rule.rules, period=rule.period, fixed_date=rule.fixed_date,
                   length_from_event=rule.length_from_event, opens=rule.opens, stops_on=rule.stops_on,
                   at_expiry_en=rule.at_expiry_en, at_expiry_zh=rule.at_expiry_zh)


class TimerDecision(Decision):
    event: str
    timers: tuple[Timer, ...]


def timers_for(pack: Pack, event: str, facts: Mapping[str, Any] | None = None) -> TimerDecision:
    """The deadlines ``event`` with ``facts`` starts under ``pack``."""
    facts = dict(facts or {})
    timers = tuple(Timer.of(rule) for rule in pack.timers if rule.starts_on == event and matches(rule.when, facts))
    reasons = tuple(Reason(rule_ids=t.rule_ids, en=f"starts {t.kind}", zh=f"开始计时：{t.kind}") for t in timers)
    return TimerDecision(pack_id=pack.id, pack_version=pack.version, inputs={"event": event, **facts},
                         rule_ids=rules_of(*(t.rule_ids for t in timers)), reasons=reasons, event=event, timers=timers)


def timers_stopped_by(pack: Pack, event: str) -> tuple[str, ...]:
    """Kinds of running timers ``event`` stops."""
    return tuple(dict.fromkeys(rule.kind for rule in pack.timers if event in rule.stops_on))


def period_due(pack: Pack, period: Period, anchor: date, calendar: WorkingDayCalendar) -> Deadline:
    return calendar.add(anchor, period.length, period.unit, extend_if_rest_day=pack.calendar.extend_if_rest_day)


def timer_due(pack: Pack, timer: Timer, anchor: date, calendar: WorkingDayCalendar, *,
              ordered: Period | None = None) -> Deadline:
    """When ``timer`` started on ``anchor`` falls due.

    A fixed-date timer (YF-6 11-30) falls due on its date in the anchor's year, or the next year
    once that date has passed. A timer whose length the order sets (BZ-43a) needs ``ordered``.
    """
    if timer.period is not None:
        return period_due(pack, timer.period, anchor, calendar)
    if timer.fixed_date is not None:
        month, day = (int(part) for part in timer.fixed_date.split("-"))
        due = date(anchor.year, month, day)
        if due < anchor:
            due = date(anchor.year + 1, month, day)
        return calendar.add(due, 0, "natural_days")
    if ordered is None:
        raise PolicyInputError("ordered", f"timer {timer.kind} takes its period from the order that set it",
                               f"{timer.kind} 的期限由整改通知确定，须提供", timer.rule_ids)
    return period_due(pack, ordered, anchor, calendar)
