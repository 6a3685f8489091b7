"""What generated requests need to reach a service's handlers, shared by the suite's bounded schema
tests and the long ``govit fuzz`` run: a token each route admits, the unit a request acts on, and
the platform's error body every refusal must carry.

Schemathesis itself is imported only by the callers: importing it patches Hypothesis process-wide.
"""

from __future__ import annotations

import importlib
import uuid
from typing import Any
from urllib.parse import unquote

from pydantic import ValidationError

from servicekit.openapi import ErrorBody
from servicekit.ops import ACCESS as OPS_ACCESS
from servicekit.security.access import PUBLIC, Allow
from servicekit.security.principal import UNIT_ROLES

from devstack.auth import DevIssuer
from devstack.processes import SERVICES

NOT_FUZZED = {("POST", "/ops/clock/advance"): "moves the business clock every other request relies on"}


def access_rules(service: str) -> dict[tuple[str, str], Allow]:
    return {**OPS_ACCESS, **importlib.import_module(f"{service}.access").ACCESS}


ACCESS: dict[str, dict[tuple[str, str], Allow]] = {service: access_rules(service) for service in SERVICES}


def named_unit(case: Any) -> str | None:
    """The unit a generated request acts on, wherever the operation takes it from."""
    for container in (case.body, case.path_parameters, case.query):
        value = container.get("unit_id") if isinstance(container, dict) else None
        if isinstance(value, str):
            # Schemathesis keeps path parameters percent-encoded; the service sees them decoded
            return unquote(value) if container is case.path_parameters else value
    return None


def token_headers(issuer: DevIssuer, allow: Allow, unit: str | None) -> dict[str, str]:
    """A token the route admits: its oversight roles where it has any (they reach every unit's
    objects), else its unit roles for ``unit``. A fresh subject per request keeps the submission
    rate limit from answering in the route's place."""
    if allow is PUBLIC:
        return {}
    oversight = allow.roles - UNIT_ROLES
    roles, unit = (sorted(oversight), None) if oversight else (sorted(allow.roles), unit)
    token = issuer.token(subject=f"schema-fuzzing-{uuid.uuid4().hex[:12]}", roles=roles, unit_id=unit)
    return {"authorization": f"Bearer {token}"}


def case_headers(issuer: DevIssuer, service: str, case: Any) -> dict[str, str]:
    allow = ACCESS[service].get((case.operation.method.upper(), case.operation.path))
    return token_headers(issuer, allow, named_unit(case)) if allow is not None else {}


def error_body_problems(status: int, body: Any) -> str | None:
    """What keeps ``body`` from being the error body the schemas document (``servicekit.openapi``)."""
    try:
        ErrorBody.model_validate(body)
    except ValidationError as wrong:
        fields = sorted({".".join(str(part) for part in error["loc"]) or "body" for error in wrong.errors()})
        return f"{status} without the platform's error body (fields {fields}): {body!r}"
    return None


def platform_error_body(ctx: Any, response: Any, case: Any) -> None:
    """A Schemathesis check: every 4xx carries the platform's bilingual error body."""
    if 400 <= response.status_code < 500:
        try:
            body = response.json()
        except ValueError:
            body = response.text
        problem = error_body_problems(response.status_code, body)
        assert problem is None, problem
