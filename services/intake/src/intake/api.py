"""HTTP routes of the intake service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select

from servicekit import idempotency
from servicekit.audit import sm3_hex
from servicekit.clock import business_date
from servicekit.deps import Runtime
from servicekit.identifiers import IdentifierPath, IdentifierQuery
from servicekit.idempotency import IdempotencyKey, request_hash
from servicekit.security.context import current_principal

from intake import handlers
from intake.domain.catalogue import census_counts
from intake.domain.standing import REVIEW_SUSPENSION, lift_description, lift_description_zh
from intake.models import Batch, Declaration, Scheme, UnitBlock, UnitPlan
from intake.schemas import (
    AssetCensusOut,
    BatchIn,
    BatchOut,
    BlockOut,
    CensusUnitOut,
    DeclarationIn,
    DeclarationOut,
    DocumentRef,
    FilingIn,
    FindingOut,
    FundApplicationIn,
    FundApplicationOut,
    LibraryEntry,
    MicroFilingIn,
    PlanFilingIn,
    PlanFilingOut,
    ProjectLibraryOut,
    Receipt,
    ResubmissionIn,
    SchemeFilingIn,
    SchemeFilingOut,
    SchemeIn,
    SchemeOut,
    StandingOut,
)

router = APIRouter()


def _stored_receipt(row: Declaration) -> Receipt:
    """The receipt given when the declaration was made; rows from before receipts were kept get the time only."""
    return Receipt.model_validate(row.receipt) if row.receipt else _receipt(row.submitted_at, "", None)


def _receipt(received_at, body_hash: str, key: str | None, documents: list | None = None) -> Receipt:
    return Receipt(received_at=received_at, request_sm3=body_hash, documents=documents or [], idempotency_key=key)


def _declaration(row: Declaration, receipt: Receipt) -> DeclarationOut:
    return DeclarationOut(
        application_id=row.id, project_id=row.project_id, unit_id=row.unit_id, pack_id=row.pack_id,
        pack_version=row.pack_version, project_name=row.project_name, declared_amount_yuan=row.declared_amount_fen // 100,
        upgrade_of_project_id=row.upgrade_of_project_id, project_class=row.project_class, submitted_at=row.submitted_at,
        event_id=row.event_id, receipt=receipt, batch_id=row.batch_id, round=row.round, status=row.status,
        using_unit_id=row.using_unit_id, system_name=row.system_name, purpose=row.purpose, planned_start=row.planned_start,
        planned_end=row.planned_end, findings=[FindingOut.model_validate(f) for f in row.findings], door=row.door,
        participants=list(row.participants or []),
        scheme_filed_on=(row.scheme_filing or {}).get("filed_on"),
        design_merge=row.design_merge, commitments=list(row.commitments or []), fund_application=row.fund_application,
    )


def _block(row: UnitBlock) -> BlockOut:
    return BlockOut(
        block_id=row.id, scope=row.scope, rule_ids=row.rule_ids, project_id=row.project_id,
        sub_project_id=row.sub_project_id, cause_event_id=row.cause_event_id, cause_event_type=row.cause_event_type,
        placed_at=row.placed_at,
        lifted_by=row.lifted_by, lifted_by_text=lift_description(row), lifted_by_zh=lift_description_zh(row),  # type: ignore[arg-type]
        lift_inferred=row.lift_inferred, message=row.message_en,
        message_zh=row.message_zh, lifted_at=row.lifted_at, project_class=row.project_class, until=row.until,
    )


@router.post("/declarations", status_code=201, response_model=DeclarationOut, tags=["declarations"])
async def submit_declaration(body: DeclarationIn, request: Request, runtime: Runtime,
                             idempotency_key: IdempotencyKey = None) -> DeclarationOut | JSONResponse:
    """Declare a project (计划申报); refused with the rule and its cause when the unit is blocked (BY-22).

    The answer carries a receipt (server time, SM3 of the submission); with an ``Idempotency-Key`` a
    retry gets the same answer and never a second application."""
    body_hash = request_hash(body.model_dump(mode="json"))
    async with runtime.units() as uow:
        claimed = await idempotency.claim(uow, "intake.declaration", _subject(), idempotency_key, body_hash)
        if isinstance(claimed, idempotency.Replay):
            return _replayed(claimed)
        row = await handlers.submit_declaration(uow, body, runtime.settings.policy_pack)
        handed_in = [ref for _, ref in handlers.submitted_documents(body)]
        out = _declaration(row, _receipt(row.submitted_at, sm3_hex(await request.body()), idempotency_key, handed_in))
        row.receipt = out.receipt.model_dump(mode="json")
        await idempotency.answer(uow, claimed, 201, out.model_dump(mode="json"))
        await uow.commit()
        return out


@router.post("/filings", status_code=201, response_model=DeclarationOut, tags=["declarations"])
async def file_project(body: FilingIn, request: Request, runtime: Runtime,
                       idempotency_key: IdempotencyKey = None) -> DeclarationOut | JSONResponse:
    """File a project with the bureau instead of declaring it: 备案制 (YL-11b, YL-13; ProjectFiled lets it
    procure), or below the pack's floor where a filing is still owed (DY-2.1b; MicroProjectFiled)."""
    body_hash = request_hash(body.model_dump(mode="json"))
    async with runtime.units() as uow:
        claimed = await idempotency.claim(uow, "intake.filing", _subject(), idempotency_key, body_hash)
        if isinstance(claimed, idempotency.Replay):
            return _replayed(claimed)
        row, _ = await handlers.file_project(uow, body, runtime.settings.policy_pack)
        out = _declaration(row, _receipt(row.submitted_at, sm3_hex(await request.body()), idempotency_key,
                                         [a.document for a in body.documents]))
        row.receipt = out.receipt.model_dump(mode="json")
        await idempotency.answer(uow, claimed, 201, out.model_dump(mode="json"))
        await uow.commit()
        return out


def _subject() -> str:
    principal = current_principal.get()
    return principal.subject if principal else "anonymous"


def _replayed(replay: idempotency.Replay) -> JSONResponse:
    return JSONResponse(replay.body, status_code=replay.status, headers={"idempotent-replayed": "true"})


def _plan(row: UnitPlan, rule_ids: list[str], receipt: Receipt | None = None) -> PlanFilingOut:
    document = DocumentRef(name=row.document_name, sm3=row.document_sm3)
    return PlanFilingOut(plan_id=row.id, unit_id=row.unit_id, kind=row.kind, plan_year=row.plan_year, revision=row.revision,
                         document_name=row.document_name, document_sm3=row.document_sm3, rule_ids=rule_ids,
                         filed_at=row.filed_at, filed_by=row.filed_by, event_id=row.event_id, systems=row.systems,
                         receipt=receipt or _receipt(row.filed_at, "", None, [document]))


@router.post("/units/{unit_id}/plans", status_code=201, response_model=PlanFilingOut, tags=["plans and catalogues"])
async def file_plan(unit_id: IdentifierPath, body: PlanFilingIn, request: Request, runtime: Runtime,
                    idempotency_key: IdempotencyKey = None) -> PlanFilingOut | JSONResponse:
    """File a plan or catalogue (规划备案, 信息化资产目录 BY-10, BY-12, YF-6, BZ-16, YL-7); re-filing adds a revision."""
    body_hash = request_hash({"unit_id": unit_id, **body.model_dump(mode="json")})
    async with runtime.units() as uow:
        claimed = await idempotency.claim(uow, "intake.plan", _subject(), idempotency_key, body_hash)
        if isinstance(claimed, idempotency.Replay):
            return _replayed(claimed)
        row, rules = await handlers.file_plan(uow, unit_id, body, runtime.settings.policy_pack)
        out = _plan(row, rules, _receipt(row.filed_at, sm3_hex(await request.body()), idempotency_key, [body.document]))
        await idempotency.answer(uow, claimed, 201, out.model_dump(mode="json"))
        await uow.commit()
        return out


@router.get("/units/{unit_id}/plans", response_model=list[PlanFilingOut], tags=["plans and catalogues"])
async def list_plans(unit_id: IdentifierPath, runtime: Runtime) -> list[PlanFilingOut]:
    """Every filing of the unit, all revisions kept."""
    async with runtime.units() as uow:
        pack = handlers.default_registry().get(runtime.settings.policy_pack, on=business_date(uow.clock.now()))
        asked = handlers.plan_requirements(pack)
        return [_plan(row, list(asked[row.kind].rules) if row.kind in asked else []) for row in await handlers.unit_plans(uow, unit_id)]


@router.get("/declarations", response_model=list[DeclarationOut], tags=["declarations"])
async def list_declarations(unit_id: IdentifierQuery, runtime: Runtime) -> list[DeclarationOut]:
    """A unit's declarations and filings, newest first: the unit workspace's project list."""
    async with runtime.units() as uow:
        rows = (await uow.session.execute(
            select(Declaration).where(Declaration.unit_id == unit_id).order_by(Declaration.submitted_at.desc()))).scalars().all()
        return [_declaration(row, _stored_receipt(row)) for row in rows]


@router.get("/declarations/{project_id}", response_model=DeclarationOut, tags=["declarations"])
async def get_declaration(project_id: IdentifierPath, runtime: Runtime) -> DeclarationOut:
    """A declaration with its round and status (returned for changes, passed, rejected)."""
    async with runtime.units() as uow:
        row = await handlers.get_declaration(uow, project_id)
        return _declaration(row, _stored_receipt(row))


@router.post("/declarations/{project_id}/resubmissions", status_code=201, response_model=DeclarationOut, tags=["declarations"])
async def resubmit(project_id: IdentifierPath, body: ResubmissionIn, request: Request, runtime: Runtime) -> DeclarationOut:
    """Resubmit a plan the review returned, within the pack's period from the opinion (BY-16c) and round limit (BY-16d)."""
    async with runtime.units() as uow:
        row = await handlers.resubmit(uow, project_id, body, runtime.policy.calendar)
        out = _declaration(row, _receipt(uow.clock.now(), sm3_hex(await request.body()), None, [a.document for a in body.documents]))
        await uow.commit()
        return out


def _scheme(row: Scheme, rules: list[str], receipt: Receipt) -> SchemeOut:
    return SchemeOut(scheme_id=row.id, project_id=row.project_id, revision=row.revision, track=row.track,
                     estimate_yuan=row.estimate_fen // 100, business_operation_yuan=row.business_operation_fen // 100,
                     rule_ids=rules, submitted_at=row.submitted_at, event_id=row.event_id, receipt=receipt)


@router.post("/declarations/{project_id}/schemes", status_code=201, response_model=SchemeOut, tags=["schemes"])
async def submit_scheme(project_id: IdentifierPath, body: SchemeIn, request: Request, runtime: Runtime) -> SchemeOut:
    """Submit the 立项方案 after the plan passed review (BY-15c, BY-17, BY-17.1b, BY-17.2b, BY-18, BY-31.1)."""
    async with runtime.units() as uow:
        row, rules = await handlers.submit_scheme(uow, project_id, body, runtime.policy.calendar)
        out = _scheme(row, rules, _receipt(row.submitted_at, sm3_hex(await request.body()), None, [a.document for a in body.documents]))
        await uow.commit()
        return out


@router.post("/declarations/{project_id}/scheme-filing", status_code=201, response_model=SchemeFilingOut, tags=["schemes"])
async def file_final_scheme(project_id: IdentifierPath, body: SchemeFilingIn, runtime: Runtime) -> SchemeFilingOut:
    """File the stamped final scheme after the last review stage (立项方案备案, BY-21); the 5-working-day
    deadline notify holds stops here."""
    async with runtime.units() as uow:
        row, rules = await handlers.file_final_scheme(uow, project_id, body)
        out = SchemeFilingOut(project_id=row.project_id, document=body.document,
                              filed_on=row.scheme_filing["filed_on"], rule_ids=rules, event_id=row.scheme_filing["event_id"])
        await uow.commit()
        return out


@router.post("/declarations/{project_id}/micro-filing", status_code=201, response_model=SchemeOut, tags=["schemes"])
async def file_micro_project(project_id: IdentifierPath, body: MicroFilingIn, request: Request, runtime: Runtime) -> SchemeOut:
    """File a 小微 project's 项目备案表 after plan review, in place of a scheme (BY-19.1a)."""
    async with runtime.units() as uow:
        row, rules = await handlers.file_micro_project(uow, project_id, body)
        out = _scheme(row, rules, _receipt(row.submitted_at, sm3_hex(await request.body()), None, [a.document for a in body.documents]))
        await uow.commit()
        return out


def _batch(row: Batch, rules: list[str]) -> BatchOut:
    return BatchOut(batch_id=row.id, pack_id=row.pack_id, pack_version=row.pack_version, plan_year=row.plan_year, title=row.title,
                    notice_issued_on=row.notice_issued_on, closes_on=row.closes_on, window_provisional=row.window_provisional,
                    sequence=row.sequence, units=list(row.units or []),
                    rule_ids=rules, opened_at=row.opened_at, opened_by=row.opened_by, event_id=row.event_id)


@router.post("/batches", status_code=201, response_model=BatchOut, tags=["declaration batches"])
async def open_batch(body: BatchIn, runtime: Runtime) -> BatchOut:
    """Open a declaration batch (BY-14a: the window runs two natural months from the notice); where the
    pack compiles batches by maturity, it is numbered and issued to the units it names (YL-6)."""
    async with runtime.units() as uow:
        row, rules = await handlers.open_batch(uow, body, runtime.settings.policy_pack, runtime.policy.calendar)
        await uow.commit()
        return _batch(row, rules)


@router.get("/batches", response_model=list[BatchOut], tags=["declaration batches"])
async def list_batches(runtime: Runtime) -> list[BatchOut]:
    """Every batch, the newest notice first."""
    async with runtime.units() as uow:
        return [_batch(row, []) for row in await handlers.batches(uow)]


@router.post("/declarations/{project_id}/fund-application", status_code=201, response_model=FundApplicationOut, tags=["funds"])
async def apply_for_funds(project_id: IdentifierPath, body: FundApplicationIn, runtime: Runtime) -> FundApplicationOut:
    """Apply for the funds of an approved 专业类 project after the finance bureau's fund review (YF-8.5)."""
    async with runtime.units() as uow:
        row, rules = await handlers.apply_for_funds(uow, project_id, body)
        applied = row.fund_application or {}
        out = FundApplicationOut(project_id=row.project_id, amount_yuan=applied["amount_yuan"], document=body.document,
                                 addressee_zh=applied["addressee_zh"], applied_on=applied["applied_on"], rule_ids=rules)
        await uow.commit()
        return out


@router.get("/project-library", response_model=ProjectLibraryOut, tags=["project library and census"])
async def project_library(
    runtime: Runtime,
    status: Annotated[str | None, Query(min_length=1, max_length=40, pattern=r"^[a-z_]+$")] = None,
    plan_year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    unit_id: Annotated[str | None, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ProjectLibraryOut:
    """The project library (项目库): every project declared or filed, with its status as review and
    approval move it on (YL-4.1)."""
    async with runtime.units() as uow:
        pack = handlers.default_registry().get(runtime.settings.policy_pack, on=business_date(uow.clock.now()))
        total, counts, rows = await handlers.project_library(uow, pack, status=status, plan_year=plan_year, unit_id=unit_id,
                                                            limit=limit, offset=offset)
        library = pack.declaration.project_library
        return ProjectLibraryOut(
            pack_id=pack.id, rule_ids=list(library.rules) if library else [], total=total, by_status=counts,
            projects=[LibraryEntry(project_id=row.project_id, unit_id=row.unit_id, project_name=row.project_name,
                                   project_class=row.project_class, door=row.door, status=row.status,
                                   declared_amount_yuan=row.declared_amount_fen // 100,
                                   approved_amount_yuan=row.approved_amount_fen // 100 if row.approved_amount_fen is not None else None,
                                   plan_year=year, batch_id=row.batch_id, submitted_at=row.submitted_at) for row, year in rows])


@router.get("/asset-census", response_model=AssetCensusOut, tags=["project library and census"])
async def asset_census(runtime: Runtime) -> AssetCensusOut:
    """The IT-asset census (信息化资产普查): each unit's latest catalogue in figures, with what becomes of
    its systems (YL-4.3), and the units that have filed none (YL-4.1)."""
    async with runtime.units() as uow:
        pack = handlers.default_registry().get(runtime.settings.policy_pack, on=business_date(uow.clock.now()))
        asked = handlers.plan_requirements(pack).get("asset_catalogue")
        filed, missing = await handlers.asset_census(uow)
        return AssetCensusOut(
            pack_id=pack.id, rule_ids=list(asked.rules) if asked else [], not_filed=missing,
            units=[CensusUnitOut(unit_id=plan.unit_id, name=name, plan_id=plan.id, revision=plan.revision,
                                 document_name=plan.document_name, document_sm3=plan.document_sm3, filed_at=plan.filed_at,
                                 **census_counts(plan.systems)) for plan, name in filed])


@router.get("/standing", response_model=list[StandingOut], tags=["unit standing"])
async def blocked_units(runtime: Runtime) -> list[StandingOut]:
    """Every unit with a block in force, for the bureau's overview of who may not declare."""
    async with runtime.units() as uow:
        rows = (await uow.session.execute(select(UnitBlock).where(UnitBlock.lifted_at.is_(None))
                                          .order_by(UnitBlock.unit_id, UnitBlock.placed_at))).scalars().all()
        by_unit: dict[str, list[UnitBlock]] = {}
        for row in rows:
            by_unit.setdefault(row.unit_id, []).append(row)
        return [StandingOut(unit_id=unit, blocks=[_block(r) for r in blocks],
                            reviews_suspended=any(r.scope == REVIEW_SUSPENSION for r in blocks))
                for unit, blocks in by_unit.items()]


@router.get("/units/{unit_id}/standing", response_model=StandingOut, tags=["unit standing"])
async def unit_standing(unit_id: IdentifierPath, runtime: Runtime) -> StandingOut:
    """The blocks in force on a unit, each with its rule, cause and what lifts it."""
    async with runtime.units() as uow:
        rows = await handlers.active_blocks(uow, unit_id)
        return StandingOut(unit_id=unit_id, blocks=[_block(r) for r in rows],
                           reviews_suspended=any(r.scope == REVIEW_SUSPENSION for r in rows))
