"""The document store: what a unit uploads, kept by content hash and version (a re-upload under the
same name is the next version; no version is ever overwritten or removed). A submission names its
documents by SM3, and intake checks each is stored, so the digest on a receipt is the file itself."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import defer

from servicekit.audit import sm3_hex
from servicekit.db import UnitOfWork
from servicekit.errors import DomainError
from servicekit.security.context import acting_username

from intake.models import Document
from intake.schemas import DocumentIn


@dataclass(frozen=True)
class Uploaded:
    row: Document
    created: bool


def decode(body: DocumentIn) -> bytes:
    try:
        return base64.b64decode(body.content_base64, validate=True)
    except (binascii.Error, ValueError) as error:
        raise DomainError("content_not_base64", f"content_base64: not valid base64 ({error})", "content_base64：不是有效的 base64 编码",
                          field="content_base64", status_code=422) from error


async def upload(uow: UnitOfWork, unit_id: str, body: DocumentIn) -> Uploaded:
    content = decode(body)
    digest = sm3_hex(content)
    # one uploader at a time per name, so versions count up without gaps
    await uow.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"document:{unit_id}:{body.name}"})
    latest = (await uow.session.execute(
        select(Document).options(defer(Document.content)).where(Document.unit_id == unit_id, Document.name == body.name)
        .order_by(Document.version.desc()).limit(1))).scalar_one_or_none()
    if latest is not None and latest.sm3 == digest:
        return Uploaded(latest, False)  # the same file again: a retry, not a new version
    row = Document(unit_id=unit_id, name=body.name, version=(latest.version if latest else 0) + 1, media_type=body.media_type,
                   size_bytes=len(content), sm3=digest, content=content, uploaded_at=uow.clock.now(),
                   uploaded_by=acting_username())
    uow.session.add(row)
    return Uploaded(row, True)


async def listing(uow: UnitOfWork, unit_id: str) -> list[Document]:
    query = (select(Document).options(defer(Document.content)).where(Document.unit_id == unit_id)
             .order_by(Document.name, Document.version))
    return list((await uow.session.execute(query)).scalars().all())


async def get(uow: UnitOfWork, unit_id: str, document_id, *, content: bool = False) -> Document:
    query = select(Document).where(Document.unit_id == unit_id, Document.id == document_id)
    if not content:
        query = query.options(defer(Document.content))
    row = (await uow.session.execute(query)).scalar_one_or_none()
    if row is None:
        raise DomainError("not_found", f"document_id: no document {document_id} of unit {unit_id}",
                          f"单位 {unit_id} 无文档 {document_id}", field="document_id", status_code=404)
    return row


async def require_stored(uow: UnitOfWork, unit_id: str, refs: Iterable[tuple[str, object]]) -> None:
    """Every document a submission names (field path, DocumentRef) is one the unit uploaded."""
    refs = list(refs)
    if not refs:
        return
    wanted = {ref.sm3 for _, ref in refs}
    stored = set((await uow.session.execute(
        select(Document.sm3).where(Document.unit_id == unit_id, Document.sm3.in_(wanted)).distinct())).scalars().all())
    missing = [(field, ref) for field, ref in refs if ref.sm3 not in stored]
    if missing:
        field, ref = missing[0]
        raise DomainError(
            "document_not_uploaded",
            f"{field}.sm3: no uploaded document of unit {unit_id} has this digest ({ref.name}); upload it first "
            f"(POST /units/{unit_id}/documents)",
            f"{field}.sm3：单位 {unit_id} 未上传摘要为此值的文档（{ref.name}），请先上传",
            field=f"{field}.sm3", status_code=422,
            details={"missing": [{"field": f, "name": r.name, "sm3": r.sm3} for f, r in missing]},
        )

