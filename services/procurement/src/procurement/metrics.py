"""Procurement's own metric: the finance holds in force, which an operator watches beside the
queues (a sudden rise means acceptance failures or unapproved changes arrived together)."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select

from servicekit.runtime import ServiceRuntime

from procurement.models import FinanceHold


async def holds_active(runtime: ServiceRuntime) -> Iterable[Metric]:
    gauge = GaugeMetricFamily("govit_holds_active", "Finance holds in force, by scope and mode",
                              labels=["service", "scope", "mode"])
    async with runtime.sessions() as session:
        rows = (await session.execute(
            select(FinanceHold.scope, FinanceHold.hold_mode, func.count())
            .where(FinanceHold.released_at.is_(None))
            .group_by(FinanceHold.scope, FinanceHold.hold_mode))).all()
    for scope, mode, count in rows:
        gauge.add_metric([runtime.name, scope, mode], count)
    if not rows:
        gauge.add_metric([runtime.name, "project", "hard"], 0)
    return [gauge]
