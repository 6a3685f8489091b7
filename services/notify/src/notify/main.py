"""The notify service: deadlines, reminders and every unit's inbox."""

from __future__ import annotations

from fastapi import FastAPI

from servicekit.app import create_service_app
from servicekit.cli import ServiceDefinition
from servicekit.settings import ServiceSettings

from notify import access, api, handlers

Settings = ServiceSettings.for_service("notify", 8005)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    return create_service_app(
        settings or Settings(),
        title="Notify 通知与期限",
        description="Each unit's inbox of what concerns it: failures, blocks, holds, terminations.",
        routers=[api.router],
        access=access.ACCESS,
        subscriptions=handlers.SUBSCRIPTIONS,
    )


SERVICE = ServiceDefinition("notify", Settings, create_app, "notify.migrations")
