"""The FastAPI application every service is built as."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from servicekit import openapi, ops
from servicekit.consumer import Subscription
from servicekit.errors import install_error_handlers
from servicekit.metrics import MetricSource
from servicekit.runtime import ServiceRuntime
from servicekit.security.access import AccessPolicy, Allow, Rate, make_authorize
from servicekit.security.middleware import RequestGuard
from servicekit.security.tokens import KeySource, TokenVerifier
from servicekit.settings import ServiceSettings
from servicekit.telemetry import configure_logging, configure_tracing


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    access: Mapping[tuple[str, str], Allow],
    subscriptions: Sequence[Subscription] = (),
    background: Sequence[Callable[[ServiceRuntime], Awaitable[None]]] = (),
    metrics: Sequence[MetricSource] = (),
) -> FastAPI:
    """``access`` lists every route of ``routers`` with who may call it; a route not listed is refused."""
    configure_logging(settings.service_name, settings.log_level)
    provider = configure_tracing(settings.service_name, settings.otel_exporter_otlp_endpoint)
    runtime = ServiceRuntime(settings, subscriptions, background, metrics)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    verifier = TokenVerifier(
        KeySource(jwks_file=settings.auth_jwks_file, jwks_url=settings.auth_jwks_url),
        issuer=settings.auth_issuer, audience=settings.auth_audience, leeway_seconds=settings.auth_leeway_seconds,
    )
    policy = AccessPolicy(dict(ops.ACCESS)).merged(access)
    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan,
                  dependencies=[Depends(make_authorize(
                      policy, verifier, submissions=Rate(settings.submission_rate_per_minute, 60.0),
                      subordinates=runtime.policy.pack.scope.standing_scope == "budget_unit_with_subordinates"))])
    app.state.runtime = runtime
    app.state.access = policy
    install_error_handlers(app)
    app.include_router(ops.health)
    app.include_router(ops.ops)
    app.include_router(ops.audit_trail)
    if settings.clock_mode == "movable":
        app.include_router(ops.clock)
    for router in routers:
        app.include_router(router)
    openapi.install(app, policy)
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls="healthz,readyz")
    app.add_middleware(RequestGuard, max_body_bytes=settings.max_request_bytes)
    return app
