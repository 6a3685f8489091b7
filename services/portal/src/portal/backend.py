"""Calls to the five services with the signed-in person's token, and their refusals as values a
page can show: the message in the person's language, the field, the rules and every cause."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from dataclasses import field as default
from typing import Any

import httpx

from portal.settings import SERVICES, PortalSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Issue:
    """One thing a service found wrong: a field's error or a cause that blocks."""

    message_zh: str
    message_en: str
    field: str | None = None
    rule_ids: tuple[str, ...] = ()
    cause: str | None = None
    lifted_by_zh: str | None = None
    lifted_by_en: str | None = None

    def message(self, lang: str) -> str:
        return self.message_zh if lang == "zh" else self.message_en

    def lifted_by(self, lang: str) -> str | None:
        return self.lifted_by_zh if lang == "zh" else self.lifted_by_en


@dataclass
class ServiceError(Exception):
    """A service refused (4xx) or failed (5xx, unreachable); ``issues`` lists what to show."""

    service: str
    status: int
    message_zh: str
    message_en: str
    rule_ids: tuple[str, ...] = ()
    field: str | None = None
    issues: list[Issue] = default(default_factory=list)

    def message(self, lang: str) -> str:
        return self.message_zh if lang == "zh" else self.message_en

    def field_issues(self) -> dict[str, list[Issue]]:
        """Issues by the form field they name (the first part of a dotted path)."""
        found: dict[str, list[Issue]] = {}
        for issue in self.issues:
            if issue.field:
                found.setdefault(issue.field.split(".")[0], []).append(issue)
        return found

    @classmethod
    def unreachable(cls, service: str, reason: str) -> ServiceError:
        return cls(service, 503, f"{SERVICE_NAMES_ZH[service]}服务暂时无法访问，请稍后重试。",
                   f"The {service} service cannot be reached right now; please try again shortly. ({reason})")

    @classmethod
    def from_response(cls, service: str, response: httpx.Response) -> ServiceError:
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 500 or not isinstance(body, dict):
            log.warning("%s answered %s: %s", service, response.status_code, response.text[:500])
            return cls(service, response.status_code, f"{SERVICE_NAMES_ZH[service]}服务出错（{response.status_code}），请稍后重试。",
                       f"The {service} service failed ({response.status_code}); please try again shortly.")
        rule_ids = tuple(body.get("rule_ids") or ())
        message_en = str(body.get("message") or body.get("detail") or body.get("error") or response.reason_phrase)
        message_zh = str(body.get("message_zh") or message_en)
        issues: list[Issue] = []
        details = body.get("details") if isinstance(body.get("details"), dict) else {}
        for problem in details.get("problems") or details.get("errors") or []:
            if isinstance(problem, dict):
                issues.append(Issue(str(problem.get("message_zh") or problem.get("message") or ""),
                                    str(problem.get("message") or ""), problem.get("field"),
                                    tuple(problem.get("rule_ids") or ())))
        for violation in details.get("violations") or []:
            if isinstance(violation, dict):
                cause = violation.get("cause")
                cause_text = (f"{cause.get('event_type')} · {cause.get('project_id') or '-'} · {str(cause.get('placed_at', ''))[:10]}"
                              if isinstance(cause, dict) else None)
                issues.append(Issue(str(violation.get("message_zh") or ""), str(violation.get("message") or ""), None,
                                    tuple(violation.get("rule_ids") or ()), cause_text,
                                    violation.get("lifted_by_zh"), violation.get("lifted_by")))
        if not issues:
            issues.append(Issue(message_zh, message_en, body.get("field"), rule_ids))
        return cls(service, response.status_code, message_zh, message_en, rule_ids, body.get("field"), issues)


SERVICE_NAMES_ZH = {"intake": "申报", "review": "评审", "procurement": "采购与合同", "acceptance": "验收与评价", "notify": "通知"}


class Backend:
    def __init__(self, settings: PortalSettings) -> None:
        self.urls = {name: settings.service_url(name) for name in SERVICES}
        self.client = httpx.AsyncClient(timeout=settings.request_timeout_seconds)

    async def close(self) -> None:
        await self.client.aclose()

    async def call(self, service: str, method: str, path: str, token: str, *, json: Any = None,
                   params: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Any:
        try:
            response = await self.client.request(method, f"{self.urls[service]}{path}", json=json, params=params,
                                                 headers={"authorization": f"Bearer {token}", **(headers or {})})
        except httpx.HTTPError as exc:
            raise ServiceError.unreachable(service, type(exc).__name__) from exc
        if response.status_code >= 400:
            raise ServiceError.from_response(service, response)
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.json()
        return response.content

    async def get(self, service: str, path: str, token: str, **params: Any) -> Any:
        return await self.call(service, "GET", path, token, params={k: v for k, v in params.items() if v is not None})

    async def post(self, service: str, path: str, token: str, body: Any, **headers: str) -> Any:
        return await self.call(service, "POST", path, token, json=body, headers=headers or None)

    async def maybe(self, service: str, path: str, token: str, **params: Any) -> Any:
        """A read whose absence is an answer (no case yet, not procured yet): None for 404/403."""
        try:
            return await self.get(service, path, token, **params)
        except ServiceError as exc:
            if exc.status in (403, 404):
                return None
            raise

    async def gather(self, *calls: Any) -> list[Any]:
        """Several reads at once; a failed one comes back as its ServiceError, for the page to show."""
        return list(await asyncio.gather(*calls, return_exceptions=True))
