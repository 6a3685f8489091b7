"""Typed settings: one class per service, read from the environment and validated at start.

Names shared by every service have no prefix (``NATS_URL``, ``POLICY_PACK``, ``CLOCK_MODE``,
``CALENDAR_OVERRIDES_FILE`` …, listed in ``SHARED_NAMES``);
names that differ per service carry the service's prefix (``INTAKE_DATABASE_URL``,
``INTAKE_HTTP_PORT``). A setting without a safe value (the database URL, which holds a
password) has no default, so a service never starts on a value nobody chose.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


SHARED_NAMES: set[str] = set()


def shared(name: str) -> AliasChoices:
    SHARED_NAMES.add(name)
    return AliasChoices(name)


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    service_name: ClassVar[str]
    default_http_port: ClassVar[int]

    database_url: str = Field(description="postgresql+asyncpg://role:password@host:port/db of this service only")
    database_pool_size: int = Field(10, ge=1, le=200)

    nats_url: str = Field("nats://127.0.0.1:4222", validation_alias=shared("NATS_URL"))
    jetstream_replicas: int = Field(1, ge=1, le=5, validation_alias=shared("JETSTREAM_REPLICAS"))
    """Replicas of each stream: 3 on a clustered JetStream (deploy/k8s), 1 on a single server."""
    nats_user: str | None = None
    """This service's own NATS user (``<SVC>_NATS_USER``), whose permissions cover its subjects only."""
    nats_password: str | None = Field(None, repr=False)
    http_host: str = "127.0.0.1"
    http_port: int | None = Field(None, ge=1, le=65535)

    policy_pack: str = Field("BY", validation_alias=shared("POLICY_PACK"), pattern=r"^(BY|YF|BZ|DY|YL)$")
    clock_mode: Literal["system", "movable"] = Field("system", validation_alias=shared("CLOCK_MODE"))
    policy_packs_dir: Path | None = Field(None, validation_alias=shared("POLICY_PACKS_DIR"))
    """Extra pack versions an administrator adds to the bundled ones."""
    calendar_overrides_file: Path | None = Field(None, validation_alias=shared("CALENDAR_OVERRIDES_FILE"))
    """Corrections to the holiday data and years it does not know yet (2027 notices arrive before the package)."""
    calendar_allow_provisional: bool = Field(False, validation_alias=shared("CALENDAR_ALLOW_PROVISIONAL"))
    """Compute deadlines in years without holiday data as provisional instead of refusing."""

    auth_issuer: str = Field(validation_alias=shared("AUTH_ISSUER"), description="the OIDC issuer (iss) tokens must come from")
    auth_audience: str = Field("govit", validation_alias=shared("AUTH_AUDIENCE"))
    auth_jwks_file: Path | None = Field(None, validation_alias=shared("AUTH_JWKS_FILE"))
    auth_jwks_url: str | None = Field(None, validation_alias=shared("AUTH_JWKS_URL"))
    auth_leeway_seconds: int = Field(30, ge=0, le=300, validation_alias=shared("AUTH_LEEWAY_SECONDS"))
    max_request_bytes: int = Field(1_048_576, ge=1024, validation_alias=shared("MAX_REQUEST_BYTES"))
    submission_rate_per_minute: int = Field(60, ge=1, le=100_000, validation_alias=shared("SUBMISSION_RATE_PER_MINUTE"),
                                            description="submissions one person may make on one route per minute, per replica")

    outbox_batch_size: int = Field(100, ge=1, le=1000)
    outbox_poll_seconds: float = Field(1.0, gt=0, le=60)
    deadline_poll_seconds: float = Field(2.0, gt=0, le=300)
    """How often a service with a scheduler looks for deadlines that ran out."""
    outbox_retry_seconds: tuple[float, ...] = (0.5, 1, 2, 5, 10, 30)

    consumer_max_deliver: int = Field(5, ge=1, le=100, validation_alias=shared("CONSUMER_MAX_DELIVER"))
    consumer_backoff_seconds: tuple[float, ...] = Field(
        (0.5, 2, 5, 15, 30), validation_alias=shared("CONSUMER_BACKOFF_SECONDS")
    )
    consumer_ack_wait_seconds: float = Field(30, gt=0, validation_alias=shared("CONSUMER_ACK_WAIT_SECONDS"))
    consumer_fetch_batch: int = Field(20, ge=1, le=500)

    log_level: str = Field("INFO", validation_alias=shared("LOG_LEVEL"))
    otel_exporter_otlp_endpoint: str | None = Field(None, validation_alias=shared("OTEL_EXPORTER_OTLP_ENDPOINT"))
    instance_id: str = Field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")

    @field_validator("database_url")
    @classmethod
    def _async_postgres(cls, value: str) -> str:
        if not value.startswith("postgresql+asyncpg://"):
            raise ValueError("must be a postgresql+asyncpg:// URL")
        return value

    @model_validator(mode="after")
    def _one_key_source(self) -> "ServiceSettings":
        if (self.auth_jwks_file is None) == (self.auth_jwks_url is None):
            raise ValueError("set exactly one of AUTH_JWKS_FILE and AUTH_JWKS_URL")
        return self

    @property
    def port(self) -> int:
        return self.http_port or self.default_http_port

    @property
    def source(self) -> str:
        """CloudEvents ``source`` of every event this service publishes."""
        return f"/services/{self.service_name}"

    @classmethod
    def for_service(cls, name: str, port: int) -> type["ServiceSettings"]:
        """The settings class of one service: its own env prefix, its own default port."""
        prefix = f"{name.upper()}_"
        return type(
            f"{name.capitalize()}Settings",
            (cls,),
            {
                "service_name": name,
                "default_http_port": port,
                "model_config": SettingsConfigDict(env_prefix=prefix, extra="ignore", frozen=True, populate_by_name=True),
                "__module__": cls.__module__,
            },
        )
