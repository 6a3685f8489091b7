"""Idempotent submissions: the same ``Idempotency-Key`` from the same person gets the same answer.

At the declaration peak a unit's connection drops and its browser retries; the retry must not
create a second application. The key is claimed in the submission's own transaction: a concurrent
retry waits on the claim and then reads the first answer; a refused first attempt rolls its claim
back, so the retry is judged afresh. The same key with a different body is refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Header
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from servicekit.audit import sm3_hex
from servicekit.db import UnitOfWork
from servicekit.errors import DomainError
from servicekit.tables import IdempotencyRecord

IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$",
           description="Any unique string per submission; a retry with the same key gets the first answer"),
]


def request_hash(body: Any) -> str:
    """SM3 of the body in canonical JSON: what the receipt proves was submitted."""
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return sm3_hex(canonical.encode("utf-8"))


@dataclass(frozen=True)
class Claim:
    scope: str
    subject: str
    key: str
    request_hash: str


@dataclass(frozen=True)
class Replay:
    status: int
    body: dict[str, Any]


async def claim(uow: UnitOfWork, scope: str, subject: str, key: str | None, body_hash: str) -> Claim | Replay | None:
    """None without a key; a :class:`Replay` of the first answer; else the claim to :func:`answer` before commit."""
    if key is None:
        return None
    table = IdempotencyRecord.__table__
    where = (table.c.scope == scope) & (table.c.subject == subject) & (table.c.key == key)
    inserted = (await uow.session.execute(
        insert(table).values(scope=scope, subject=subject, key=key, request_hash=body_hash, status=0, response=None,
                             created_at=uow.clock.now()).on_conflict_do_nothing().returning(table.c.key))).first()
    if inserted is not None:
        return Claim(scope, subject, key, body_hash)
    row = (await uow.session.execute(select(table.c.request_hash, table.c.status, table.c.response).where(where))).one()
    if row.request_hash != body_hash:
        raise DomainError(
            "idempotency_key_reused", "Idempotency-Key: this key was used for a different submission",
            "Idempotency-Key：该幂等键已用于另一项不同的提交", field="Idempotency-Key", status_code=422,
        )
    return Replay(row.status, row.response)


async def answer(uow: UnitOfWork, claimed: Claim | None, status: int, body: dict[str, Any]) -> None:
    """Keep the answer with the claim, in the submission's transaction (call before commit)."""
    if claimed is None:
        return
    table = IdempotencyRecord.__table__
    await uow.session.execute(
        update(table)
        .where((table.c.scope == claimed.scope) & (table.c.subject == claimed.subject) & (table.c.key == claimed.key))
        .values(status=status, response=body))
