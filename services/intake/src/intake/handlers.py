"""Intake use cases: declarations, and the unit-standing projection built from events."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert

from contracts.base import Event, PackRef
from contracts.envelope import Envelope
from contracts.events import (
    SchemeFiled,
    ProgressReported,
    AcceptanceFailed,
    AcceptanceFiled,
    AcceptanceFilingRejected,
    AcceptancePassed,
    ApplicationSubmitted,
    BatchOpened,
    DataAggregationConfirmed,
    DeclarationFinding,
    DeadlineElapsed,
    EvaluationCompleted,
    MicroProjectFiled,
    PlanReviewed,
    ProjectApproved,
    ProjectFiled,
    ProjectRejected,
    RectificationCompleted,
    RectificationOverdue,
    ReviewStageCompletedV2,
    SchemeChangeDecided,
    SchemeSubmitted,
    StandingBlock,
    SupervisionFindingRecorded,
    UnitPlanFiled,
    UnitStandingChanged,
)
from contracts.streams import ACCEPTANCE, NOTIFY, PROCUREMENT, REVIEW
from policy.calendar import Deadline, WorkingDayCalendar
from policy.classification import check_project_type, classify
from policy.facts import Amounts, ProjectFacts
from policy.packs import default_registry, get_pack
from policy.requirements import RequirementOutcome, requirements
from policy.review import after_failed_round, check_scheme_budget
from policy.sanctions import matches, sanctions_for
from policy.timers import period_due
from servicekit.clock import business_date, fact_day
from servicekit.consumer import Subscription
from servicekit.db import UnitOfWork
from servicekit.errors import DomainError, refuse
from servicekit.security.context import acting_username

from intake.domain.standing import (
    BLOCK_EFFECTS,
    REVIEW_SUSPENSION,
    Block,
    DeclarationFacts,
    end_of_next_year,
    lift_description,
    lift_description_zh,
    published_scope,
    refusing_blocks,
)
from intake import documents, registry, screening
from intake.domain.batches import batch_unit_problems, not_issued
from intake.domain.catalogue import CatalogueEntry, catalogue_problems
from intake.domain.commitments import FORM_ANSWER, commitment_problems
from intake.domain.design_merge import MERGED, MergeClaim, merge_problems
from intake.domain.forms import STRUCTURED
from intake.domain.funds import FundState, fund_application_problems
from intake.domain.units import declarant_refusals, public_class_refusal, role_flag_refusals
from intake.models import AcceptedProject, Batch, Declaration, ProjectProgress, Scheme, Unit, UnitBlock, UnitPlan
from intake.domain.participants import participant_problems
from intake.domain.regime import door, wrong_door
from intake.schemas import (BatchIn, DeclarationIn, FilingIn, FundApplicationIn, MicroFilingIn, PlanFilingIn, ProjectIn,
                            ResubmissionIn, SchemeFilingIn, SchemeIn)


def as_block(row: UnitBlock) -> Block:
    return Block(
        str(row.id), row.scope, tuple(row.rule_ids), row.project_id, row.cause_event_id, row.cause_event_type,
        row.placed_at, row.lifted_by, row.lift_inferred, row.message_en, row.message_zh, row.project_class, row.until,
    )


async def active_blocks(uow: UnitOfWork, unit_id: str, *, lock: bool = False) -> list[UnitBlock]:
    query = select(UnitBlock).where(UnitBlock.unit_id == unit_id, UnitBlock.lifted_at.is_(None)).order_by(UnitBlock.placed_at)
    if lock:
        query = query.with_for_update()
    return list((await uow.session.execute(query)).scalars().all())


def refusal(blocks: list[Block], missing: list | None = None, unaccepted: dict | None = None) -> DomainError:
    violations = [
        {
            "rule_ids": list(block.rule_ids),
            "message": block.message_en,
            "message_zh": block.message_zh,
            "cause": {"event_id": block.cause_event_id, "event_type": block.cause_event_type,
                      "project_id": block.project_id, "placed_at": block.placed_at.isoformat()},
            "lifted_by": lift_description(block),
            "lifted_by_zh": lift_description_zh(block),
        }
        for block in blocks
    ]
    for req in missing or []:
        violations.append({
            "rule_ids": list(req.rules),
            "message": f"The unit has not filed its {req.plan_kind} ({req.name_zh})",
            "message_zh": f"项目单位未报送{req.name_zh}",
            "cause": None,
            "lifted_by": f"filing it (POST /units/{{unit_id}}/plans, kind {req.plan_kind})",
            "lifted_by_zh": f"报送{req.name_zh}后即可申报",
        })
    if unaccepted:
        violations.append(unaccepted)
    rule_ids = sorted({rule for block in blocks for rule in block.rule_ids} | {r for req in missing or [] for r in req.rules}
                      | set(unaccepted["rule_ids"] if unaccepted else []))
    causes = "; ".join([f"{', '.join(b.rule_ids)}: {b.message_en} (caused by {b.cause_event_type} {b.cause_event_id} on project {b.project_id})" for b in blocks]
                       + [f"{', '.join(r.rules)}: the {r.plan_kind} is not filed" for r in missing or []]
                       + ([f"{', '.join(unaccepted['rule_ids'])}: {unaccepted['message']}"] if unaccepted else []))
    causes_zh = "；".join([f"{'、'.join(b.rule_ids)}：{b.message_zh}（起因：项目 {b.project_id} 的 {b.cause_event_type} 事件 {b.cause_event_id}）" for b in blocks]
                          + [f"{'、'.join(r.rules)}：未报送{r.name_zh}" for r in missing or []]
                          + ([f"{'、'.join(unaccepted['rule_ids'])}：{unaccepted['message_zh']}"] if unaccepted else []))
    return DomainError(
        "declaration_refused",
        f"The unit may not declare this project: {causes}",
        f"该单位不得申报此项目：{causes_zh}",
        rule_ids=rule_ids,
        details={"violations": violations},
        status_code=409,
    )


async def admit(uow: UnitOfWork, body: ProjectIn, pack_id: str, doors: tuple[str, ...]):
    """Everything a new project must pass before intake keeps it, at the door ``doors`` names:
    who declares (BY-5.2a), whether this pack governs it and how (BY-2, BY-3, YL-11, DY-2.1),
    its documents and forms, the window (BY-14), and the unit's standing (BY-22, BZ-30)."""
    now = uow.clock.now()
    today = business_date(now)
    # the version in force on the declaration day stays with the project
    pack = default_registry().get(pack_id, on=today)
    check_project_type(pack, body.project_class, "project_class")
    await check_declarant(uow, body, pack)
    if body.planned_start and body.planned_end and body.planned_end < body.planned_start:
        raise DomainError("period_reversed", "planned_end: before planned_start", "planned_end：计划结束日期早于开始日期",
                          field="planned_end", status_code=422)
    joint = pack.declaration.cross_department
    if joint is not None and body.participants:
        refuse(participant_problems(body.unit_id, [(p.unit_id, p.scope) for p in body.participants], tuple(joint.rules)))
    await check_responsible_person(uow, body, pack)
    check_design_merge(body, pack)
    facts = declaration_facts(body)
    decided = classify(pack, facts)
    misplaced = wrong_door(decided, pack, doors, "declared_amount_yuan")
    if misplaced is not None:
        raise DomainError("wrong_door", misplaced.en, misplaced.zh, rule_ids=misplaced.rule_ids, field=misplaced.field,
                          status_code=409, details={"regime": decided.regime, "track": decided.track})
    owed = requirements(pack, facts, "declaration", decided).items
    require_documents(owed, body.documents)
    require_forms(owed, body)
    check_commitments(body, pack)
    await documents.require_stored(uow, body.unit_id, submitted_documents(body))
    batch = None
    if isinstance(body, DeclarationIn):
        batch = await batch_for(uow, body, pack, today)
        outside = window_refusal(pack, batch, body, today)
        if outside is not None:
            raise outside
    # Locking the unit's blocks serialises a declaration with a block arriving at the same moment.
    blocks = [as_block(row) for row in await active_blocks(uow, body.unit_id, lock=True)]
    refusing = refusing_blocks(blocks, DeclarationFacts(body.unit_id, body.upgrade_of_project_id, body.project_class, today))
    missing = await missing_plans(uow, body.unit_id, pack)
    unaccepted = await unaccepted_predecessor(uow, body, pack, refusing)
    if refusing or missing or unaccepted:
        raise refusal(refusing, missing, unaccepted)
    declaration = Declaration(
        project_id=f"PRJ-{uuid.uuid4().hex[:12].upper()}",
        unit_id=body.unit_id,
        using_unit_id=body.using_unit_id,
        pack_id=pack.id,
        pack_version=pack.version,
        door=door(decided, pack),
        project_name=body.project_name,
        system_name=body.system_name,
        purpose=body.purpose,
        planned_start=body.planned_start,
        planned_end=body.planned_end,
        declared_amount_fen=body.declared_amount_yuan * 100,
        upgrade_of_project_id=body.upgrade_of_project_id,
        project_class=body.project_class,
        batch_id=batch.id if batch is not None else None,
        out_of_window_consents=[c.model_dump(mode="json") for c in getattr(body, "out_of_window_consents", [])],
        forms=body.forms.model_dump(mode="json", exclude_none=True),
        flags=list(project_flags(body)),
        participants=[p.model_dump(mode="json") for p in body.participants],
        design_merge=merge.model_dump(mode="json", exclude_none=True) if (merge := getattr(body, "design_merge", None)) else None,
        commitments=[c.model_dump(mode="json") for c in getattr(body, "commitments", [])],
        submitted_at=now,
        event_id="",
    )
    found = await screening.findings_for(uow, declaration, pack, batch)
    declaration.findings = [f.as_json() for f in found]
    return declaration, pack, decided


async def submit_declaration(uow: UnitOfWork, body: DeclarationIn, pack_id: str) -> Declaration:
    """Accept a plan declaration for review unless a rule refuses it (BY-15a, BY-22, BZ-30)."""
    declaration, pack, _ = await admit(uow, body, pack_id, ("declaration",))
    envelope = uow.emit(
        ApplicationSubmitted(
            project_id=declaration.project_id, application_id=str(declaration.id), unit_id=body.unit_id,
            pack=PackRef(id=pack.id, version=pack.version), project_name=body.project_name,
            declared_amount_fen=declaration.declared_amount_fen, upgrade_of_project_id=body.upgrade_of_project_id,
            submitted_at=declaration.submitted_at, project_class=body.project_class, using_unit_id=body.using_unit_id,
            flags=list(declaration.flags), findings=[DeclarationFinding.model_validate(f) for f in declaration.findings],
        )
    )
    declaration.event_id = envelope.id
    uow.session.add(declaration)
    return declaration


async def file_project(uow: UnitOfWork, body: FilingIn, pack_id: str) -> tuple[Declaration, list[str]]:
    """File a project with the bureau instead of declaring it for review: 备案制 (YL-11b, YL-13) is then
    as good as approved for procurement; under the floor (DY-2.1b) the unit goes on by itself."""
    declaration, pack, decided = await admit(uow, body, pack_id, ("filing", "below_floor_filing"))
    owed = [r for item in requirements(pack, declaration_facts(body), "declaration", decided).items
            if item.status == "required" for r in item.rule_ids]
    rules = sorted(set(decided.rule_ids) | set(owed))
    ref = PackRef(id=pack.id, version=pack.version)
    now = declaration.submitted_at
    declaration.status = "filed"
    if declaration.door == "filing":
        event = ProjectFiled(project_id=declaration.project_id, filing_id=str(declaration.id), unit_id=body.unit_id, pack=ref,
                             project_class=body.project_class, total_investment_fen=declaration.declared_amount_fen,
                             rule_ids=rules, filed_on=business_date(now), filed_at=now)
    else:
        event = MicroProjectFiled(project_id=declaration.project_id, filing_id=str(declaration.id), unit_id=body.unit_id, pack=ref,
                                  project_class=body.project_class, estimate_fen=declaration.declared_amount_fen,
                                  rule_ids=rules, filed_at=now)
    declaration.event_id = uow.emit(event).id
    uow.session.add(declaration)
    return declaration, rules


async def check_declarant(uow: UnitOfWork, body: ProjectIn, pack) -> None:
    """BY-5.2a: a registered unit declares, a 一级预算单位 where the pack says so, for itself or a subordinate;
    a 公共类 project comes from the body the pack names (YF-7.1, YL-4.2)."""
    unit = await uow.session.get(Unit, body.unit_id)
    using = await uow.session.get(Unit, body.using_unit_id) if body.using_unit_id else None
    rule = pack.declaration.first_level_declares
    refusals = declarant_refusals(registry.as_record(unit), registry.as_record(using), body.using_unit_id,
                                  tuple(rule.rules) if rule else None)
    if not refusals and unit is not None:
        public = public_class_refusal(registry.as_record(unit), "public_class" in body.flags, pack.declaration.public_class_applicant)
        refusals = ([public] if public else []) + role_flag_refusals(registry.as_record(unit), tuple(body.flags),
                                                                     pack.declaration.role_flags)
    if refusals:
        raise registry.refused(refusals[0], "declarant_refused")


def project_flags(body: ProjectIn) -> tuple[str, ...]:
    """The flags the pack's conditions read: as declared, and a merged 实施方案 where one is claimed (BZ-17)."""
    flags = tuple(body.flags)
    if getattr(body, "design_merge", None) is not None and MERGED not in flags:
        flags += (MERGED,)
    return flags


def check_design_merge(body: ProjectIn, pack) -> None:
    """BZ-17: a merged 实施方案 rests on one of the grounds (1)–(3), stated with its evidence."""
    merge = getattr(body, "design_merge", None)
    claim = None if merge is None else MergeClaim(merge.ground, merge.requiring_body, merge.document_title, merge.document_number,
                                                   merge.document is not None, merge.reason)
    refuse(merge_problems(claim, tuple(body.flags), pack.declaration.design_merge, pack.classification.merge_design_line,
                          body.declared_amount_yuan, pack.id))


def check_commitments(body: ProjectIn, pack) -> None:
    """DY-7: an unapproved project already funded or required by county documents says which, with the
    document, as its 立项申请表 answers."""
    if not isinstance(body, DeclarationIn):
        return  # a filing is no application for approval
    named = [c.kind for c in body.commitments]
    form = body.forms.application_form
    answers = None if form is None else {question: getattr(form, question) for question in FORM_ANSWER.values()}
    refuse(commitment_problems(named, answers, pack.declaration.already_committed, pack.id))


async def check_responsible_person(uow: UnitOfWork, body: ProjectIn, pack) -> None:
    """BZ-24: the project answers to the unit's principal head, as the registry records them."""
    rule = pack.declaration.responsible_person
    if rule is None:
        return
    unit = await uow.session.get(Unit, body.unit_id)
    head = unit.principal_head if unit is not None else None
    if head is None:
        raise DomainError("no_principal_head", "unit_id: the registry has no principal head for this unit; the bureau records it first",
                          "单位登记信息缺少主要负责人，请先登记", field="unit_id", rule_ids=rule.rules, status_code=409)
    if body.responsible_person != head:
        raise DomainError("not_principal_head", f"responsible_person: the project's responsible person is the unit's principal head, "
                          f"{head}", f"responsible_person：项目负责人应为单位主要负责人（{head}）", field="responsible_person",
                          rule_ids=rule.rules, status_code=422)


def submitted_documents(body) -> list[tuple[str, object]]:
    """Every document a submission names, with where it sits in the body."""
    refs = [(f"documents[{i}].document", a.document) for i, a in enumerate(getattr(body, "documents", []))]
    refs += [(f"out_of_window_consents[{i}].document", c.document) for i, c in enumerate(getattr(body, "out_of_window_consents", []))]
    merge = getattr(body, "design_merge", None)
    if merge is not None and merge.document is not None:
        refs.append(("design_merge.document", merge.document))
    refs += [(f"commitments[{i}].document", c.document) for i, c in enumerate(getattr(body, "commitments", []))]
    return refs


def require_forms(owed: tuple[RequirementOutcome, ...], body: ProjectIn) -> None:
    """Where the pack requires a form whose fields are fixed (RULES.md §4: DY-A1, DY-A2), its fields
    come as data beside the stamped scan, and must agree with each other and with the declaration."""
    for item in owed:
        check = STRUCTURED.get(item.key)
        if check is None or item.status != "required":
            continue
        form = getattr(body.forms, item.key)
        if form is None:
            raise DomainError("form_missing", f"forms.{item.key}: the {item.key} is required as data ({item.why})",
                              f"forms.{item.key}：须填报{item.name_zh}各项内容（{item.why_zh}）",
                              rule_ids=list(item.rule_ids), field=f"forms.{item.key}", status_code=422)
        violations = check(form, body.declared_amount_yuan)
        if violations:
            first = violations[0]
            raise DomainError("form_invalid", "; ".join(f"{v.field}: {v.en}" for v in violations),
                              "；".join(f"{v.field}：{v.zh}" for v in violations),
                              rule_ids=sorted({r for v in violations for r in v.rule_ids}), field=first.field, status_code=422,
                              details={"violations": [{"field": v.field, "rule_ids": list(v.rule_ids), "message": v.en,
                                                       "message_zh": v.zh} for v in violations]})


def _standing_block(row: UnitBlock) -> StandingBlock:
    return StandingBlock(
        block_id=str(row.id), scope=published_scope(row.scope), rule_ids=row.rule_ids,  # type: ignore[arg-type]
        project_id=row.project_id, cause_event_id=row.cause_event_id, cause_event_type=row.cause_event_type,
        placed_at=row.placed_at, lifted_by=row.lifted_by, until=row.until, project_class=row.project_class,
    )


def _standing_event(unit_id: str, change: str, changed: list[UnitBlock], active: list[UnitBlock], now) -> UnitStandingChanged:
    return UnitStandingChanged(
        unit_id=unit_id,
        change=change,  # type: ignore[arg-type]
        changed_block_ids=[str(row.id) for row in changed],
        changed_blocks=[_standing_block(row) for row in changed],
        blocks=[_standing_block(row) for row in active],
        reviews_suspended=any(row.scope == REVIEW_SUSPENSION for row in active),
        changed_at=now,
    )


def _facts(event: Event) -> dict:
    return event.model_dump(mode="json")


async def _project_class(uow: UnitOfWork, project_id: str | None) -> str | None:
    if project_id is None:
        return None
    query = select(Declaration.project_class).where(Declaration.project_id == project_id)
    return (await uow.session.execute(query)).scalar_one_or_none()


async def place_blocks(uow: UnitOfWork, envelope: Envelope) -> None:
    """Place the blocks the project's pack attaches to this event (RULES.md §3.10.1): BY-22.6–22.9,
    BY-22.15, BY-48d, BY-53.2/.3, BZ-11a, BZ-30, BZ-32c, BZ-47."""
    event = envelope.data
    unit_id = getattr(event, "unit_id", None)
    pack_ref = getattr(event, "pack", None)
    if unit_id is None or pack_ref is None:
        return
    pack = get_pack(pack_ref.id, pack_ref.version)
    now = uow.clock.now()
    project_id = getattr(event, "project_id", None)
    sanctions = [s for s in sanctions_for(pack, type(event).event_name(), _facts(event)).sanctions if s.effect in BLOCK_EFFECTS]
    if not sanctions:
        return
    project_class = await _project_class(uow, project_id)
    placed = []
    for sanction in sanctions:
        row = UnitBlock(
            unit_id=unit_id, scope=REVIEW_SUSPENSION if sanction.effect == "review_suspension" else sanction.scope,
            rule_ids=list(sanction.rule_ids), project_id=project_id, sub_project_id=getattr(event, "sub_project_id", None),
            cause_event_id=envelope.id,
            origin_event_id=getattr(event, "cause_event_id", None) or envelope.id,
            cause_event_type=type(event).event_name(), placed_at=now, lifted_by=sanction.lifted_by,
            lifted_when=sanction.lifted_when, lift_inferred=sanction.lift_inferred, project_class=project_class,
            until=end_of_next_year(fact_day(_facts(event)) or business_date(now)) if sanction.release_after == "end_of_next_year" else None,
            message_en=sanction.message_en, message_zh=sanction.message_zh,
        )
        uow.session.add(row)
        placed.append(row)
    await uow.session.flush()
    uow.emit(_standing_event(unit_id, "placed", placed, await active_blocks(uow, unit_id), now))


async def _roots(uow: UnitOfWork, answers: str | None) -> set[str]:
    """The event answered and the root it stands for: a rectification may answer the overdue notice
    rather than the finding itself."""
    if answers is None:
        return set()
    rows = (await uow.session.execute(select(UnitBlock).where(UnitBlock.cause_event_id == answers))).scalars().all()
    return {answers, *(row.origin_event_id for row in rows if row.origin_event_id)}


async def lift_blocks(uow: UnitOfWork, envelope: Envelope) -> None:
    """Lift the blocks this event releases: those of the same project, or caused by the event it answers."""
    event = envelope.data
    unit_id = getattr(event, "unit_id", None)
    if unit_id is None:
        return
    name, facts = type(event).event_name(), _facts(event)
    answers = getattr(event, "cause_event_id", None)
    project_id = getattr(event, "project_id", None)
    sub_project_id = getattr(event, "sub_project_id", None)
    now = uow.clock.now()
    roots = await _roots(uow, answers)

    def released(row: UnitBlock) -> bool:
        if answers is not None:
            # An event that answers one failure or finding lifts only what that one set off, not
            # every block of the project another finding placed.
            return row.cause_event_id in roots or (row.origin_event_id or row.cause_event_id) in roots
        # one sub-project's pass says nothing of another's failure, nor of the whole project's
        return (row.project_id is not None and row.project_id == project_id
                and (sub_project_id is None or row.sub_project_id == sub_project_id))

    lifted = [row for row in await active_blocks(uow, unit_id, lock=True)
              if row.lifted_by == name and matches(row.lifted_when or {}, facts) and released(row)]
    for row in lifted:
        row.lifted_at = now
        row.lift_event_id = envelope.id
    if lifted:
        await uow.session.flush()
        uow.emit(_standing_event(unit_id, "lifted", lifted, await active_blocks(uow, unit_id), now))


def declaration_facts(body: ProjectIn) -> ProjectFacts:
    """At plan declaration the declared amount is the only amount there is: the lines that read the
    estimate, the total or the budget read it too (A-1, inferred); contract and approval amounts come later."""
    yuan = body.declared_amount_yuan
    amounts = Amounts.declared(yuan)
    return ProjectFacts(project_type=body.project_class, amounts=amounts, flags=project_flags(body),
                        funding_source=body.funding_source, exclusions=tuple(body.exclusions))


def require_documents(items: tuple[RequirementOutcome, ...], attached: list) -> list[str]:
    """Every document the pack requires at this stage is attached (BY-15a, BY-15b ≥3000万, BY-18,
    BY-19.1a, BY-31.1); returns the rules the owed documents rest on."""
    owed = [item for item in items if item.status == "required" and item.kind == "document"]
    given = {attachment.kind for attachment in attached}
    missing = [item for item in owed if item.key not in given]
    if missing:
        rules = sorted({rule for item in missing for rule in item.rule_ids})
        raise DomainError(
            "documents_missing",
            "documents: missing " + "; ".join(f"{item.key} ({item.why})" for item in missing),
            "documents：缺少" + "；".join(f"{item.name_zh}（{item.why_zh}）" for item in missing),
            rule_ids=rules, field="documents", status_code=422,
            details={"missing": [{"kind": item.key, "name_zh": item.name_zh, "rule_ids": list(item.rule_ids)} for item in missing]},
        )
    return sorted({rule for item in owed for rule in item.rule_ids})


async def unaccepted_predecessor(uow: UnitOfWork, body: ProjectIn, pack, blocks: list[Block]) -> dict | None:
    """BY-22.8 / BZ-8.8: an upgrade waits until the project it upgrades has passed acceptance."""
    rule = pack.declaration.upgrade_needs_accepted_predecessor
    earlier = body.upgrade_of_project_id
    if rule is None or earlier is None:
        return None
    if any(b.scope == "upgrade_of_project" and b.project_id == earlier for b in blocks):
        return None  # the failure that blocks it already says so, with its cause
    if await uow.session.get(AcceptedProject, earlier) is not None:
        return None
    predecessor_class = await _project_class(uow, earlier)
    if rule.predecessor_types is not None and predecessor_class is not None and predecessor_class not in rule.predecessor_types:
        return None  # BY-22.8 concerns an earlier 建设开发类 project; an unknown predecessor is held to it
    return {
        "rule_ids": list(rule.rules),
        "message": f"The project this one upgrades ({earlier}) has not passed acceptance",
        "message_zh": f"所升级改造的原项目 {earlier} 尚未通过验收",
        "cause": {"event_id": None, "event_type": None, "project_id": earlier, "placed_at": None},
        "lifted_by": f"AcceptancePassed for project {earlier}",
        "lifted_by_zh": f"原项目 {earlier} 通过验收",
    }


async def on_acceptance_passed(uow: UnitOfWork, envelope: Envelope) -> None:
    """Remember the pass (an upgrade of it may now be declared) and lift what it releases."""
    event: AcceptancePassed = envelope.data  # type: ignore[assignment]
    await uow.session.execute(insert(AcceptedProject).values(
        project_id=event.project_id, unit_id=event.unit_id, accepted_on=event.concluded_on, event_id=envelope.id,
    ).on_conflict_do_nothing())
    await lift_blocks(uow, envelope)


# ---- plans and catalogues (RULES.md §3.1) ------------------------------------------------------

PLAN_PARTS_ZH = {"current_state": "信息化现状", "business_model": "业务模式", "business_processes": "业务流程",
                 "planned_tasks": "规划任务", "overall_architecture": "整体架构", "data_architecture": "数据架构",
                 "application_architecture": "应用架构"}


def plan_requirements(pack) -> dict[str, object]:
    return {req.plan_kind: req for req in pack.requirements if req.stage == "planning" and req.plan_kind}


async def file_plan(uow: UnitOfWork, unit_id: str, body: PlanFilingIn, pack_id: str) -> tuple[UnitPlan, list[str]]:
    """File a plan or catalogue (BY-10, BY-12, YF-6, BZ-16, YL-7); a re-filing is the next revision."""
    now = uow.clock.now()
    pack = default_registry().get(pack_id, on=business_date(now))
    asked = plan_requirements(pack)
    requirement = asked.get(body.kind)
    if requirement is None:
        raise DomainError(
            "plan_kind_not_in_pack", f"kind {body.kind}: pack {pack.id}@{pack.version} asks units to file {', '.join(asked) or 'nothing'}",
            f"{pack.id}@{pack.version} 未要求备案 {body.kind}，应为 {'、'.join(asked) or '无'}", field="kind", status_code=422,
        )
    if body.kind == "annual_plan" and body.plan_year is None:
        raise DomainError("plan_year_required", "plan_year: an annual plan names the year it is for",
                          "plan_year：年度计划须注明所属年度", rule_ids=requirement.rules, field="plan_year", status_code=422)
    if body.systems and body.kind != "asset_catalogue":
        raise DomainError("systems_only_in_catalogue", "systems: only an asset catalogue lists systems",
                          "systems：仅信息化资产目录填报系统清单", rule_ids=requirement.rules, field="systems", status_code=422)
    refuse(catalogue_problems([CatalogueEntry(s.name, s.status, s.disposition, s.into) for s in body.systems],
                              requirement.dispositions, tuple(requirement.rules)))
    missing = [part for part in getattr(requirement, "contents", ()) if part not in body.contents]
    if missing:
        names = "、".join(PLAN_PARTS_ZH.get(part, part) for part in missing)
        raise DomainError("plan_incomplete", f"contents: the plan must also cover {', '.join(missing)}", f"contents：规划还须包括{names}",
                          rule_ids=requirement.contents_rules or requirement.rules, field="contents", status_code=422)
    await documents.require_stored(uow, unit_id, [("document", body.document)])
    # one filer at a time per unit and kind, so revisions count up without gaps
    await uow.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"plan:{unit_id}:{body.kind}"})
    year_key = body.plan_year or 0
    latest = (await uow.session.execute(
        select(func.max(UnitPlan.revision)).where(UnitPlan.unit_id == unit_id, UnitPlan.kind == body.kind,
                                                  UnitPlan.plan_year_key == year_key))).scalar_one_or_none()
    plan = UnitPlan(unit_id=unit_id, kind=body.kind, plan_year=body.plan_year, plan_year_key=year_key,
                    revision=(latest or 0) + 1, document_name=body.document.name, document_sm3=body.document.sm3,
                    systems=[system.model_dump(mode="json") for system in body.systems],
                    filed_at=now, filed_by=acting_username(), event_id="")
    envelope = uow.emit(UnitPlanFiled(unit_id=unit_id, plan_id=str(plan.id), kind=body.kind, plan_year=body.plan_year,
                                      revision=plan.revision, rule_ids=list(requirement.rules), filed_at=now))
    plan.event_id = envelope.id
    uow.session.add(plan)
    return plan, list(requirement.rules)


async def unit_plans(uow: UnitOfWork, unit_id: str) -> list[UnitPlan]:
    query = select(UnitPlan).where(UnitPlan.unit_id == unit_id).order_by(UnitPlan.kind, UnitPlan.plan_year_key, UnitPlan.revision)
    return list((await uow.session.execute(query)).scalars().all())


async def missing_plans(uow: UnitOfWork, unit_id: str, pack) -> list:
    """Planning documents the pack makes a condition of declaring that the unit has not filed (BY-22.10)."""
    needed = [req for req in pack.requirements if req.stage == "planning" and req.blocks_declaration and req.plan_kind]
    if not needed:
        return []
    filed = set((await uow.session.execute(
        select(UnitPlan.kind).where(UnitPlan.unit_id == unit_id).distinct())).scalars().all())
    return [req for req in needed if req.plan_kind not in filed]


# ---- declaration batches (BY-14, A-17) ------------------------------------------------------------

async def open_batch(uow: UnitOfWork, body: BatchIn, pack_id: str, calendar: WorkingDayCalendar) -> tuple[Batch, list[str]]:
    """Open a batch; its window runs from the notice for the pack's length (BY-14a: two natural months)."""
    now = uow.clock.now()
    pack = default_registry().get(pack_id, on=business_date(now))
    window = pack.declaration.window
    provisional = False
    if window is not None:
        if body.closes_on is not None:
            raise DomainError("closes_on_set_by_pack", f"closes_on: pack {pack.id} fixes the window ({window.length} {window.unit} "
                              f"from the notice, {', '.join(window.rules)})", f"closes_on：申报窗口期由规定确定（{'、'.join(window.rules)}），不能另行指定",
                              rule_ids=window.rules, field="closes_on", status_code=422)
        deadline = period_due(pack, window, body.notice_issued_on, calendar)
        closes_on, provisional, rules = deadline.due, deadline.provisional, list(window.rules)
    else:
        if body.closes_on is None:
            raise DomainError("closes_on_required", f"closes_on: pack {pack.id} sets no window length, so the batch names its last day (A-17)",
                              f"closes_on：{pack.id} 未规定申报窗口期，须指定截止日期", field="closes_on", status_code=422)
        closes_on, rules = body.closes_on, list(pack.declaration.fixed_date_rules or pack.pack.rules)
    if closes_on < body.notice_issued_on:
        raise DomainError("window_ends_before_notice", "closes_on: the window ends before the notice", "closes_on：截止日期早于通知日期",
                          field="closes_on", status_code=422)
    plan = pack.declaration.batch_plan
    registered = set((await uow.session.execute(select(Unit.unit_id).where(Unit.unit_id.in_(body.units)))).scalars().all()) \
        if body.units else set()
    refuse(batch_unit_problems(body.units, registered, plan, pack.id))
    if plan is not None:
        rules = list(plan.rules) + [r for r in rules if r not in plan.rules]
    # one opener at a time per plan year, so batches number up without gaps (第N批)
    await uow.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"batch:{pack.id}:{body.plan_year}"})
    earlier = (await uow.session.execute(select(func.count()).select_from(Batch).where(
        Batch.pack_id == pack.id, Batch.plan_year == body.plan_year))).scalar_one()
    batch = Batch(pack_id=pack.id, pack_version=pack.version, plan_year=body.plan_year, title=body.title,
                  notice_issued_on=body.notice_issued_on, closes_on=closes_on, window_provisional=provisional,
                  sequence=earlier + 1, units=list(body.units), opened_at=now, opened_by=acting_username(), event_id="")
    envelope = uow.emit(BatchOpened(batch_id=str(batch.id), pack=PackRef(id=pack.id, version=pack.version), plan_year=body.plan_year,
                                    title=body.title, notice_issued_on=body.notice_issued_on, closes_on=closes_on,
                                    window_provisional=provisional, rule_ids=rules, opened_at=now))
    batch.event_id = envelope.id
    uow.session.add(batch)
    return batch, rules


async def batches(uow: UnitOfWork) -> list[Batch]:
    return list((await uow.session.execute(select(Batch).order_by(Batch.notice_issued_on.desc()))).scalars().all())


async def batch_for(uow: UnitOfWork, body: DeclarationIn, pack, today) -> Batch | None:
    """The batch named, or the pack's batch whose window is open today; where batches are issued to
    units (YL-6), one issued to the declaring unit."""
    plan = pack.declaration.batch_plan
    if body.batch_id is not None:
        batch = await uow.session.get(Batch, body.batch_id)
        if batch is None:
            raise DomainError("unknown_batch", f"batch_id: no batch {body.batch_id}", f"batch_id：申报批次 {body.batch_id} 不存在",
                              field="batch_id", status_code=422)
        problem = not_issued(batch.units, body.unit_id, plan, batch.title)
        refuse([problem] if problem else [])
        return batch
    query = (select(Batch).where(Batch.pack_id == pack.id, Batch.notice_issued_on <= today, Batch.closes_on >= today)
             .order_by(Batch.notice_issued_on.desc()).limit(1))
    if plan is not None:
        query = query.where(Batch.units.contains([body.unit_id]))  # type: ignore[attr-defined]
    return (await uow.session.execute(query)).scalar_one_or_none()


def window_refusal(pack, batch: Batch | None, body: DeclarationIn, today) -> DomainError | None:
    """BY-14a/b: outside the window only with every consent the pack names."""
    if pack.declaration.window is None:
        return None
    inside = batch is not None and batch.notice_issued_on <= today <= batch.closes_on
    if inside:
        return None
    needed = list(pack.declaration.out_of_window_consent)
    given = {c.consent for c in body.out_of_window_consents}
    missing = [name for name in needed if name not in given]
    if not missing:
        return None
    where = (f"batch {batch.id} closed on {batch.closes_on.isoformat()}" if batch is not None
             else f"no declaration window of pack {pack.id} is open on {today.isoformat()}")
    where_zh = (f"申报批次已于 {batch.closes_on.isoformat()} 截止" if batch is not None else f"{today.isoformat()} 不在申报窗口期内")
    return DomainError(
        "outside_declaration_window",
        f"out_of_window_consents: {where}; a late declaration needs {', '.join(missing)}",
        f"out_of_window_consents：{where_zh}，窗口期外申报须附{'、'.join(missing)}",
        rule_ids=list(pack.declaration.out_of_window_rules) + list(pack.declaration.window.rules),
        field="out_of_window_consents", details={"missing_consents": missing}, status_code=409,
    )


# ---- review opinions and resubmission (BY-16b–16d, BY-15c) --------------------------------------

async def find_declaration(uow: UnitOfWork, project_id: str, *, lock: bool = False) -> Declaration | None:
    query = select(Declaration).where(Declaration.project_id == project_id)
    return (await uow.session.execute(query.with_for_update() if lock else query)).scalar_one_or_none()


async def get_declaration(uow: UnitOfWork, project_id: str, *, lock: bool = False) -> Declaration:
    row = await find_declaration(uow, project_id, lock=lock)
    if row is None:
        raise DomainError("not_found", f"project_id: no declaration {project_id}", f"申报项目 {project_id} 不存在",
                          field="project_id", status_code=404)
    return row


async def on_plan_reviewed(uow: UnitOfWork, envelope: Envelope) -> None:
    """An opinion on the plan: passed (BY-15c, later steps may start), returned for changes, or the end (BY-22.11)."""
    event: PlanReviewed = envelope.data  # type: ignore[assignment]
    declaration = await find_declaration(uow, event.project_id, lock=True)
    if declaration is None:
        return  # declared before this service kept rounds, or elsewhere; nothing to track
    pack = get_pack(declaration.pack_id, declaration.pack_version)
    declaration.round = event.round
    declaration.opinion_received_on = business_date(event.opinion_issued_at)
    declaration.opinion_reasons = list(event.reasons)
    if event.result == "passed":
        declaration.status = "plan_passed"
        declaration.plan_review_amount_fen = event.approved_amount_fen
    elif event.final or after_failed_round(pack, "plan_review", event.round).rejected:
        declaration.status = "rejected"
    else:
        declaration.status = "returned"


async def on_stage_completed(uow: UnitOfWork, envelope: Envelope) -> None:
    """A scheme-stage opinion: a failure returns the scheme to the unit, whose period runs from it (BY-20.1b);
    the last stage passed leaves the scheme for approval (BY-21)."""
    event: ReviewStageCompletedV2 = envelope.data  # type: ignore[assignment]
    declaration = await find_declaration(uow, event.project_id, lock=True)
    if declaration is None:
        return
    if event.stage == "finance" and event.result == "passed" and declaration.fund_review_passed_on is None:
        declaration.fund_review_passed_on = business_date(event.opinion_issued_at)  # funds are applied for after it (YF-8.5)
    if declaration.status in ("rejected", "approved"):
        return
    if event.result == "failed":
        declaration.status = "scheme_returned"
        declaration.opinion_received_on = business_date(event.opinion_issued_at)
        declaration.opinion_reasons = list(event.reasons)
    elif event.final_stage:
        declaration.status = "scheme_passed"
    else:
        declaration.status = "scheme_submitted"


async def on_scheme_change_decided(uow: UnitOfWork, envelope: Envelope) -> None:
    """BY-31.3/31.4: with the bureau's consent the unit may revise its scheme after expert or cost
    review; the revision brings what the pack asks of that change."""
    event: SchemeChangeDecided = envelope.data  # type: ignore[assignment]
    declaration = await find_declaration(uow, event.project_id, lock=True)
    if declaration is None or not event.consented or declaration.status not in ("scheme_submitted", "scheme_passed"):
        return
    declaration.status = "scheme_change_consented"
    declaration.change_flags = [f"changed_after_{event.after_stage}"] + (["substantive_change"] if event.substantive else [])


async def on_project_approved(uow: UnitOfWork, envelope: Envelope) -> None:
    event: ProjectApproved = envelope.data  # type: ignore[assignment]
    declaration = await find_declaration(uow, event.project_id, lock=True)
    if declaration is not None:
        declaration.status = "approved"
        declaration.approved_amount_fen = event.approved_amount_fen


async def on_project_rejected(uow: UnitOfWork, envelope: Envelope) -> None:
    event: ProjectRejected = envelope.data  # type: ignore[assignment]
    declaration = await find_declaration(uow, event.project_id, lock=True)
    if declaration is not None:
        declaration.status = "rejected"


def resubmission_due(pack, declaration: Declaration, calendar: WorkingDayCalendar) -> Deadline | None:
    period = pack.review.unit_response
    if period is None or declaration.opinion_received_on is None:
        return None
    return period_due(pack, period, declaration.opinion_received_on, calendar)


def _within_response_period(pack, declaration: Declaration, calendar: WorkingDayCalendar, *, today, limit_rule: str = "BY-20.1b") -> None:
    """The unit answers an opinion within the pack's working days from receiving it (BY-16c, BY-20.1b);
    later counts as not adjusted (BY-16d, BY-20.1b)."""
    due = resubmission_due(pack, declaration, calendar)
    if due is None or today <= due.due:
        return
    rules = list(pack.review.unit_response.rules) + ([limit_rule] if limit_rule not in pack.review.unit_response.rules else [])
    raise DomainError("resubmission_late",
                      f"The resubmission was due by {due.due.isoformat()} ({pack.review.unit_response.length} working days "
                      f"from the opinion received on {declaration.opinion_received_on.isoformat()}); it counts as not adjusted",
                      f"应于 {due.due.isoformat()} 前修改报送（收到意见之日起 {pack.review.unit_response.length} 个工作日），逾期视为未按意见调整",
                      rule_ids=rules, status_code=409)


async def resubmit(uow: UnitOfWork, project_id: str, body: ResubmissionIn, calendar: WorkingDayCalendar) -> Declaration:
    """Resubmit a plan the review returned, within the pack's period (BY-16c), within the round limit (BY-16d)."""
    declaration = await get_declaration(uow, project_id, lock=True)
    pack = get_pack(declaration.pack_id, declaration.pack_version)
    if declaration.status != "returned":
        raise DomainError("not_returned", f"The plan is {declaration.status}: only a plan the review returned is resubmitted",
                          f"项目当前状态为 {declaration.status}，仅退回修改的申报可重新报送", rule_ids=["BY-16c"], status_code=409)
    _within_response_period(pack, declaration, calendar, today=business_date(uow.clock.now()), limit_rule="BY-16d")
    await documents.require_stored(uow, declaration.unit_id, submitted_documents(body))
    if body.declared_amount_yuan is not None:
        declaration.declared_amount_fen = body.declared_amount_yuan * 100
    if body.project_name is not None:
        declaration.project_name = body.project_name
    declaration.round += 1
    declaration.status = "submitted"
    now = uow.clock.now()
    envelope = uow.emit(ApplicationSubmitted(
        project_id=declaration.project_id, application_id=str(declaration.id), unit_id=declaration.unit_id,
        pack=PackRef(id=declaration.pack_id, version=declaration.pack_version), project_name=declaration.project_name,
        declared_amount_fen=declaration.declared_amount_fen, upgrade_of_project_id=declaration.upgrade_of_project_id,
        submitted_at=now, round=declaration.round, project_class=declaration.project_class, flags=list(declaration.flags),
        using_unit_id=declaration.using_unit_id,
    ))
    declaration.event_id = envelope.id
    return declaration


# ---- the scheme (立项方案, BY-17 … BY-18, BY-31.1) -----------------------------------------------

async def _after_plan_review(uow: UnitOfWork, project_id: str, yuan: int, flags: tuple[str, ...],
                             allowed: tuple[str, ...] = ("plan_passed",)):
    """The declaration whose plan passed review (BY-15c), its pack, and the project's facts at the estimate."""
    declaration = await get_declaration(uow, project_id, lock=True)
    pack = get_pack(declaration.pack_id, declaration.pack_version)
    if declaration.status in ("scheme_submitted", "scheme_passed") and declaration.status not in allowed:
        raise DomainError("scheme_under_review", f"The scheme is {declaration.status}: a new revision answers an opinion that returns it",
                          f"立项方案正在评审（{declaration.status}），评审意见退回后方可修改报送",
                          rule_ids=["BY-20.1b"], status_code=409)
    if declaration.status not in allowed:
        raise DomainError("plan_not_passed", f"The plan is {declaration.status}: this step follows a passed plan review",
                          f"项目当前状态为 {declaration.status}，立项计划审核通过后方可进行此步骤",
                          rule_ids=["BY-15c"], status_code=409)
    facts = ProjectFacts(project_type=declaration.project_class, flags=flags, amounts=Amounts(
        investment_estimate=yuan, declared_amount=declaration.declared_amount_fen // 100, total_investment=yuan,
        investment_quota=yuan, budget_amount=yuan,
        plan_review_amount=declaration.plan_review_amount_fen // 100 if declaration.plan_review_amount_fen else None))
    return declaration, pack, facts, classify(pack, facts)


async def file_micro_project(uow: UnitOfWork, project_id: str, body: MicroFilingIn) -> tuple[Scheme, list[str]]:
    """A 小微 project: after plan review it files a stamped 项目备案表 and procures; no scheme (BY-19.1a)."""
    declaration, pack, facts, decided = await _after_plan_review(uow, project_id, body.estimate_yuan, tuple(body.flags))
    if decided.track != "micro":
        raise DomainError("not_micro", f"estimate_yuan: {body.estimate_yuan} 元 is not a 小微 project under {pack.id}; it submits a scheme",
                          f"estimate_yuan：投资概算 {body.estimate_yuan} 元不属于小微项目，应编制立项方案",
                          rule_ids=list(decided.rule_ids), field="estimate_yuan", status_code=422)
    owed_rules = require_documents(requirements(pack, facts, "scheme", decided).items, body.documents)
    await documents.require_stored(uow, declaration.unit_id, submitted_documents(body))
    now = uow.clock.now()
    rules = sorted(set(owed_rules) | set(decided.rule_ids))
    filing = Scheme(project_id=project_id, unit_id=declaration.unit_id, revision=1, track="micro", estimate_fen=body.estimate_yuan * 100,
                    business_operation_fen=0, differs_from_plan=False, documents=[a.model_dump(mode="json") for a in body.documents],
                    submitted_at=now, event_id="")
    envelope = uow.emit(MicroProjectFiled(
        project_id=project_id, filing_id=str(filing.id), unit_id=declaration.unit_id, pack=PackRef(id=pack.id, version=pack.version),
        project_class=declaration.project_class, estimate_fen=filing.estimate_fen, rule_ids=rules, filed_at=now))
    filing.event_id = envelope.id
    declaration.status = "micro_filed"
    uow.session.add(filing)
    return filing, rules


async def file_final_scheme(uow: UnitOfWork, project_id: str, body: SchemeFilingIn) -> tuple[Declaration, list[str]]:
    """BY-21: after the last review stage the unit files the stamped final scheme; once, and only
    where the project's pack asks for it."""
    declaration = await get_declaration(uow, project_id, lock=True)
    pack = get_pack(declaration.pack_id, declaration.pack_version)
    owed = next((r for r in pack.requirements if r.key == "scheme_filing"), None)
    if owed is None:
        raise DomainError("no_scheme_filing", f"project_id: pack {pack.id} asks no filing of the final scheme",
                          f"project_id：{pack.id} 规定未要求立项方案备案", field="project_id", status_code=409)
    rules = list(owed.rules)
    if declaration.status not in ("scheme_passed", "approved"):
        raise DomainError("scheme_not_final", "project_id: the final scheme is filed after the last review stage passed",
                          "project_id：评审最后环节通过后方可报送立项方案备案", field="project_id", rule_ids=rules, status_code=409)
    if declaration.scheme_filing is not None:
        raise DomainError("scheme_already_filed", "project_id: the final scheme is already filed", "project_id：立项方案已备案",
                          field="project_id", rule_ids=rules, status_code=409)
    await documents.require_stored(uow, declaration.unit_id, [("document", body.document)])
    now = uow.clock.now()
    event = uow.emit(SchemeFiled(project_id=project_id, unit_id=declaration.unit_id,
                                 pack=PackRef(id=declaration.pack_id, version=declaration.pack_version),
                                 document_name=body.document.name, document_sm3=body.document.sm3,
                                 filed_on=business_date(now), rule_ids=rules, filed_at=now))
    declaration.scheme_filing = {"document": body.document.model_dump(mode="json"), "filed_on": business_date(now).isoformat(),
                                 "event_id": event.id, "rule_ids": rules}
    return declaration, rules


async def submit_scheme(uow: UnitOfWork, project_id: str, body: SchemeIn, calendar: WorkingDayCalendar) -> tuple[Scheme, list[str]]:
    """Submit the scheme once the plan passed review (BY-15c): its documents, its budget within the
    caps (BY-17.1b 30% operation, BY-17.2b plan amount), a difference statement when it departs (BY-31.1),
    an adjustment statement when a resubmission was clearly adjusted in 初审 (BY-31.2)."""
    # both statements are conditions in the pack, read from these flags
    flags = (tuple(body.flags) + (("differs_from_plan",) if body.differs_from_plan else ())
             + (("adjusted_in_initial_review",) if body.adjusted else ()))
    pending = await get_declaration(uow, project_id, lock=True)
    flags += tuple(pending.change_flags)  # a consented change owes its statement (BY-31.3, BY-31.4)
    declaration, pack, facts, decided = await _after_plan_review(uow, project_id, body.estimate_yuan, flags,
                                                                 ("plan_passed", "scheme_returned", "scheme_change_consented"))
    if declaration.status == "scheme_returned":
        _within_response_period(pack, declaration, calendar, today=business_date(uow.clock.now()))
    yuan = body.estimate_yuan
    if decided.track == "micro":
        raise DomainError("micro_files_no_scheme", "A 小微 project files a 项目备案表 after plan review, not a scheme",
                          "小微项目在计划审核通过后报送项目备案表，无需编制立项方案", rule_ids=list(decided.rule_ids), status_code=409)
    budget = check_scheme_budget(pack, declaration.project_class or "", total_yuan=yuan, business_operation_yuan=body.business_operation_yuan,
                                 plan_review_amount_yuan=(declaration.plan_review_amount_fen // 100) if declaration.plan_review_amount_fen else None)
    if not budget.ok:
        first = budget.violations[0]
        field = "business_operation_yuan" if "BY-17.1b" in first.rule_ids else "estimate_yuan"
        raise DomainError("scheme_over_cap", f"{field}: " + "; ".join(v.en for v in budget.violations),
                          f"{field}：" + "；".join(v.zh for v in budget.violations),
                          rule_ids=sorted({r for v in budget.violations for r in v.rule_ids}), field=field, status_code=422)
    latest = (await uow.session.execute(select(func.max(Scheme.revision)).where(Scheme.project_id == project_id))).scalar_one_or_none()
    if body.adjusted and not latest:
        raise DomainError("nothing_adjusted", "adjusted: the first scheme has nothing earlier to adjust (BY-31.2 concerns a resubmission)",
                          "adjusted：首次报送的立项方案无调整可言（调整说明适用于初审后重新报送）",
                          rule_ids=["BY-31.2"], field="adjusted", status_code=422)
    owed_rules = require_documents(requirements(pack, facts, "scheme", decided).items, body.documents)
    await documents.require_stored(uow, declaration.unit_id, submitted_documents(body))
    now = uow.clock.now()
    scheme = Scheme(project_id=project_id, unit_id=declaration.unit_id, revision=(latest or 0) + 1, track=decided.track or "ordinary",
                    estimate_fen=yuan * 100, business_operation_fen=body.business_operation_yuan * 100,
                    differs_from_plan=body.differs_from_plan, documents=[a.model_dump(mode="json") for a in body.documents],
                    submitted_at=now, event_id="")
    envelope = uow.emit(SchemeSubmitted(
        project_id=project_id, scheme_id=str(scheme.id), application_id=str(declaration.id), unit_id=declaration.unit_id,
        pack=PackRef(id=pack.id, version=pack.version), project_class=declaration.project_class, track=scheme.track,
        estimate_fen=scheme.estimate_fen, revision=scheme.revision,
        adjustment_note=body.differs_from_plan or body.adjusted or bool(declaration.change_flags),
        submitted_at=now))
    scheme.event_id = envelope.id
    declaration.status = "scheme_submitted"
    declaration.change_flags = []
    uow.session.add(scheme)
    return scheme, sorted(set(owed_rules) | set(budget.rule_ids))


# ---- funds of an approved project (YF-8.5) ------------------------------------------------------

async def apply_for_funds(uow: UnitOfWork, project_id: str, body: FundApplicationIn) -> tuple[Declaration, list[str]]:
    """YF-8.5: the unit applies to 市政府 for the funds of its 专业类 project once the approval opinion
    is out and the fund review passed; once, for no more than was approved."""
    declaration = await get_declaration(uow, project_id, lock=True)
    pack = get_pack(declaration.pack_id, declaration.pack_version)
    rule = pack.declaration.fund_application
    applied = declaration.fund_application
    state = FundState(declaration.status, tuple(declaration.flags), declaration.fund_review_passed_on,
                      declaration.approved_amount_fen // 100 if declaration.approved_amount_fen is not None else None,
                      date.fromisoformat(applied["applied_on"]) if applied else None)
    refuse(fund_application_problems(state, body.amount_yuan, rule, pack.id))
    if rule is None:  # refused above
        return declaration, []
    await documents.require_stored(uow, declaration.unit_id, [("document", body.document)])
    rules = list(rule.rules)
    declaration.fund_application = {"amount_yuan": body.amount_yuan, "document": body.document.model_dump(mode="json"),
                                    "addressee_zh": rule.addressee_zh, "applied_on": business_date(uow.clock.now()).isoformat(),
                                    "applied_by": acting_username(), "rule_ids": rules}
    return declaration, rules


# ---- the bureau's overviews: project library and asset census (YL-4.1) -------------------------

async def project_library(uow: UnitOfWork, pack, *, status: str | None, plan_year: int | None, unit_id: str | None,
                          limit: int, offset: int) -> tuple[int, dict[str, int], list[tuple[Declaration, int | None]]]:
    """Every project declared or filed under the deployment's pack, as it stands now, newest first."""
    where = [Declaration.pack_id == pack.id]
    if unit_id is not None:
        where.append(Declaration.unit_id == unit_id)
    if plan_year is not None:
        where.append(Batch.plan_year == plan_year)
    counts = dict((await uow.session.execute(
        select(Declaration.status, func.count()).outerjoin(Batch, Batch.id == Declaration.batch_id).where(*where)
        .group_by(Declaration.status))).all())
    if status is not None:
        where.append(Declaration.status == status)
    query = (select(Declaration, Batch.plan_year).outerjoin(Batch, Batch.id == Declaration.batch_id).where(*where)
             .order_by(Declaration.submitted_at.desc(), Declaration.project_id).limit(limit).offset(offset))
    rows = [(row, year) for row, year in (await uow.session.execute(query)).all()]
    total = counts.get(status, 0) if status is not None else sum(counts.values())
    return total, dict(sorted(counts.items())), rows


async def asset_census(uow: UnitOfWork) -> tuple[list[tuple[UnitPlan, str | None]], list[str]]:
    """Each unit's latest asset catalogue, and the registered units that have filed none."""
    # revisions count per plan year, so the latest is the one filed last, one per unit
    query = (select(UnitPlan, Unit.name).distinct(UnitPlan.unit_id)
             .outerjoin(Unit, Unit.unit_id == UnitPlan.unit_id)
             .where(UnitPlan.kind == "asset_catalogue").order_by(UnitPlan.unit_id, UnitPlan.filed_at.desc()))
    filed = [(plan, name) for plan, name in (await uow.session.execute(query)).all()]
    have = {plan.unit_id for plan, _ in filed}
    registered = (await uow.session.execute(select(Unit.unit_id).order_by(Unit.unit_id))).scalars().all()
    return filed, [unit for unit in registered if unit not in have]


async def on_progress_reported(uow: UnitOfWork, envelope: Envelope) -> None:
    """Keep each project's latest progress report: a later declaration of the unit shows the reviewer
    the projects behind schedule (BY-22.5)."""
    event: ProgressReported = envelope.data  # type: ignore[assignment]
    row = await uow.session.get(ProjectProgress, event.project_id, with_for_update=True)
    if row is not None and row.period_end > event.period_end:
        return  # an older period reported late changes nothing
    if row is None:
        row = ProjectProgress(project_id=event.project_id, unit_id=event.unit_id, report_id=event.report_id,
                              period_end=event.period_end, schedule_status=event.schedule_status,
                              milestones_due=event.milestones_due, milestones_done=event.milestones_done,
                              delay_reason=event.delay_reason, event_id=envelope.id)
        uow.session.add(row)
        return
    row.report_id, row.period_end, row.schedule_status = event.report_id, event.period_end, event.schedule_status
    row.milestones_due, row.milestones_done, row.delay_reason, row.event_id = (
        event.milestones_due, event.milestones_done, event.delay_reason, envelope.id)


SUBSCRIPTIONS = [
    Subscription(ACCEPTANCE, {
        AcceptanceFailed: place_blocks, AcceptanceFilingRejected: place_blocks, RectificationOverdue: place_blocks,
        EvaluationCompleted: place_blocks, SupervisionFindingRecorded: place_blocks,
        AcceptancePassed: on_acceptance_passed, AcceptanceFiled: lift_blocks, RectificationCompleted: lift_blocks,
        DataAggregationConfirmed: lift_blocks,
    }),
    Subscription(NOTIFY, {DeadlineElapsed: place_blocks}),
    Subscription(PROCUREMENT, {ProgressReported: on_progress_reported}),
    Subscription(REVIEW, {PlanReviewed: on_plan_reviewed, ProjectRejected: on_project_rejected,
                          ReviewStageCompletedV2: on_stage_completed, ProjectApproved: on_project_approved,
                          SchemeChangeDecided: on_scheme_change_decided}),
]
