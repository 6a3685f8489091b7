"""The platform's clock (RULES.md §3.10.2): every event that starts a period per the project's pack
becomes a deadline; the events the pack names stop it; the scheduler publishes DeadlineElapsed once
for each deadline that ran out, and the owning service decides what that means.

Exactly once: a deadline is claimed with ``FOR UPDATE SKIP LOCKED`` and marked fired in the same
transaction as its event's outbox row, so neither a second replica nor a restart fires it again.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any, get_args

from sqlalchemy import and_, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError

from contracts.base import PackRef
from contracts.envelope import Envelope
from contracts.events import DeadlineElapsed
from contracts.events.notify import TimerKind
from policy.calendar import WorkingDayCalendar
from policy.facts import PolicyInputError
from policy.packs import get_pack
from policy.schema import Pack
from policy.timers import Timer, timer_due, timers_for, timers_stopped_by
from servicekit import policy as loaded_policy
from servicekit import runtime as service_runtime
from servicekit.clock import business_date
from servicekit.db import UnitOfWork

from notify.domain.periods import anchor_of, ordered_due, runs_out_at, working_days_before
from notify import channels
from notify.models import Deadline, DeadlineChange, FollowedProject, FollowedUnit, Reminder

log = logging.getLogger(__name__)

KINDS = set(get_args(TimerKind))
ALIASES = {"ReviewStageCompletedV2": "ReviewStageCompleted"}
"""A newer version of an event starts and stops what the pack names by the older one."""
PUBLISHED_KIND = {"warranty_end_software": "warranty_end", "warranty_end_hardware": "warranty_end"}
REFERENCES = ("finding_id", "evaluation_id", "change_id", "contract_id", "filing_id", "batch_id")
CALENDAR_YEAR = "CalendarYear"
YEARLY_FOR_EVERY_UNIT = {"annual_plan": 1}
"""Yearly timers of the deployment's pack that run for every unit, each with how many years after
its due date lies the year it is about: YF-6's plan for next year is due on 11-30 of this one."""
YEARLY_FOR_EVERY_PROJECT = {"monitoring_report": 0}
"""Yearly timers of a project's pack that run while it is being implemented (from approval to
acceptance): BZ-41's report on a year is due by that year's end."""
YEARLY_FOR_EVERY_DECLARATION = {"year_end_approval": 0}
"""Yearly timers of a pack that run for each project declared in the year until it is approved,
filed or rejected: YL-16a's next-year projects approved or filed by 31 December of this one."""
YEAR_FIELDS = ("plan_year", "report_year")
"""What a filing names the year it is for by: it answers the yearly deadline of that year only."""


def _facts(data: dict[str, Any], project: FollowedProject | None) -> dict[str, Any]:
    facts = dict(data)
    if project is not None:
        facts.setdefault("project_class", project.project_class)
        facts.setdefault("regime", project.regime)
    return facts


DERIVED = {("EvaluationCompleted", "kind", "self"): "SelfEvaluationFiled"}
"""Names the packs give to one case of a published event: a self-evaluation filed is an
evaluation completed by the unit itself (BY-51a, BZ-42a)."""


ANTECEDENTS = {"ContractFiled": ("ContractSigned",)}
"""Events the platform first hears of with a later one: a contract's signing is known when it is filed,
so the signing's period (BY-26c: 5 working days) starts from the day it names and the filing meets it
at once, late or in time, for the assessment (BY-59)."""


def names_of(event: Any) -> list[str]:
    name = ALIASES.get(type(event).__name__, type(event).__name__)
    return [name, *(derived for (source, field, value), derived in DERIVED.items()
                    if source == name and getattr(event, field, None) == value)]


async def on_event(uow: UnitOfWork, envelope: Envelope) -> None:
    """Stop what this event stops, then start what it starts, under each name the packs know it by."""
    event = envelope.data
    names = names_of(event)
    name = names[0]
    data = event.model_dump(mode="python")
    project_id = data.get("project_id")
    project = await uow.session.get(FollowedProject, project_id) if project_id else None
    policy, reminder_days = loaded_policy.current(), service_runtime.current().settings.reminder_working_days
    if await _remember(uow, name, data, project):
        await start_yearly_for_projects(uow, policy.calendar, reminder_days, business_date(uow.clock.now()), [data["project_id"]])
        project = await uow.session.get(FollowedProject, project_id)
    if data.get("unit_id") and await follow_unit(uow, data["unit_id"]):
        # before this event may stop it: a unit first heard of by filing its plan owes nothing
        await start_yearly(uow, policy.pack, policy.calendar, reminder_days, business_date(uow.clock.now()), [data["unit_id"]])
    ref = data.get("pack")
    if ref is None and project is None:
        # a unit's own filing names no pack: what it may stop are the deployment's yearly deadlines (YF-6)
        for each in names:
            await _stop(uow, policy.pack, each, data, envelope)
        return
    pack = get_pack(ref["id"], ref["version"]) if ref else get_pack(project.pack_id, project.pack_version)  # type: ignore[union-attr]
    for antecedent in ANTECEDENTS.get(name, ()):
        await _start(uow, pack, antecedent, data, envelope, project)
    for each in names:
        await _stop(uow, pack, each, data, envelope)
        await _start(uow, pack, each, data, envelope, project)
    if name == "ApplicationSubmitted":
        for timer in _yearly_timers(pack, YEARLY_FOR_EVERY_DECLARATION):
            await _start_yearly_for(uow, pack, timer, YEARLY_FOR_EVERY_DECLARATION[timer.kind], policy.calendar, reminder_days,
                                    anchor_of(data, envelope.time), {data["project_id"]: (data["unit_id"], data["project_id"])})


async def _remember(uow: UnitOfWork, name: str, data: dict[str, Any], project: FollowedProject | None) -> bool:
    """Keep what notify needs to know of a project; True when it is first heard of."""
    if name in ("ProjectApproved", "ProjectFiled") and project is None:
        uow.session.add(FollowedProject(project_id=data["project_id"], unit_id=data["unit_id"], pack_id=data["pack"]["id"],
                                        pack_version=data["pack"]["version"], project_class=data.get("project_class"),
                                        regime="approval" if name == "ProjectApproved" else "filing"))
        await uow.session.flush()
        return True
    if name in ("AcceptancePassed", "ProjectTerminated") and project is not None and data.get("sub_project_id") is None:
        project.implemented_until = project.implemented_until or business_date(uow.clock.now())
    return False


async def _stop(uow: UnitOfWork, pack: Pack, name: str, data: dict[str, Any], envelope: Envelope) -> None:
    kinds = timers_stopped_by(pack, name)
    if not kinds:
        return
    query = select(Deadline).where(Deadline.kind.in_(kinds), Deadline.stopped_at.is_(None), Deadline.fired_at.is_(None))
    cause = data.get("cause_event_id")
    references = {data[r] for r in REFERENCES if data.get(r)}
    years = {str(data[field]) for field in YEAR_FIELDS if data.get(field)}
    if data.get("project_id"):
        query = query.where(Deadline.project_id == data["project_id"])
    elif references or cause or years:
        query = query.where(Deadline.unit_id == data.get("unit_id"))
    else:
        return
    for deadline in (await uow.session.execute(query.with_for_update())).scalars():
        if deadline.started_by_event_type == CALENDAR_YEAR:
            # a filing for one year answers that year's deadline; the project's end (acceptance) answers
            # them all, a sub-project's does not
            if (years and deadline.reference_id not in years) or (not years and data.get("sub_project_id")):
                continue
        # a deadline about one record (a finding, an evaluation) stops only with that record
        elif deadline.reference_id and deadline.reference_id not in references and deadline.started_by_event_id != cause:
            continue
        deadline.stopped_at, deadline.stopped_by_event_id = uow.clock.now(), envelope.id
        deadline.met_on = business_date(envelope.time)


async def _start(uow: UnitOfWork, pack: Pack, name: str, data: dict[str, Any], envelope: Envelope,
                 project: FollowedProject | None) -> None:
    calendar = loaded_policy.current().calendar
    reminder_days = service_runtime.current().settings.reminder_working_days
    for timer in timers_for(pack, name, _facts(data, project)).timers:
        kind = PUBLISHED_KIND.get(timer.kind, timer.kind)
        if kind not in KINDS or timer.fixed_date:
            continue  # yearly timers run from the calendar, not from an event
        anchor = anchor_of(data, envelope.time)
        try:
            if timer.length_from_event:
                due_on = ordered_due(data)
                if due_on is None:
                    continue  # the order set no deadline of its own
                provisional = False
            else:
                deadline = timer_due(pack, timer, anchor, calendar)
                due_on, provisional = deadline.due, deadline.provisional
        except PolicyInputError:
            log.warning("%s: no calendar for the period of %s from %s; not started", envelope.id, kind, anchor)
            continue
        exists = (await uow.session.execute(select(Deadline.id).where(
            Deadline.kind == timer.kind, Deadline.started_by_event_id == envelope.id))).first()
        if exists:
            continue
        deadline = Deadline(
            kind=timer.kind, project_id=data.get("project_id"), unit_id=data.get("unit_id"), pack_id=pack.id,
            pack_version=pack.version, reference_id=next((str(data[r]) for r in REFERENCES if data.get(r)), None),
            rule_ids=list(timer.rule_ids), anchor_on=anchor, length=timer.period.length if timer.period else None,
            unit_of_count=timer.period.unit if timer.period else None, due_on=due_on, due_at=runs_out_at(due_on),
            provisional=provisional, at_expiry=timer.at_expiry_en, at_expiry_zh=timer.at_expiry_zh,
            started_by_event_id=envelope.id, started_by_event_type=name, stops_on=list(timer.stops_on),
            created_at=uow.clock.now())
        await _add_with_reminders(uow, deadline, reminder_days, calendar)


async def _add_with_reminders(uow: UnitOfWork, deadline: Deadline, reminder_days: Sequence[int],
                              calendar: WorkingDayCalendar) -> None:
    """The deadline, with a reminder the given working days before it is due (e.g. 3 and 1)."""
    uow.session.add(deadline)
    await uow.session.flush()
    for days in reminder_days:
        uow.session.add(Reminder(deadline_id=deadline.id, days_before=days,
                                 remind_on=working_days_before(deadline.due_on, days, calendar.is_working_day)))


async def follow_unit(uow: UnitOfWork, unit_id: str) -> bool:
    """Remember a unit; True the first time."""
    added = await uow.session.execute(insert(FollowedUnit).values(unit_id=unit_id, first_seen_at=uow.clock.now())
                                      .on_conflict_do_nothing().returning(FollowedUnit.unit_id))
    return added.first() is not None


def _yearly_timers(pack: Pack, which: dict[str, int]) -> list[Timer]:
    return [Timer.of(rule) for rule in pack.timers if rule.starts_on == CALENDAR_YEAR and rule.kind in which]


async def _start_yearly_for(uow: UnitOfWork, pack: Pack, timer: Timer, about_offset: int, calendar: WorkingDayCalendar,
                            reminder_days: Sequence[int], today: date,
                            subjects: dict[str, tuple[str | None, str | None]]) -> int:
    """``subjects``: for each key, the (unit, project) the deadline is for; each key is made once."""
    try:
        due = timer_due(pack, timer, today, calendar)
    except PolicyInputError:
        log.warning("no calendar for %s due after %s; the yearly deadline waits for it", timer.kind, today)
        return 0
    about = str(due.due.year + about_offset)
    keys = {f"{CALENDAR_YEAR}:{timer.kind}:{about}:{key}": subject for key, subject in subjects.items()}
    made_already = set((await uow.session.execute(select(Deadline.started_by_event_id).where(
        Deadline.kind == timer.kind, Deadline.started_by_event_id.in_(list(keys))))).scalars())
    made = 0
    for key, (unit_id, project_id) in keys.items():
        if key in made_already:
            continue
        deadline = Deadline(
            kind=timer.kind, unit_id=unit_id, project_id=project_id, pack_id=pack.id, pack_version=pack.version,
            reference_id=about, rule_ids=list(timer.rule_ids), anchor_on=today, due_on=due.due, due_at=runs_out_at(due.due),
            provisional=due.provisional, at_expiry=timer.at_expiry_en, at_expiry_zh=timer.at_expiry_zh,
            started_by_event_id=key, started_by_event_type=CALENDAR_YEAR, stops_on=list(timer.stops_on),
            created_at=uow.clock.now())
        await _add_with_reminders(uow, deadline, reminder_days, calendar)
        made += 1
    return made


async def start_yearly(uow: UnitOfWork, pack: Pack, calendar: WorkingDayCalendar, reminder_days: Sequence[int],
                       today: date, unit_ids: list[str] | None = None) -> int:
    """The next yearly deadline of each of the deployment pack's timers that run for every unit
    (YF-6: the next year's IT plan by 11-30), for the units given or every unit followed. Each is
    made once, whatever later becomes of it; returns how many were made."""
    made = 0
    for timer in _yearly_timers(pack, YEARLY_FOR_EVERY_UNIT):
        units = unit_ids or list((await uow.session.execute(select(FollowedUnit.unit_id))).scalars())
        made += await _start_yearly_for(uow, pack, timer, YEARLY_FOR_EVERY_UNIT[timer.kind], calendar, reminder_days, today,
                                        {unit: (unit, None) for unit in units})
    return made


async def start_yearly_for_projects(uow: UnitOfWork, calendar: WorkingDayCalendar, reminder_days: Sequence[int],
                                    today: date, project_ids: list[str] | None = None) -> int:
    """The next yearly deadline of each timer of a project's pack that runs while it is implemented
    (BZ-41: the year's monitoring report by 31 December), for the projects given or every project
    followed and not yet accepted or terminated."""
    query = select(FollowedProject).where(FollowedProject.implemented_until.is_(None))
    if project_ids is not None:
        query = query.where(FollowedProject.project_id.in_(project_ids))
    by_pack: dict[tuple[str, str], list[FollowedProject]] = {}
    for project in (await uow.session.execute(query)).scalars():
        by_pack.setdefault((project.pack_id, project.pack_version), []).append(project)
    made = 0
    for (pack_id, version), projects in by_pack.items():
        pack = get_pack(pack_id, version)
        for timer in _yearly_timers(pack, YEARLY_FOR_EVERY_PROJECT):
            made += await _start_yearly_for(uow, pack, timer, YEARLY_FOR_EVERY_PROJECT[timer.kind], calendar, reminder_days,
                                            today, {p.project_id: (p.unit_id, p.project_id) for p in projects})
    return made


async def fire_due(uow: UnitOfWork, limit: int = 100) -> int:
    """Publish DeadlineElapsed for the deadlines that ran out; returns how many fired."""
    now = uow.clock.now()
    query = (select(Deadline).where(Deadline.stopped_at.is_(None), Deadline.fired_at.is_(None), Deadline.due_at <= now)
             .order_by(Deadline.due_at).limit(limit).with_for_update(skip_locked=True))
    rows = list((await uow.session.execute(query)).scalars())
    for deadline in rows:
        envelope = uow.emit(DeadlineElapsed(
            deadline_id=str(deadline.id), kind=PUBLISHED_KIND.get(deadline.kind, deadline.kind),  # type: ignore[arg-type]
            project_id=deadline.project_id, unit_id=deadline.unit_id,
            pack=PackRef(id=deadline.pack_id, version=deadline.pack_version), reference_id=deadline.reference_id,
            rule_ids=list(deadline.rule_ids), due_at=deadline.due_at))
        deadline.fired_at, deadline.fired_event_id = now, envelope.id
        if deadline.unit_id:
            await _notice(uow, deadline, envelope.id, "unit", f"Deadline passed: {deadline.at_expiry}",
                          f"期限已到：{deadline.at_expiry_zh}")
            # a unit's missed deadline goes to the bureau too (escalation)
            await _notice(uow, deadline, f"{envelope.id}:bureau", "bureau",
                          f"{deadline.unit_id} missed a deadline: {deadline.at_expiry}", f"{deadline.unit_id} 逾期：{deadline.at_expiry_zh}")
    return len(rows) + await _remind(uow)


async def _notice(uow: UnitOfWork, deadline: Deadline, key: str, audience: str, title: str, title_zh: str,
                  unit_id: str | None = None) -> None:
    await channels.notice(
        uow, unit_id=unit_id or deadline.unit_id, project_id=deadline.project_id, event_id=key, event_type=f"deadline.{deadline.kind}",
        title=title, title_zh=title_zh, rule_ids=list(deadline.rule_ids), created_at=uow.clock.now(), audience=audience,
        due_on=deadline.due_on)


async def _remind(uow: UnitOfWork, limit: int = 100) -> int:
    """Reminders whose day has come, of deadlines still open (e.g. 3 and 1 working days before)."""
    today = business_date(uow.clock.now())
    query = (select(Reminder, Deadline).join(Deadline, Deadline.id == Reminder.deadline_id)
             .where(Reminder.sent_at.is_(None), Reminder.remind_on <= today, Deadline.stopped_at.is_(None),
                    Deadline.fired_at.is_(None), or_(Deadline.unit_id.is_not(None), Deadline.project_id.is_(None)))
             .limit(limit).with_for_update(of=Reminder, skip_locked=True))
    rows = (await uow.session.execute(query)).all()
    for reminder, deadline in rows:
        reminder.sent_at = uow.clock.now()
        # a deadline of the whole jurisdiction (a declaration window closing, BY-14a) is every unit's to know of
        units = [deadline.unit_id] if deadline.unit_id else list((await uow.session.execute(select(FollowedUnit.unit_id))).scalars())
        for unit_id in units:
            await _notice(uow, deadline, f"reminder:{deadline.id}:{reminder.days_before}", "unit",
                          f"Due on {deadline.due_on} ({reminder.days_before} working day(s) left): {deadline.kind}",
                          f"{deadline.due_on} 到期（剩 {reminder.days_before} 个工作日）：{deadline.at_expiry_zh}", unit_id=unit_id)
    return len(rows)


async def scheduler(runtime: Any) -> None:
    """Look for deadlines that ran out every few seconds, by the service's clock; once a business
    day, start the yearly deadlines whose year has come round."""
    yearly_done_on: date | None = None
    while True:
        try:
            async with runtime.units() as uow:
                today = business_date(uow.clock.now())
                if today != yearly_done_on:
                    made = await start_yearly(uow, runtime.policy.pack, runtime.policy.calendar,
                                              runtime.settings.reminder_working_days, today)
                    made += await start_yearly_for_projects(uow, runtime.policy.calendar,
                                                            runtime.settings.reminder_working_days, today)
                    await uow.commit()
                    yearly_done_on = today
                    if made:
                        log.info("%d yearly deadline(s) started for %s", made, today)
        except IntegrityError:
            # another replica (or an event for a new unit) made one of them first: look again next time
            log.info("yearly deadlines for %s were being started elsewhere; checking again", today)
        async with runtime.units() as uow:
            fired = await fire_due(uow)
            await uow.commit()
        if fired:
            log.info("%d deadline(s) elapsed", fired)
            continue
        await asyncio.sleep(runtime.settings.deadline_poll_seconds)


async def deadlines(uow: UnitOfWork, *, project_id: str | None = None, unit_id: str | None = None) -> list[Deadline]:
    query = select(Deadline).order_by(Deadline.due_at)
    if project_id is not None:
        query = query.where(Deadline.project_id == project_id)
    if unit_id is not None:
        # with the unit's own, the deadlines of the whole jurisdiction it declares in (BY-14a's window)
        query = query.where(or_(Deadline.unit_id == unit_id, and_(Deadline.unit_id.is_(None), Deadline.project_id.is_(None))))
    return list((await uow.session.execute(query)).scalars())



def outcome(deadline: Deadline) -> str:
    """``elapsed`` when it ran out, or when the event that met it happened after its last day (a filing the
    platform heard of only then, BY-26c); ``stopped`` when met in time; else ``open``. The day an event
    happened is its own, so a filing made in time and heard of late (a backlog, an outage) is in time."""
    if deadline.fired_at or (deadline.met_on is not None and deadline.met_on > deadline.due_on):
        return "elapsed"
    return "stopped" if deadline.stopped_at else "open"


async def deadlines_due_in(uow: UnitOfWork, year: int) -> list[Deadline]:
    query = select(Deadline).where(Deadline.due_on >= date(year, 1, 1), Deadline.due_on <= date(year, 12, 31))
    return list((await uow.session.execute(query.order_by(Deadline.unit_id, Deadline.due_on))).scalars())


async def recompute(uow: UnitOfWork, reason: str, limit: int = 500) -> int:
    """Open deadlines counted on the calendar, due again by the calendar loaded now; each move is
    recorded with the old and the new day, and a provisional day that became certain says so."""
    calendar = loaded_policy.current().calendar
    query = (select(Deadline).where(Deadline.stopped_at.is_(None), Deadline.fired_at.is_(None),
                                    Deadline.length.is_not(None), Deadline.unit_of_count.is_not(None))
             .order_by(Deadline.id).limit(limit).with_for_update(skip_locked=True))
    moved = 0
    for deadline in (await uow.session.execute(query)).scalars():
        pack = get_pack(deadline.pack_id, deadline.pack_version)
        try:
            again = calendar.add(deadline.anchor_on, deadline.length, deadline.unit_of_count,  # type: ignore[arg-type]
                                 extend_if_rest_day=pack.calendar.extend_if_rest_day)
        except PolicyInputError:
            continue
        if again.due == deadline.due_on and again.provisional == deadline.provisional:
            continue
        uow.session.add(DeadlineChange(deadline_id=deadline.id, old_due_on=deadline.due_on, new_due_on=again.due,
                                       old_provisional=deadline.provisional, new_provisional=again.provisional, reason=reason,
                                       changed_at=uow.clock.now()))
        deadline.due_on, deadline.due_at, deadline.provisional = again.due, runs_out_at(again.due), again.provisional
        for reminder in (await uow.session.execute(select(Reminder).where(
                Reminder.deadline_id == deadline.id, Reminder.sent_at.is_(None)))).scalars():
            reminder.remind_on = working_days_before(again.due, reminder.days_before, calendar.is_working_day)
        moved += 1
    return moved


async def recompute_at_start(runtime: Any) -> None:
    """The calendar is loaded when the service starts: bring every open deadline in line with it."""
    async with runtime.units() as uow:
        moved = await recompute(uow, "calendar loaded at start")
        await uow.commit()
    if moved:
        log.info("%d open deadline(s) moved to the calendar now loaded", moved)


async def changes(uow: UnitOfWork, deadline_ids: list[uuid.UUID]) -> list[DeadlineChange]:
    if not deadline_ids:
        return []
    query = select(DeadlineChange).where(DeadlineChange.deadline_id.in_(deadline_ids)).order_by(DeadlineChange.changed_at)
    return list((await uow.session.execute(query)).scalars())
