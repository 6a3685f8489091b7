"""Access control, declared once per service and enforced in one place.

Each service lists every route with the roles it admits and, for the unit roles, how to find
the unit that owns the target (a path or query parameter, the request body, or the project's
unit in the service's own tables). One dependency applies the list to every request; a route
missing from it is refused, so a new endpoint is closed until someone decides who may use it.
Auditors read every route and change nothing. Every denial is logged.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from servicekit.errors import DomainError
from servicekit.identifiers import ID_PATTERN
from servicekit.security.context import current_principal
from servicekit.security.principal import ANONYMOUS, READ_METHODS, UNIT_ROLES, Principal
from servicekit.security.tokens import AuthError, TokenVerifier

log = logging.getLogger("servicekit.access")
_ID = re.compile(ID_PATTERN)

Owners = set[str] | None
"""The units owning the target; None when the request names no existing object (the route then
answers 404 or an empty list, or refuses the body)."""
UnitScope = Callable[[Request, Any], Awaitable[Owners]]


@dataclass(frozen=True)
class Rate:
    """At most ``requests`` per ``seconds`` for one person on one route (a token bucket)."""

    requests: int
    seconds: float


class RateLimiter:
    """Per process: each replica allows the rate, so the ingress adds a global limit in front."""

    MAX_TRACKED = 50_000

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}

    def allow(self, key: tuple[str, str], rate: Rate) -> float:
        """0 when allowed, else the seconds until the next request would be."""
        now = self._clock()
        if len(self._buckets) >= self.MAX_TRACKED:
            # a bucket untouched for a whole period is full again: forgetting it changes nothing
            self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < rate.seconds}
        tokens, stamp = self._buckets.get(key, (float(rate.requests), now))
        tokens = min(float(rate.requests), tokens + (now - stamp) * rate.requests / rate.seconds)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1 - tokens) * rate.seconds / rate.requests


@dataclass(frozen=True)
class Allow:
    roles: frozenset[str]
    units: UnitScope | None = None
    """How to find the owning unit; applies to the unit roles. Without it a unit role may not use the route."""
    rate: Rate | None = None

    @classmethod
    def of(cls, *roles: str, units: UnitScope | None = None, rate: Rate | None = None) -> Allow:
        return cls(frozenset(roles), units, rate)


PUBLIC = Allow(frozenset({"*"}))
SUBMISSIONS = Rate(60, 60.0)
"""Submissions per person and route: far above a person's pace at the annual peak, far below a script's."""


@dataclass
class AccessPolicy:
    rules: dict[tuple[str, str], Allow] = field(default_factory=dict)

    def add(self, method: str, path: str, allow: Allow) -> None:
        key = (method.upper(), path)
        if key in self.rules:
            raise ValueError(f"access rule for {method} {path} declared twice")
        self.rules[key] = allow

    def merged(self, other: Mapping[tuple[str, str], Allow]) -> AccessPolicy:
        policy = AccessPolicy(dict(self.rules))
        for (method, path), allow in other.items():
            policy.add(method, path, allow)
        return policy


def policy(rules: Iterable[tuple[str, str, Allow]]) -> dict[tuple[str, str], Allow]:
    table = AccessPolicy()
    for method, path, allow in rules:
        table.add(method, path, allow)
    return table.rules


# ---- unit scopes ------------------------------------------------------------------------------
# A malformed id is the route's to refuse, naming the field (422), not a question of access: the
# scopes then name no owner, and the route's own validation answers.

def _valid_id(value: str) -> bool:
    return bool(_ID.match(value)) and len(value) <= 64


def path_unit(name: str = "unit_id") -> UnitScope:
    async def scope(request: Request, runtime: Any) -> Owners:
        value = request.path_params[name]
        return {value} if _valid_id(value) else None
    return scope


def query_unit(name: str = "unit_id") -> UnitScope:
    """A list filtered by unit: a unit person must name their own unit."""
    async def scope(request: Request, runtime: Any) -> Owners:
        value = request.query_params.get(name)
        if not value:
            return {"<unit not named>"}
        return {value} if _valid_id(value) else None
    return scope


def body_unit(name: str = "unit_id") -> UnitScope:
    async def scope(request: Request, runtime: Any) -> Owners:
        try:
            body = json.loads(await request.body() or b"null")
        except ValueError:
            return None  # the route refuses the body itself (422)
        value = body.get(name) if isinstance(body, dict) else None
        return {value} if isinstance(value, str) and _valid_id(value) else None
    return scope


def project_unit(lookup: Callable[[Any, str], Awaitable[str | None]], param: str = "project_id") -> UnitScope:
    """The project's unit as this service knows it (``lookup(runtime, project_id)``)."""
    async def scope(request: Request, runtime: Any) -> Owners:
        unit = await lookup(runtime, request.path_params[param])
        return {unit} if unit else None
    return scope


def any_unit() -> UnitScope:
    """Open to every unit's people: the route names no unit's object (the open declaration batches)."""
    async def scope(request: Request, runtime: Any) -> Owners:
        return None
    return scope


def all_of(*scopes: UnitScope) -> UnitScope:
    """Every named owner must be the person's unit (an existing project and the body's unit)."""
    async def scope(request: Request, runtime: Any) -> Owners:
        owners: set[str] = set()
        found = False
        for each in scopes:
            result = await each(request, runtime)
            if result is not None:
                owners |= result
                found = True
        return owners if found else None
    return scope


# ---- enforcement ------------------------------------------------------------------------------

def forbidden(principal: Principal, request: Request, reason: str, reason_zh: str) -> DomainError:
    log.warning("access denied", extra={"subject": principal.subject, "roles": sorted(principal.roles),
                                         "units": sorted(principal.unit_ids), "method": request.method,
                                         "path": request.url.path, "reason": reason})
    return DomainError("forbidden", f"Not allowed: {reason}", f"无权访问：{reason_zh}", status_code=403)


def bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("unauthenticated", "A bearer token is required", "请先登录（缺少访问令牌）")
    return token.strip()


class RateLimited(DomainError):
    def __init__(self, wait: float) -> None:
        super().__init__("rate_limited", f"Too many requests: try again in {wait:.0f} s",
                         f"请求过于频繁，请 {wait:.0f} 秒后再试", status_code=429)
        self.retry_after = max(1, round(wait))


def make_authorize(access: AccessPolicy, verifier: TokenVerifier, limiter: RateLimiter | None = None, *,
                   subordinates: bool = True, submissions: Rate = SUBMISSIONS) -> Callable[[Request], Awaitable[Principal]]:
    """``subordinates``: a unit's people also act for the units its token lists in ``unit_ids``, as
    packs that make the first-level budget unit answer for its subordinates say (BY-5.2a, A-30).
    ``submissions``: the rate the deployment sets for the routes the access table limits to ``SUBMISSIONS``."""
    limiter = limiter or RateLimiter()

    async def authorize(request: Request) -> Principal:
        route = request.scope.get("route")
        path = getattr(route, "path", request.url.path)
        rule = access.rules.get((request.method, path))
        if rule is PUBLIC:
            current_principal.set(ANONYMOUS)
            return ANONYMOUS
        principal = verifier.verify(bearer(request))
        current_principal.set(principal)
        if rule is None:
            raise forbidden(principal, request, f"no access rule for {request.method} {path}", "该接口未开放")
        if "auditor" in principal.roles and request.method in READ_METHODS:
            return principal
        granting = principal.roles & rule.roles
        if not granting:
            raise forbidden(principal, request, f"role {', '.join(sorted(principal.roles))} may not {request.method} {path}",
                            f"当前角色（{'、'.join(sorted(principal.roles))}）不能执行此操作")
        if granting <= UNIT_ROLES:
            if rule.units is None:
                raise forbidden(principal, request, f"unit roles may not {request.method} {path}", "项目单位人员不能执行此操作")
            owners = await rule.units(request, request.app.state.runtime)
            own = principal.unit_ids if subordinates else frozenset({principal.unit_id} - {None})
            if owners is not None and not owners <= own:
                raise forbidden(principal, request, "the object belongs to another unit", "该对象属于其他单位")
        if rule.rate is not None:
            wait = limiter.allow((principal.subject, f"{request.method} {path}"), submissions if rule.rate is SUBMISSIONS else rule.rate)
            if wait:
                log.warning("rate limited", extra={"subject": principal.subject, "path": path})
                raise RateLimited(wait)
        return principal
    return authorize
