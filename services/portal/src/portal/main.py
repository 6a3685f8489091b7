"""The portal application and its command line: ``python -m portal serve``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest
from fastapi.staticfiles import StaticFiles
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from pydantic import ValidationError

from policy.calendar import build_calendar
from servicekit.security.tokens import KeySource, TokenVerifier
from servicekit.telemetry import configure_logging, configure_tracing

from portal import pages
from portal.backend import Backend
from portal.oidc import OidcClient, SignInError
from portal.session import SessionStore
from portal.settings import SERVICES, PortalSettings
from portal.web import install_error_pages, unexpected_error_page

STATIC = Path(__file__).parent / "static"
PAGES = Counter("govit_portal_responses", "Pages and files the portal answered, by status class", ["status"])


class PageGuard:
    """Headers every page carries (no framing, no sniffing, scripts only from the portal itself), and
    an error page instead of a dropped connection when a page fails unexpectedly."""

    POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
              "frame-ancestors 'none'; form-action 'self' http: https:")

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message):  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.start":
                PAGES.labels(f"{message['status'] // 100}xx").inc()
                headers = list(message.get("headers", []))
                renewed = scope.get("state", {}).get("renewed_session")
                if renewed:
                    headers.append((b"set-cookie", renewed))
                headers += [(b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"same-origin"), (b"content-security-policy", self.POLICY.encode())]
                message["headers"] = headers
            await send(message)

        started = False

        async def tracking(message):  # type: ignore[no-untyped-def]
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await with_headers(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception:
            if started:
                raise
            response = unexpected_error_page(Request(scope))
            await response(scope, receive, with_headers)


def create_app(settings: PortalSettings | None = None) -> FastAPI:
    settings = settings or PortalSettings()
    configure_logging("portal", settings.log_level)
    provider = configure_tracing("portal", settings.otel_exporter_otlp_endpoint)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await app.state.backend.close()

    app = FastAPI(title="Portal 门户", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.backend = Backend(settings)
    app.state.sessions = SessionStore(settings.session_secret.get_secret_value(), settings.session_max_age_seconds,
                                      settings.secure_cookies)
    app.state.oidc = OidcClient(settings.oidc_discovery_url, settings.oidc_client_id,
                                settings.public_url.rstrip("/") + "/auth/callback")
    app.state.verifier = TokenVerifier(KeySource(jwks_file=settings.auth_jwks_file, jwks_url=settings.auth_jwks_url),
                                       issuer=settings.auth_issuer, audience=settings.auth_audience,
                                       leeway_seconds=settings.auth_leeway_seconds)
    app.state.calendar = build_calendar(None, allow_provisional=True)
    install_error_pages(app)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        """Ready when sign-in can start; the services behind are reported, not required (a page
        names a service that is down instead of the portal going away)."""
        checks: dict[str, object] = {}
        try:
            await request.app.state.oidc.discovery()
            checks["oidc"] = True
        except SignInError:
            checks["oidc"] = False
        backend: Backend = request.app.state.backend
        for name in SERVICES:
            try:
                checks[name] = (await backend.client.get(f"{backend.urls[name]}/healthz", timeout=2)).status_code == 200
            except Exception:
                checks[name] = False
        return JSONResponse({"status": "ready" if checks["oidc"] else "not_ready", "checks": checks},
                            status_code=200 if checks["oidc"] else 503)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        """The process's own figures and the pages answered; the services report the platform's queues."""
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(pages.router)
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls="healthz,readyz,static")
    app.add_middleware(PageGuard)
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portal")
    parser.add_argument("command", choices=["serve"])
    parser.parse_args(argv)
    try:
        settings = PortalSettings()
    except ValidationError as exc:
        lines = ["portal: invalid settings"]
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else ""
            env = name if name.startswith(("AUTH_", "LOG_", "OTEL_")) else f"PORTAL_{name}" if name else ""
            lines.append(f"  {env}: {error['msg']}" if env else f"  {error['msg']}")
        print("\n".join(lines), file=sys.stderr)
        return 2
    uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port, log_config=None,
                proxy_headers=True, forwarded_allow_ips="127.0.0.1")
    return 0
