"""The notify service: deadlines, reminders and every unit's inbox."""

from __future__ import annotations

from typing import Literal

from fastapi import FastAPI
from pydantic import Field, SecretStr

from servicekit.app import create_service_app
from servicekit.cli import ServiceDefinition
from servicekit.settings import ServiceSettings

from notify import access, api, channels, deadlines, handlers

class Settings(ServiceSettings.for_service("notify", 8005)):  # type: ignore[misc]
    reminder_working_days: tuple[int, ...] = Field((3, 1), description="Remind this many working days before a deadline")
    smtp_host: str | None = Field(None, description="SMTP server for e-mail notices; none: e-mail deliveries wait and retry")
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_sender: str = "govit-notify@localhost"
    smtp_security: Literal["none", "starttls", "tls"] = Field(
        "none", description="starttls upgrades port 587, tls connects over TLS (465); a relay outside the host needs one")
    smtp_username: str | None = None
    smtp_password: SecretStr | None = Field(None, description="From a Secret; with smtp_username the relay's login")
    delivery_max_attempts: int = Field(8, ge=1, le=50)
    delivery_backoff_seconds: float = Field(2.0, gt=0, le=600, description="First retry delay; doubles after each failure")
    delivery_timeout_seconds: float = Field(10.0, gt=0, le=120)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    return create_service_app(
        settings or Settings(),
        title="Notify 通知与期限",
        description="The platform's clock: every deadline the rules set, DeadlineElapsed when one runs out, and each unit's inbox.",
        routers=[api.router],
        access=access.ACCESS,
        subscriptions=handlers.SUBSCRIPTIONS,
        background=[deadlines.recompute_at_start, deadlines.scheduler, channels.dispatcher],
    )


SERVICE = ServiceDefinition("notify", Settings, create_app, "notify.migrations")
