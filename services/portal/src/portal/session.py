"""The signed-in person, kept in a signed cookie: the access token, a CSRF token and the language.

The cookie is signed, not encrypted; it holds nothing the person's browser may not see (their
own token). Every page verifies the token again, so an expired or revoked one ends the session.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from servicekit.security.principal import Principal

SESSION_COOKIE = "govit_session"
LOGIN_COOKIE = "govit_login"
LANG_COOKIE = "govit_lang"
LANGUAGES = ("zh", "en")


@dataclass
class Session:
    token: str
    refresh: str | None = None
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    principal: Principal | None = None


class SessionStore:
    def __init__(self, secret: str, max_age: int, secure: bool) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="govit-portal-session")
        self._login = URLSafeTimedSerializer(secret, salt="govit-portal-login")
        self.max_age = max_age
        self.secure = secure

    def _set(self, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax", secure=self.secure, path="/")

    def load(self, request: Request) -> Session | None:
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw:
            return None
        try:
            data = self._serializer.loads(raw, max_age=self.max_age)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("token"), str):
            return None
        refresh = data.get("refresh")
        return Session(token=data["token"], refresh=refresh if isinstance(refresh, str) else None, csrf=str(data.get("csrf", "")))

    def save(self, response: Response, session: Session) -> None:
        self._set(response, SESSION_COOKIE, self._serializer.dumps(
            {"token": session.token, "refresh": session.refresh, "csrf": session.csrf}), self.max_age)

    def cookie_header(self, session: Session) -> bytes:
        """The Set-Cookie value for a session renewed while a page was being answered."""
        carrier = Response()
        self.save(carrier, session)
        return carrier.headers["set-cookie"].encode("latin-1")

    def clear(self, response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path="/")

    def save_login(self, response: Response, data: dict[str, Any]) -> None:
        self._set(response, LOGIN_COOKIE, self._login.dumps(data), 600)

    def load_login(self, request: Request) -> dict[str, Any] | None:
        raw = request.cookies.get(LOGIN_COOKIE)
        if not raw:
            return None
        try:
            data = self._login.loads(raw, max_age=600)
        except BadSignature:
            return None
        return data if isinstance(data, dict) else None

    def clear_login(self, response: Response) -> None:
        response.delete_cookie(LOGIN_COOKIE, path="/")


def language(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return chosen if chosen in LANGUAGES else "zh"
