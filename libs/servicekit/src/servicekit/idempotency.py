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
from sqlalchemy import text

from servicekit.audit import sm3_hex
from servicekit.db import UnitOfWork
from servicekit.errors import DomainError

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
    inserted = (await uow.session.execute(text(
        "INSERT INTO idempotency_record (scope, subject, key, request_hash, status, response, created_at) "
        "VALUES (:scope, :subject, :key, :hash, 0, NULL, now()) ON CONFLICT DO NOTHING RETURNING key"),
        {"scope": scope, "subject": subject, "key": key, "hash": body_hash})).first()
    if inserted is not None:
        return Claim(scope, subject, key, body_hash)
    row = (await uow.session.execute(text(
        "SELECT request_hash, status, response FROM idempotency_record WHERE scope = :scope AND subject = :subject AND key = :key"),
        {"scope": scope, "subject": subject, "key": key})).one()
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
    await uow.session.execute(text(
        "UPDATE idempotency_record SET status = :status, response = CAST(:response AS jsonb) "
        "WHERE scope = :scope AND subject = :subject AND key = :key"),
        {"status": status, "response": json.dumps(body, ensure_ascii=False, default=str), "scope": claimed.scope,
         "subject": claimed.subject, "key": claimed.key})
