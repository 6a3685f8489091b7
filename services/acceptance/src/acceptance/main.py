"""The acceptance service: initial and final acceptance, filing, rectification, evaluation."""

from __future__ import annotations

from fastapi import FastAPI

from servicekit.app import create_service_app
from servicekit.cli import ServiceDefinition
from servicekit.settings import ServiceSettings

from acceptance import access, api, handlers

Settings = ServiceSettings.for_service("acceptance", 8004)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    return create_service_app(
        settings or Settings(),
        title="Acceptance 验收与绩效评价",
        description="Final acceptance (终验), its failures and what they set off (BY-47).",
        routers=[api.router],
        access=access.ACCESS,
        subscriptions=handlers.SUBSCRIPTIONS,
    )


SERVICE = ServiceDefinition("acceptance", Settings, create_app, "acceptance.migrations")
