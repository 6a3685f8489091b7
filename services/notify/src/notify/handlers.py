"""Notify use cases: a notice in the unit's inbox for each event that concerns it."""

from __future__ import annotations

from sqlalchemy import select

from contracts.envelope import Envelope
from contracts.events import AcceptanceFailed, FinanceHoldPlaced, FinanceHoldReleased, ProjectTerminated, UnitStandingChanged
from contracts.streams import ACCEPTANCE, FINANCE, INTAKE, PROCUREMENT
from servicekit.consumer import Subscription
from servicekit.db import UnitOfWork

from notify.messages import describe
from notify.models import Notification


async def notify_unit(uow: UnitOfWork, envelope: Envelope) -> None:
    event = envelope.data
    title, title_zh, rule_ids = describe(event)
    uow.session.add(
        Notification(
            unit_id=event.unit_id,  # type: ignore[attr-defined]
            project_id=getattr(event, "project_id", None), event_id=envelope.id, event_type=type(event).event_name(),
            title=title, title_zh=title_zh, rule_ids=rule_ids, created_at=uow.clock.now(),
        )
    )


async def inbox(uow: UnitOfWork, unit_id: str, unread_only: bool) -> list[Notification]:
    query = select(Notification).where(Notification.unit_id == unit_id).order_by(Notification.created_at.desc())
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list((await uow.session.execute(query)).scalars().all())


SUBSCRIPTIONS = [
    Subscription(ACCEPTANCE, {AcceptanceFailed: notify_unit}),
    Subscription(INTAKE, {UnitStandingChanged: notify_unit}),
    Subscription(PROCUREMENT, {ProjectTerminated: notify_unit}),
    Subscription(FINANCE, {FinanceHoldPlaced: notify_unit, FinanceHoldReleased: notify_unit}),
]
