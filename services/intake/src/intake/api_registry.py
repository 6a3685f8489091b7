"""HTTP routes of the unit registry (BY-5.2a, BY-10) and the document store."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from fastapi import APIRouter, Response

from servicekit.deps import Runtime
from servicekit.identifiers import IdentifierPath

from intake import documents, registry
from intake.models import Document, Unit
from intake.schemas import DOCUMENT_MEDIA_TYPES, ChiefDataOfficer, DocumentIn, DocumentOut, UnitIn, UnitOut

router = APIRouter()


def _unit(row: Unit, subordinates: list[str]) -> UnitOut:
    officer = ChiefDataOfficer.model_validate(row.chief_data_officer) if row.chief_data_officer else None
    return UnitOut(unit_id=row.unit_id, name=row.name, level=row.level, parent_unit_id=row.parent_unit_id, sector=row.sector, role=row.role,
                   chief_data_officer=officer, principal_head=row.principal_head, subordinates=subordinates,
                   registered_at=row.registered_at, updated_at=row.updated_at)


@router.post("/units", status_code=201, response_model=UnitOut, tags=["units"])
async def register_unit(body: UnitIn, runtime: Runtime) -> UnitOut:
    """Enter a unit in the registry: a first-level budget unit (一级预算单位), or a subordinate under one (BY-5.2a)."""
    async with runtime.units() as uow:
        row = await registry.register_unit(uow, body)
        await uow.commit()
        return _unit(row, [])


@router.get("/units/{unit_id}", response_model=UnitOut, tags=["units"])
async def get_unit(unit_id: IdentifierPath, runtime: Runtime) -> UnitOut:
    """A unit, its level, its subordinates and its chief data officer."""
    async with runtime.units() as uow:
        row = await registry.get_unit(uow, unit_id)
        return _unit(row, await registry.subordinates(uow, unit_id))


@router.put("/units/{unit_id}/chief-data-officer", response_model=UnitOut, tags=["units"])
async def appoint_chief_data_officer(unit_id: IdentifierPath, body: ChiefDataOfficer, runtime: Runtime) -> UnitOut:
    """Name the unit's chief data officer (首席数据官制度, BY-10); the audit trail keeps who held it before."""
    async with runtime.units() as uow:
        row = await registry.appoint_chief_data_officer(uow, unit_id, body)
        await uow.commit()
        return _unit(row, await registry.subordinates(uow, unit_id))


def _document(row: Document, created: bool = True) -> DocumentOut:
    return DocumentOut(document_id=row.id, unit_id=row.unit_id, name=row.name, version=row.version, media_type=row.media_type,
                       size_bytes=row.size_bytes, sm3=row.sm3, uploaded_at=row.uploaded_at, uploaded_by=row.uploaded_by,
                       created=created)


@router.post("/units/{unit_id}/documents", status_code=201, response_model=DocumentOut, tags=["documents"],
             responses={200: {"model": DocumentOut, "description": "The same content is stored already: nothing changed"}})
async def upload_document(unit_id: IdentifierPath, body: DocumentIn, response: Response, runtime: Runtime) -> DocumentOut:
    """Upload a document; the same name again is its next version, the same content again changes nothing.
    Submissions then name it by the returned ``sm3``."""
    async with runtime.units() as uow:
        uploaded = await documents.upload(uow, unit_id, body)
        await uow.commit()
        if not uploaded.created:
            response.status_code = 200
        return _document(uploaded.row, uploaded.created)


@router.get("/units/{unit_id}/documents", response_model=list[DocumentOut], tags=["documents"])
async def list_documents(unit_id: IdentifierPath, runtime: Runtime) -> list[DocumentOut]:
    """Every version of every document the unit uploaded."""
    async with runtime.units() as uow:
        return [_document(row) for row in await documents.listing(uow, unit_id)]


@router.get("/units/{unit_id}/documents/{document_id}/content", tags=["documents"],
            responses={200: {"content": {media_type: {} for media_type in DOCUMENT_MEDIA_TYPES},
                             "description": "The file as uploaded, as an attachment"}})
async def document_content(unit_id: IdentifierPath, document_id: uuid.UUID, runtime: Runtime) -> Response:
    """The file of one version, with its SM3 in a header so a reader can check it."""
    async with runtime.units() as uow:
        row = await documents.get(uow, unit_id, document_id, content=True)
        return Response(row.content, media_type=row.media_type, headers={
            "x-content-sm3": row.sm3, "x-document-version": str(row.version),
            "content-disposition": f"attachment; filename*=UTF-8''{quote(row.name, safe='')}"})
