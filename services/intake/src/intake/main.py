"""The intake service: units, declarations and unit standing (不予立项)."""

from __future__ import annotations

from fastapi import FastAPI

from servicekit.app import create_service_app
from servicekit.cli import ServiceDefinition
from servicekit.settings import ServiceSettings

from intake import access, api, api_registry, handlers

Settings = ServiceSettings.for_service("intake", 8001)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    return create_service_app(
        settings or Settings(),
        title="Intake 项目申报",
        description="Units, documents, declarations and unit standing: who may declare what (BY-5.2a, BY-22, BZ-30).",
        routers=[api.router, api_registry.router],
        access=access.ACCESS,
        subscriptions=handlers.SUBSCRIPTIONS,
    )


SERVICE = ServiceDefinition("intake", Settings, create_app, "intake.migrations")
