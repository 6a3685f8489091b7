"""Per-request plumbing in front of every route: request id, body size limit, security headers."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit.security.context import current_principal, current_request_id

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_DOCS = ("/docs", "/redoc", "/openapi.json")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
_API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")


class TooLarge(Exception):
    pass


class RequestGuard:
    """Gives each request an id (kept from ``X-Request-ID`` when sane), refuses bodies over the
    limit with 413 before the route reads them, and adds security headers to every response."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        request_token = current_request_id.set(request_id)
        principal_token = current_principal.set(None)
        length = headers.get(b"content-length")
        try:
            if length is not None and (not length.isdigit() or int(length) > self.max_body_bytes):
                await self._too_large(send, request_id)
                return
            received = 0

            async def limited_receive() -> Message:
                nonlocal received
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > self.max_body_bytes:
                        raise TooLarge
                return message

            docs = scope.get("path", "").startswith(_DOCS)

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    extra = [(b"x-request-id", request_id.encode())] + SECURITY_HEADERS + ([] if docs else [_API_CSP])
                    message = {**message, "headers": list(message.get("headers", [])) + extra}
                await send(message)

            try:
                await self.app(scope, limited_receive, send_with_headers)
            except TooLarge:
                await self._too_large(send, request_id)
        finally:
            current_request_id.reset(request_token)
            current_principal.reset(principal_token)

    async def _too_large(self, send: Send, request_id: str) -> None:
        body: dict[str, Any] = {"error": "request_too_large",
                                "message": f"The request body exceeds {self.max_body_bytes} bytes",
                                "message_zh": f"请求内容超过 {self.max_body_bytes} 字节上限", "rule_ids": []}
        payload = json.dumps(body, ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
                                (b"x-request-id", request_id.encode()), *SECURITY_HEADERS, _API_CSP]})
        await send({"type": "http.response.body", "body": payload})
