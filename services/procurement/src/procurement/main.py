"""The procurement service: contracts, changes, termination and finance holds."""

from __future__ import annotations

from fastapi import FastAPI

from servicekit.app import create_service_app
from servicekit.cli import ServiceDefinition
from servicekit.settings import ServiceSettings

from procurement import access, api, handlers, metrics

Settings = ServiceSettings.for_service("procurement", 8003)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    return create_service_app(
        settings or Settings(),
        title="Procurement 采购与合同",
        description="Finance holds and terminations set off by acceptance outcomes; the finance system's counterpart.",
        routers=[api.router],
        access=access.ACCESS,
        subscriptions=handlers.SUBSCRIPTIONS,
        metrics=[metrics.holds_active],
    )


SERVICE = ServiceDefinition("procurement", Settings, create_app, "procurement.migrations")
