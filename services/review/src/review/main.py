"""The review service: review rounds, experts, cost review and approval (批复)."""

from __future__ import annotations

from fastapi import FastAPI

from servicekit.app import create_service_app
from servicekit.cli import ServiceDefinition
from servicekit.settings import ServiceSettings

from review import access, api, api_experts, handlers

Settings = ServiceSettings.for_service("review", 8002)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    return create_service_app(
        settings or Settings(),
        title="Review 评审与批复",
        description="Review cases, rounds, expert draws and approval (BY-16, BY-20, BY-22.11–22.13).",
        routers=[api.router, api_experts.router],
        access=access.ACCESS,
        subscriptions=handlers.SUBSCRIPTIONS,
    )


SERVICE = ServiceDefinition("review", Settings, create_app, "review.migrations")
