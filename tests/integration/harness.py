"""Helpers the integration tests share: waiting, reading a service's database, HTTP calls."""

from __future__ import annotations

from dataclasses import dataclass

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import base64
import httpx

from contracts.base import PackRef
from devstack.auth import DevIssuer
from servicekit.audit import sm3_hex

T = TypeVar("T")

BY = PackRef(id="BY", version="2024.1")
YF = PackRef(id="YF", version="2020.1")
BZ = PackRef(id="BZ", version="2022.1")
DY = PackRef(id="DY", version="2020.1")
YL = PackRef(id="YL", version="draft.1")
"""The bundled packs, as events name them."""


async def eventually(probe: Callable[[], Awaitable[T]], *, timeout: float = 20, interval: float = 0.1,
                     what: str = "condition") -> T:
    """Poll ``probe`` until it returns a truthy value; fail with the last value after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"{what} not reached within {timeout}s; last value: {last!r}")


def plain_dsn(sqlalchemy_url: str) -> str:
    """``postgresql+asyncpg://…`` → ``postgresql://…`` for asyncpg."""
    parts = urlsplit(sqlalchemy_url)
    return urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, parts.fragment))


class ServiceDatabase:
    """Read-only look into one service's database, as an operator would."""

    def __init__(self, sqlalchemy_url: str) -> None:
        self.dsn = plain_dsn(sqlalchemy_url)

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        connection = await asyncpg.connect(self.dsn)
        try:
            return await connection.fetch(query, *args)
        finally:
            await connection.close()

    async def value(self, query: str, *args: Any) -> Any:
        rows = await self.fetch(query, *args)
        return rows[0][0] if rows else None


@dataclass(frozen=True)
class Actor:
    """Who makes a request: the roles and unit its token carries."""

    roles: tuple[str, ...]
    unit_id: str | None = None
    username: str | None = None
    """The login, for people known by name (an expert); otherwise made from the roles and unit."""

    @property
    def subject(self) -> str:
        return self.username or f"{'+'.join(self.roles)}@{self.unit_id or 'bureau'}"


def applicant(unit_id: str) -> Actor:
    return Actor(("unit_applicant",), unit_id)


def leader(unit_id: str) -> Actor:
    return Actor(("unit_leader",), unit_id)


BUREAU = Actor(("bureau_reviewer",))
FINANCE = Actor(("finance_officer",))
AUDITOR = Actor(("auditor",))
ADMIN = Actor(("administrator",))
EXPERT = Actor(("expert",))


class Api:
    def __init__(self, base_url: str, issuer: DevIssuer) -> None:
        self.client = httpx.AsyncClient(base_url=base_url, timeout=15)
        self.issuer = issuer

    def headers(self, actor: Actor) -> dict[str, str]:
        token = self.issuer.token(subject=actor.subject, roles=actor.roles, unit_id=actor.unit_id)
        return {"authorization": f"Bearer {token}"}

    async def get(self, path: str, *, as_: Actor, **params: Any) -> httpx.Response:
        return await self.client.get(path, params=params or None, headers=self.headers(as_))

    async def post(self, path: str, body: Any = None, *, as_: Actor) -> httpx.Response:
        return await self.client.post(path, json=body, headers=self.headers(as_))

    async def put(self, path: str, body: Any = None, *, as_: Actor) -> httpx.Response:
        return await self.client.put(path, json=body, headers=self.headers(as_))

    async def close(self) -> None:
        await self.client.aclose()


async def scrape(process: Any) -> str:
    """A service's Prometheus metrics, as Prometheus reads them (no token)."""
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{process.url}/metrics", timeout=5)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample, matched by name and the given labels; None when absent."""
    for line in text.splitlines():
        match = re.match(rf"^{name}\{{(.*)\}} (\S+)$", line)
        if match is None:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
        if all(found.get(key) == value for key, value in labels.items()):
            return float(match.group(2))
    return None


async def publish_event(nats_url: str, envelope: Any) -> None:
    """Publish ``envelope`` on its stream as the service its source names would (tests stand in for a
    producer whose side of the flow is not built yet)."""
    import nats

    nc = await nats.connect(nats_url)
    try:
        await nc.jetstream().publish(envelope.nats_subject, envelope.body(), headers=envelope.headers())
    finally:
        await nc.close()


KNOWN_DOCUMENTS: dict[str, tuple[str, bytes]] = {}
"""Every document the tests name, by SM3: a unit made by the ``new_unit_id`` fixture has uploaded them all."""


def doc(name: str, content: str | None = None) -> dict[str, str]:
    """A document reference whose digest is that of real content, remembered so it can be uploaded."""
    data = (content or f"{name} 正文").encode("utf-8")
    digest = sm3_hex(data)
    KNOWN_DOCUMENTS[digest] = (name, data)
    return {"name": name, "sm3": digest}


async def upload(api: dict[str, Api], unit_id: str, *refs: dict[str, str]) -> None:
    for ref in refs:
        name, data = KNOWN_DOCUMENTS[ref["sm3"]]
        body = {"name": name, "content_base64": base64.b64encode(data).decode()}
        response = await api["intake"].post(f"/units/{unit_id}/documents", body, as_=applicant(unit_id))
        assert response.status_code in (200, 201), response.text


async def register_unit(api: dict[str, Api], unit_id: str, *, parent: str | None = None) -> None:
    body = {"unit_id": unit_id, "name": f"测试单位 {unit_id}", "level": "subordinate" if parent else "first_level",
            "parent_unit_id": parent}
    response = await api["intake"].post("/units", body, as_=BUREAU)
    assert response.status_code == 201, response.text


ASSET_CATALOGUE = doc("信息化资产目录.xlsx")


async def file_asset_catalogue(api: dict[str, Api], unit_id: str, systems: list[dict] | None = None) -> None:
    body = {"kind": "asset_catalogue", "document": ASSET_CATALOGUE, "systems": systems or []}
    response = await api["intake"].post(f"/units/{unit_id}/plans", body, as_=leader(unit_id))
    assert response.status_code == 201, response.text


PLAN_DOCUMENTS = [
    {"kind": "plan_declaration_form", "document": doc("立项计划申报表.pdf")},
    {"kind": "government_data_list", "document": doc("政务数据清单（盖章）.pdf")},
]
"""The documents every BY plan declaration carries (BY-15a)."""
