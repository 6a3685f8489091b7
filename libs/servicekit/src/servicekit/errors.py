"""Errors a person reads: what is wrong, in Chinese and English, naming the field and the rule.

A refused request changes nothing: handlers raise before they commit, and the unit of work
rolls back whatever was staged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from policy.facts import PolicyInputError
from servicekit.problems import Problem, leading


class DomainError(Exception):
    """A request the rules refuse. ``status_code`` 409 for a state conflict, 422 for bad content."""

    def __init__(
        self,
        code: str,
        message_en: str,
        message_zh: str,
        *,
        rule_ids: Sequence[str] = (),
        field: str | None = None,
        details: dict[str, Any] | None = None,
        status_code: int = 409,
    ) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_en = message_en
        self.message_zh = message_zh
        self.rule_ids = list(rule_ids)
        self.field = field
        self.details = details or {}
        self.status_code = status_code

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "error": self.code,
            "message": self.message_en,
            "message_zh": self.message_zh,
            "rule_ids": self.rule_ids,
        }
        if self.field:
            body["field"] = self.field
        if self.details:
            body["details"] = self.details
        return body


class NotFound(DomainError):
    def __init__(self, what_en: str, what_zh: str, identifier: str) -> None:
        super().__init__(
            "not_found",
            f"{what_en} {identifier} does not exist",
            f"{what_zh} {identifier} 不存在",
            status_code=404,
        )


_ZH_BY_TYPE = {
    "missing": "必填字段缺失",
    "int_parsing": "必须是整数",
    "int_type": "必须是整数",
    "int_from_float": "必须是整数（金额以元或分为单位，不接受小数）",
    "float_type": "必须是数字",
    "string_type": "必须是文本",
    "bool_parsing": "必须是 true 或 false",
    "date_from_datetime_parsing": "必须是日期（YYYY-MM-DD）",
    "date_parsing": "必须是日期（YYYY-MM-DD）",
    "date_type": "必须是日期（YYYY-MM-DD），不接受数字",
    "datetime_parsing": "必须是带时区的时间（ISO 8601）",
    "timezone_aware": "时间必须带时区",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "string_too_short": "内容过短",
    "string_too_long": "内容过长",
    "string_pattern_mismatch": "格式不正确",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "extra_forbidden": "不允许的字段",
    "json_invalid": "请求体不是有效的 JSON",
    "model_attributes_type": "必须是对象",
    "list_type": "必须是列表",
}


def _field_name(loc: Sequence[Any]) -> str:
    return ".".join(str(part) for part in loc if part != "body") or "body"


def validation_body(errors: Sequence[dict[str, Any]]) -> dict[str, Any]:
    fields = []
    for error in errors:
        ctx = error.get("ctx") or {}
        zh = _ZH_BY_TYPE.get(error["type"], "格式不正确")
        if "limit_value" in ctx or "gt" in ctx or "ge" in ctx or "lt" in ctx or "le" in ctx:
            bound = next(str(ctx[k]) for k in ("gt", "ge", "lt", "le", "limit_value") if k in ctx)
            zh = f"{zh}（界限 {bound}）"
        fields.append(
            {
                "field": _field_name(error["loc"]),
                "message": error["msg"],
                "message_zh": zh,
                "type": error["type"],
            }
        )
    names = ", ".join(f["field"] for f in fields)
    return {
        "error": "validation_failed",
        "message": f"Invalid request: {'; '.join(f['field'] + ': ' + f['message'] for f in fields)}",
        "message_zh": f"请求数据有误：{'；'.join(f['field'] + '：' + f['message_zh'] for f in fields)}",
        "rule_ids": [],
        "field": fields[0]["field"] if len(fields) == 1 else names,
        "fields": fields,
    }


log = logging.getLogger("servicekit.errors")

HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "request_too_large"}
HTTP_MESSAGES = {
    400: ("The request is malformed", "请求格式错误"),
    404: ("No such resource", "请求的资源不存在"),
    405: ("This method is not allowed here", "该资源不支持此请求方法"),
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        headers = {"www-authenticate": f'Bearer error="{exc.code}"'} if exc.status_code == 401 else None
        if getattr(exc, "retry_after", None):
            headers = {"retry-after": str(exc.retry_after)}
        return JSONResponse(exc.body(), status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(validation_body(exc.errors()), status_code=422)

    @app.exception_handler(PolicyInputError)
    async def _policy(_: Request, exc: PolicyInputError) -> JSONResponse:
        # What a pack cannot judge (a class outside its taxonomy, an amount a line needs): bad content.
        return JSONResponse({"error": "invalid_input", "message": f"{exc.field}: {exc.message_en}",
                             "message_zh": f"{exc.field}：{exc.message_zh}", "rule_ids": list(exc.rule_ids),
                             "field": exc.field}, status_code=422)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # A bug, not a refusal: log it with its traceback and the request id so it can be found,
        # and answer without internals.
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse({"error": "internal_error", "message": "An internal error occurred; it has been logged",
                             "message_zh": "系统内部错误，已记录日志", "rule_ids": []}, status_code=500)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Errors raised before a route runs (unknown path, wrong method, an unreadable body) get
        # the same bilingual body as every other refusal.
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):
            # A body that is not text at all is bad content like any other: 422, naming the body.
            return JSONResponse({"error": "validation_failed", "message": "body: the request body is not valid JSON in UTF-8",
                                 "message_zh": "body：请求内容不是有效的 UTF-8 JSON", "rule_ids": [], "field": "body",
                                 "fields": [{"field": "body", "type": "json_invalid",
                                             "message": "the request body is not valid JSON in UTF-8",
                                             "message_zh": "请求内容不是有效的 UTF-8 JSON"}]}, status_code=422)
        en, zh = HTTP_MESSAGES.get(exc.status_code, (str(exc.detail), str(exc.detail)))
        body = {"error": HTTP_CODES.get(exc.status_code, "http_error"), "message": en, "message_zh": zh, "rule_ids": []}
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            named = next((v for k, v in (headers or {}).items() if k.lower() == "allow"), "")
            headers = {**{k: v for k, v in (headers or {}).items() if k.lower() != "allow"},
                       "allow": ", ".join(allowed_methods(request, named))}
        return JSONResponse(body, status_code=exc.status_code, headers=headers)


def allowed_methods(request: Request, named: str) -> list[str]:
    """Every method the path has. Starlette names only the first route that matched the path, so a
    path with a GET and a POST route answered a wrong method with ``Allow: POST`` alone. The access
    table lists every route the service has (a route without a rule is refused), so it is asked."""
    access = getattr(request.app.state, "access", None)
    if access is None:
        return [named] if named else []
    path = request.scope.get("path", "")
    methods = {method for method, template in access.rules
               if re.fullmatch(re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template)), path)}
    return sorted(methods) or ([named] if named else [])


def refuse(problems: Sequence[Problem]) -> None:
    """Raise the leading problem, listing every one, so a form shows all its errors at once; nothing
    when the list is empty."""
    lead = leading(problems)
    if lead is None:
        return
    raise DomainError("refused", f"{lead.field}: {lead.en}", lead.zh, field=lead.field, rule_ids=lead.rule_ids,
                      status_code=lead.status, details={"problems": [p.as_dict() for p in problems]} if len(problems) > 1 else None)
