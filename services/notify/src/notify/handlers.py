"""Notify use cases: a notice in the unit's inbox for each event that concerns it."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from contracts.envelope import Envelope
from contracts.events import (
    AcceptanceFailed,
    FinanceHoldPlaced,
    FinanceHoldReleased,
    IncidentReported,
    ProjectTerminated,
    UnitStandingChanged,
)
from contracts.registry import all_events
from contracts.streams import STREAMS
from policy.packs import default_registry
from servicekit.consumer import Subscription
from servicekit.db import UnitOfWork
from servicekit.errors import DomainError

from notify import channels, circulars, deadlines
from notify.messages import describe
from notify.models import Notification


async def notify_unit(uow: UnitOfWork, envelope: Envelope) -> None:
    event = envelope.data
    title, title_zh, rule_ids = describe(event)
    await channels.notice(
        uow, unit_id=event.unit_id,  # type: ignore[attr-defined]
        project_id=getattr(event, "project_id", None), event_id=envelope.id, event_type=type(event).event_name(),
        title=title, title_zh=title_zh, rule_ids=rule_ids, created_at=uow.clock.now(),
    )


async def inbox(uow: UnitOfWork, unit_id: str | None, unread_only: bool, audience: str = "unit") -> list[Notification]:
    query = select(Notification).where(Notification.audience == audience).order_by(Notification.created_at.desc())
    if unit_id is not None:
        query = query.where(Notification.unit_id == unit_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list((await uow.session.execute(query)).scalars().all())


NOTICES = (AcceptanceFailed, UnitStandingChanged, ProjectTerminated, FinanceHoldPlaced, FinanceHoldReleased)
"""Events a unit is told of in its inbox."""


def _timer_events() -> set[str]:
    names = set()
    for pack in default_registry():
        for timer in pack.timers:
            names.add(timer.starts_on)
            names.update(timer.stops_on)
    names |= {alias for alias, name in deadlines.ALIASES.items() if name in names}
    names |= {source for (source, _, _), derived in deadlines.DERIVED.items() if derived in names}
    return names | {"ProjectApproved", "ProjectFiled"}  # what notify learns of a project from


async def on_incident(uow: UnitOfWork, envelope: Envelope) -> None:
    """A unit's report of a serious delay or loss goes before the bureau's coordination (BZ-26a, YF-16, YL-20a)."""
    event: IncidentReported = envelope.data  # type: ignore[assignment]
    await channels.notice(
        uow, unit_id=event.unit_id, project_id=event.project_id, event_id=envelope.id, event_type=type(event).event_name(),
        title=f"{event.unit_id} reports {event.kind.replace('_', ' ')} on {event.project_id}: {event.description}",
        title_zh=f"{event.unit_id} 报告项目 {event.project_id} {'严重逾期' if event.kind == 'serious_delay' else '重大投资损失'}：{event.description}",
        rule_ids=list(event.rule_ids), created_at=uow.clock.now(), audience="bureau")


async def on_event(uow: UnitOfWork, envelope: Envelope) -> None:
    if isinstance(envelope.data, IncidentReported):
        await on_incident(uow, envelope)
    await deadlines.on_event(uow, envelope)
    if type(envelope.data).__name__ in CIRCULAR_TRIGGERS:
        await circulars.on_event(uow, envelope)
    if isinstance(envelope.data, NOTICES):
        await notify_unit(uow, envelope)


CIRCULAR_TRIGGERS = circulars.triggers()


def subscriptions() -> list[Subscription]:
    wanted = _timer_events() | CIRCULAR_TRIGGERS | {"IncidentReported"}
    by_stream: dict[str, dict] = {}
    for cls in all_events():
        if cls.__name__ in wanted or cls in NOTICES:
            stream = next((s for s in STREAMS if s.context == cls.TYPE.split(".")[0]), None)
            if stream is not None and cls.producer() != "notify":
                by_stream.setdefault(stream.name, {})[cls] = on_event
    return [Subscription(next(s for s in STREAMS if s.name == name), handlers) for name, handlers in sorted(by_stream.items())]


SUBSCRIPTIONS = subscriptions()


async def mark_read(uow: UnitOfWork, unit_id: str, notification_id: uuid.UUID) -> Notification:
    row = (await uow.session.execute(select(Notification).where(
        Notification.id == notification_id, Notification.unit_id == unit_id, Notification.audience == "unit").with_for_update())
           ).scalar_one_or_none()
    if row is None:
        raise DomainError("not_found", f"notification_id: no notification {notification_id} for {unit_id}", "通知不存在",
                          field="notification_id", status_code=404)
    if row.read_at is None:
        row.read_at = uow.clock.now()
    return row
