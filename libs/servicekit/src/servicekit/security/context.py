"""Who is acting in this request and under which request id, for logs and the audit trail."""

from __future__ import annotations

from contextvars import ContextVar

from servicekit.security.principal import Principal

current_principal: ContextVar[Principal | None] = ContextVar("current_principal", default=None)
current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)
