"""Who is acting in this request and under which request id, for logs and the audit trail."""

from __future__ import annotations

from contextvars import ContextVar

from servicekit.security.principal import Principal

current_principal: ContextVar[Principal | None] = ContextVar("current_principal", default=None)
current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)


def acting_username() -> str:
    """The signed-in person's username, or ``system`` for work no request caused (an event handler)."""
    principal = current_principal.get()
    return principal.username if principal else "system"
