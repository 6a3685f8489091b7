"""The FastAPI application every service is built as."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from servicekit import ops
from servicekit.consumer import Subscription
from servicekit.errors import install_error_handlers
from servicekit.runtime import ServiceRuntime
from servicekit.settings import ServiceSettings
from servicekit.telemetry import configure_logging, configure_tracing


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    subscriptions: Sequence[Subscription] = (),
) -> FastAPI:
    configure_logging(settings.service_name, settings.log_level)
    provider = configure_tracing(settings.service_name, settings.otel_exporter_otlp_endpoint)
    runtime = ServiceRuntime(settings, subscriptions)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan)
    app.state.runtime = runtime
    install_error_handlers(app)
    app.include_router(ops.health)
    app.include_router(ops.ops)
    if settings.clock_mode == "movable":
        app.include_router(ops.clock)
    for router in routers:
        app.include_router(router)
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls="healthz,readyz")
    return app
