"""The review service: review rounds, experts, cost review and approval (批复)."""

from __future__ import annotations

from fastapi import FastAPI

from servicekit.app import create_service_app
from servicekit.cli import ServiceDefinition
from servicekit.settings import ServiceSettings

from review import access, api, handlers

Settings = ServiceSettings.for_service("review", 8002)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    return create_service_app(
        settings or Settings(),
        title="Review 评审与批复",
        description="Review cases opened by declarations (BY-16a).",
        routers=[api.router],
        access=access.ACCESS,
        subscriptions=handlers.SUBSCRIPTIONS,
    )


SERVICE = ServiceDefinition("review", Settings, create_app, "review.migrations")
