"""The portal's settings: where the services and the OIDC provider are, and the session secret.

The portal keeps no database and joins no stream: every fact it shows comes from a service's
API, asked with the signed-in person's own token, so it can show nothing the person could not
read directly.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("intake", "review", "procurement", "acceptance", "notify")


class PortalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore", frozen=True, populate_by_name=True)

    http_host: str = "127.0.0.1"
    http_port: int = Field(8000, ge=1, le=65535)
    public_url: str = Field("http://127.0.0.1:8000", description="The address people open; the OIDC redirect returns here")

    intake_url: str = "http://127.0.0.1:8001"
    review_url: str = "http://127.0.0.1:8002"
    procurement_url: str = "http://127.0.0.1:8003"
    acceptance_url: str = "http://127.0.0.1:8004"
    notify_url: str = "http://127.0.0.1:8005"
    request_timeout_seconds: float = Field(15, gt=0, le=120)

    oidc_discovery_url: str = Field(description="{issuer}/.well-known/openid-configuration of Keycloak (or the development issuer)")
    oidc_client_id: str = "govit-portal"
    session_secret: SecretStr = Field(description="Signs the session cookie; at least 32 characters, kept in a Secret")
    session_max_age_seconds: int = Field(8 * 3600, ge=300, le=24 * 3600)

    auth_issuer: str = Field(validation_alias=AliasChoices("AUTH_ISSUER"))
    auth_audience: str = Field("govit", validation_alias=AliasChoices("AUTH_AUDIENCE"))
    auth_jwks_file: Path | None = Field(None, validation_alias=AliasChoices("AUTH_JWKS_FILE"))
    auth_jwks_url: str | None = Field(None, validation_alias=AliasChoices("AUTH_JWKS_URL"))
    auth_leeway_seconds: int = Field(30, ge=0, le=300, validation_alias=AliasChoices("AUTH_LEEWAY_SECONDS"))

    log_level: str = Field("INFO", validation_alias=AliasChoices("LOG_LEVEL"))
    otel_exporter_otlp_endpoint: str | None = Field(None, validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_ENDPOINT"))

    @model_validator(mode="after")
    def _checks(self) -> PortalSettings:
        if len(self.session_secret.get_secret_value()) < 32:
            raise ValueError("PORTAL_SESSION_SECRET must be at least 32 characters")
        if (self.auth_jwks_file is None) == (self.auth_jwks_url is None):
            raise ValueError("set exactly one of AUTH_JWKS_FILE and AUTH_JWKS_URL")
        return self

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    def service_url(self, service: str) -> str:
        return str(getattr(self, f"{service}_url")).rstrip("/")
