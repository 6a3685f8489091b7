"""Review use cases."""

from __future__ import annotations

from sqlalchemy import select

from contracts.envelope import Envelope
from contracts.events import ApplicationSubmitted
from contracts.streams import INTAKE
from servicekit.consumer import Subscription
from servicekit.db import UnitOfWork

from review.models import ReviewCase


async def on_application_submitted(uow: UnitOfWork, envelope: Envelope) -> None:
    """Open the plan-review case (计划审核) of a declared project (BY-16a)."""
    event: ApplicationSubmitted = envelope.data  # type: ignore[assignment]
    uow.session.add(
        ReviewCase(
            project_id=event.project_id, application_id=event.application_id, unit_id=event.unit_id,
            pack_id=event.pack.id, pack_version=event.pack.version, project_name=event.project_name,
            declared_amount_fen=event.declared_amount_fen, opened_at=uow.clock.now(), opened_by_event_id=envelope.id,
        )
    )


async def cases(uow: UnitOfWork, unit_id: str | None, status: str | None) -> list[ReviewCase]:
    query = select(ReviewCase).order_by(ReviewCase.opened_at)
    if unit_id:
        query = query.where(ReviewCase.unit_id == unit_id)
    if status:
        query = query.where(ReviewCase.status == status)
    return list((await uow.session.execute(query)).scalars().all())


SUBSCRIPTIONS = [Subscription(INTAKE, {ApplicationSubmitted: on_application_submitted})]
