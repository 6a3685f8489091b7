"""What a service's published OpenAPI says beyond its routes: how a caller authenticates, who may
call each operation, and the one error body every refusal carries.

FastAPI alone documents a 422 as ``{"detail": [...]}`` and nothing about tokens, roles or the
domain refusals, so a client generated from the schema would mishandle every error the platform
gives. The access table already says who may call what; the schema is derived from it, so the two
cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field

from servicekit.security.access import PUBLIC, AccessPolicy
from servicekit.security.principal import READ_METHODS, UNIT_ROLES

SCHEME = "bearerAuth"
_REF = "#/components/schemas/{model}"


class FieldProblem(BaseModel):
    field: str = Field(description="The request field, dotted (``body.amount``, ``query.unit_id``)")
    message: str
    message_zh: str
    type: str = Field(description="The kind of problem (``missing``, ``int_parsing``, ``string_too_long`` …)")


class ErrorBody(BaseModel):
    """Every refusal: what is wrong in English and Chinese, and the rules that refuse it."""

    model_config = ConfigDict(extra="allow", title="ErrorBody")

    error: str = Field(description="A stable code: ``validation_failed``, ``not_found``, ``forbidden`` or the rule's own")
    message: str
    message_zh: str
    rule_ids: list[str] = Field(description="The RULES.md IDs the refusal rests on; empty for malformed requests")
    field: str | None = Field(default=None, description="The field at fault, where one is")
    fields: list[FieldProblem] | None = Field(default=None, description="Each invalid field (422 from validation)")
    details: dict[str, Any] | None = Field(default=None, description="What a person needs to act on it (blocks, causes, lifts)")


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description,
                                "content": {"application/json": {"schema": {"$ref": _REF.format(model="ErrorBody")}}}}
    if headers:
        response["headers"] = headers
    return response


UNAUTHENTICATED = _error("No valid bearer token / 未登录或令牌无效",
                         {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer error=\"…\""}})
FORBIDDEN = _error("The token's roles, or its unit, may not do this / 无权执行此操作")
NOT_FOUND = _error("No such object / 对象不存在")
CONFLICT = _error("The rules refuse it in the object's present state; ``rule_ids`` names them / 规则不允许")
INVALID = _error("A field is missing or malformed, or the rules refuse its content; ``field`` names it / 请求数据有误")
RATE_LIMITED = _error("Too many submissions from this person / 请求过于频繁",
                      {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait"}})


def _who(roles: frozenset[str], method: str) -> str:
    names = [f"{role} (own unit)" if role in UNIT_ROLES else role for role in sorted(roles)]
    if method.upper() in READ_METHODS and "auditor" not in roles:
        names.append("auditor (reads everything)")
    return "Who may call: " + ", ".join(names) + "."


def describe(schema: dict[str, Any], access: AccessPolicy) -> dict[str, Any]:
    """Add the security scheme, each operation's roles and its error responses to ``schema``."""
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    error_body = ErrorBody.model_json_schema(ref_template=_REF)
    schemas.update(error_body.pop("$defs", {}))
    schemas["ErrorBody"] = error_body
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    components["securitySchemes"] = {SCHEME: {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": "An access token from the platform's identity provider; its roles and unit decide what it may do"}}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            allow = access.rules.get((method.upper(), path))
            responses = operation.setdefault("responses", {})
            if "422" in responses or operation.get("parameters") or operation.get("requestBody"):
                responses["422"] = INVALID
            if "{" in path or method != "get":
                responses.setdefault("404", NOT_FOUND)
            if method != "get":
                responses.setdefault("409", CONFLICT)
            if allow is PUBLIC:
                operation["security"] = []
                continue
            operation["security"] = [{SCHEME: []}]
            responses["401"] = UNAUTHENTICATED
            responses["403"] = FORBIDDEN
            if allow is not None:
                operation["x-roles"] = sorted(allow.roles)
                who = _who(allow.roles, method)
                operation["description"] = f"{operation['description']}\n\n{who}" if operation.get("description") else who
                if allow.rate is not None:
                    responses["429"] = RATE_LIMITED
    return schema


def install(app: FastAPI, access: AccessPolicy) -> None:
    """Serve the described schema at ``/openapi.json`` (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            app.openapi_schema = describe(schema, access)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
