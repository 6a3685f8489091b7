"""HTTP routes of the acceptance service."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from policy.acceptance import acceptance_requirements
from policy.classification import classify
from policy.evaluation import evaluation_requirements
from policy.facts import Amounts, PolicyInputError, ProjectFacts
from servicekit import policy as loaded_policy
from servicekit.clock import business_date
from servicekit.deps import Runtime
from servicekit.identifiers import IdentifierPath

from acceptance import evaluations, handlers, steps
from acceptance.domain.concerns import concerns_of
from acceptance.domain.gates import final_review_problems, trial_run_ends
from acceptance.models import AcceptanceCase, EvaluationRecord, FindingRecord, FinalReviewRecord, StepRecord
from acceptance.projects import followed, pack_of, standing
from acceptance.schemas import (
    AcceptanceApplicationIn,
    AcceptanceOut,
    CompletionIn,
    ComplianceOpinionIn,
    ComplianceRequestIn,
    DataAggregationIn,
    DeferralIn,
    EvaluationIn,
    EvaluationOut,
    EvidenceIn,
    FilingIn,
    FilingReviewIn,
    FindingIn,
    FindingOut,
    FinalReviewIn,
    FinalReviewOut,
    InitialAcceptanceIn,
    MonitoringReportIn,
    OperationStartIn,
    RectificationIn,
    StepOut,
)

router = APIRouter(tags=["final acceptance"])



def _out(case: AcceptanceCase, review: FinalReviewRecord) -> FinalReviewOut:
    return FinalReviewOut(
        id=review.id, project_id=case.project_id, sub_project_id=case.sub_project_key or None, unit_id=case.unit_id,
        pack_id=case.pack_id, pack_version=case.pack_version, attempt=review.attempt, result=review.result,
        terminal=review.terminal, rule_id=review.rule_id, concluded_on=review.concluded_on,
        reasons=review.reasons, event_id=review.event_id, judgements=review.judgements, concern_rules=review.concern_rules,
    )


@router.post("/projects/{project_id}/final-reviews", status_code=201, response_model=FinalReviewOut)
async def record_final_review(project_id: IdentifierPath, body: FinalReviewIn, runtime: Runtime) -> FinalReviewOut:
    """Record the conclusion of a final acceptance review (终验, BY-47); a failure publishes AcceptanceFailed."""
    async with runtime.units() as uow:
        case, review = await handlers.record_final_review(uow, project_id, body, runtime.settings.policy_pack)
    return _out(case, review)


@router.get("/projects/{project_id}/final-reviews", response_model=list[FinalReviewOut])
async def list_final_reviews(project_id: IdentifierPath, runtime: Runtime) -> list[FinalReviewOut]:
    """Every final review of a project and its sub-projects, in order."""
    async with runtime.units() as uow:
        return [_out(case, review) for case, review in await handlers.list_final_reviews(uow, project_id)]


def _step(row: StepRecord) -> StepOut:
    return StepOut(step_id=row.id, kind=row.kind, number=row.number, outcome=row.outcome, on=row.on, due_on=row.due_on,
                   late=row.late, detail=row.detail, rule_ids=row.rule_ids)


@router.get("/projects/{project_id}/acceptance", response_model=AcceptanceOut, tags=["acceptance"])
async def acceptance_state(project_id: IdentifierPath, runtime: Runtime) -> AcceptanceOut:
    """Where the project's acceptance stands, and what still stands before its final review."""
    async with runtime.units() as uow:
        case = await followed(uow, project_id)
        pack = pack_of(case)
        evidence = await steps.evidence_keys(uow, case)
        calendar = loaded_policy.current().calendar
        today = business_date(uow.clock.now())
        blockers = [p.as_dict() for p in final_review_problems(pack, standing(case, evidence), today, None, calendar)]
        return AcceptanceOut(
            project_id=case.project_id, unit_id=case.unit_id, pack=f"{case.pack_id}@{case.pack_version}",
            project_class=case.project_class, contract_amount_yuan=case.contract_amount_fen // 100,
            completed_on=case.completed_on, application_due_on=case.application_due_on, applied_on=case.applied_on,
            operation_started_on=case.operation_started_on, initial_passed_on=case.initial_passed_on,
            trial_run_ends_on=trial_run_ends(pack, standing(case, evidence), calendar), data_confirmed_on=case.data_confirmed_on,
            compliance=case.compliance, passed_on=case.passed_on, filing_status=case.filing_status, terminated=case.terminated,
            organiser=organiser(case), final_review_blockers=blockers, final_review_concerns=concerns_of(pack),
            evaluation_duties=evaluation_duties(case),
            steps=[_step(r) for r in await steps.steps(uow, case)])


def _facts(case: AcceptanceCase) -> ProjectFacts:
    yuan = (case.contract_amount_fen or case.approved_amount_fen or 0) // 100
    return ProjectFacts(project_type=case.project_class, amounts=Amounts.declared(yuan).model_copy(  # type: ignore[arg-type]
        update={"contract_amount": yuan, "approved_amount": (case.approved_amount_fen or 0) // 100}))


def organiser(case: AcceptanceCase) -> dict | None:
    """Who organises the final acceptance, by the pack's organiser rows (BY-46, DY-22, YF-18b, YL-22a/22b)."""
    if case.project_class is None:
        return None
    pack = pack_of(case)
    try:
        facts = _facts(case)
        decision = acceptance_requirements(pack, facts, classify(pack, facts))
    except PolicyInputError:
        return None
    rules = next((r.rule_ids for r in decision.reasons if r.zh == decision.organiser_zh), ())
    return {"who": decision.organiser, "who_zh": decision.organiser_zh, "rule_ids": list(rules)}


def evaluation_duties(case: AcceptanceCase) -> list[dict]:
    """Which evaluations the project owes, by class and 合同金额 (BY-51, BY-52.1/52.2, YL-29, BZ-42a)."""
    if case.project_class is None:
        return []
    pack = pack_of(case)
    try:
        facts = _facts(case)
        decision = evaluation_requirements(pack, facts, classify(pack, facts))
    except PolicyInputError:
        return []
    return [{"kind": d.kind, "status": d.status, "timing": d.timing, "by": d.by, "rule_ids": list(d.rule_ids), "why": d.why,
             "why_zh": d.why_zh} for d in decision.duties if d.status != "not_required"]


@router.post("/projects/{project_id}/completion", response_model=StepOut, status_code=201, tags=["acceptance"])
async def declare_completion(project_id: IdentifierPath, body: CompletionIn, runtime: Runtime) -> StepOut:
    """Declare the content built (建成): starts YL-22a's six months."""
    async with runtime.units() as uow:
        row = await steps.complete(uow, project_id, body)
        await uow.commit()
        return _step(row)


@router.post("/projects/{project_id}/acceptance-applications", response_model=StepOut, status_code=201, tags=["acceptance"])
async def apply_for_acceptance(project_id: IdentifierPath, body: AcceptanceApplicationIn, runtime: Runtime) -> StepOut:
    """Apply to the bureau for the acceptance it organises (DY-20a, YL-22a); stops the application period."""
    async with runtime.units() as uow:
        row = await steps.apply_for_acceptance(uow, project_id, body)
        await uow.commit()
        return _step(row)


@router.post("/projects/{project_id}/operation-start", response_model=StepOut, status_code=201, tags=["evaluation"])
async def declare_operation_start(project_id: IdentifierPath, body: OperationStartIn, runtime: Runtime) -> StepOut:
    """Declare the system in operation (投入运行): the self-evaluation is due 12–24 months later (BZ-42a)."""
    async with runtime.units() as uow:
        row = await steps.start_operation(uow, project_id, body)
        await uow.commit()
        return _step(row)


@router.post("/projects/{project_id}/initial-acceptances", response_model=StepOut, status_code=201, tags=["acceptance"])
async def record_initial_acceptance(project_id: IdentifierPath, body: InitialAcceptanceIn, runtime: Runtime) -> StepOut:
    """Record an initial acceptance meeting (初验, BY-39, BZ-28b, DY-19); repeated until it passes."""
    async with runtime.units() as uow:
        row = await steps.initial_acceptance(uow, project_id, body)
        await uow.commit()
        return _step(row)


@router.post("/projects/{project_id}/initial-acceptance-filing", response_model=StepOut, status_code=201, tags=["acceptance"])
async def file_initial_acceptance(project_id: IdentifierPath, body: FilingIn, runtime: Runtime) -> StepOut:
    """File the initial-acceptance materials within 15 working days (BY-40)."""
    async with runtime.units() as uow:
        row = await steps.file_initial_acceptance(uow, project_id, body)
        await uow.commit()
        return _step(row)


@router.post("/projects/{project_id}/data-aggregation", response_model=StepOut, status_code=201, tags=["acceptance"])
async def confirm_data_aggregation(project_id: IdentifierPath, body: DataAggregationIn, runtime: Runtime) -> StepOut:
    """Confirm the data aggregated before the trial run ends (BY-42)."""
    async with runtime.units() as uow:
        row = await steps.confirm_data_aggregation(uow, project_id, body)
        await uow.commit()
        return _step(row)


@router.post("/projects/{project_id}/evidence", response_model=StepOut, status_code=201, tags=["acceptance"])
async def file_evidence(project_id: IdentifierPath, body: EvidenceIn, runtime: Runtime) -> StepOut:
    """File evidence acceptance owes: 等保 report, source code, archives (BY-43, YL-25b, YL-28b)."""
    async with runtime.units() as uow:
        row = await steps.file_evidence(uow, project_id, body)
        await uow.commit()
        return _step(row)


@router.post("/projects/{project_id}/monitoring-reports", response_model=StepOut, status_code=201, tags=["evaluation"])
async def file_monitoring_report(project_id: IdentifierPath, body: MonitoringReportIn, runtime: Runtime) -> StepOut:
    """File the year's performance-monitoring report during implementation, by year end (BZ-41)."""
    async with runtime.units() as uow:
        row = await steps.file_monitoring_report(uow, project_id, body)
        await uow.commit()
        return _step(row)


@router.post("/projects/{project_id}/compliance-requests", response_model=StepOut, status_code=201, tags=["compliance"])
async def request_compliance(project_id: IdentifierPath, body: ComplianceRequestIn, runtime: Runtime) -> StepOut:
    """Ask in writing for the pre-final compliance opinion (BY-45a, BY-45b)."""
    async with runtime.units() as uow:
        row = await steps.request_compliance(uow, project_id, body)
        await uow.commit()
        return _step(row)


@router.post("/projects/{project_id}/compliance-opinion", response_model=StepOut, status_code=201, tags=["compliance"])
async def give_compliance_opinion(project_id: IdentifierPath, body: ComplianceOpinionIn, runtime: Runtime) -> StepOut:
    """The bureau's compliance opinion (BY-45c); the finance basis of the final payment (BY-45d)."""
    async with runtime.units() as uow:
        row = await steps.give_compliance_opinion(uow, project_id, body)
        await uow.commit()
        return _step(row)


@router.post("/projects/{project_id}/deferrals", response_model=StepOut, status_code=201, tags=["acceptance"])
async def defer_acceptance(project_id: IdentifierPath, body: DeferralIn, runtime: Runtime) -> StepOut:
    """Defer the acceptance application: at most three, each at most six months (YL-26)."""
    async with runtime.units() as uow:
        row = await steps.defer(uow, project_id, body)
        await uow.commit()
        return _step(row)


@router.post("/projects/{project_id}/acceptance-filings", response_model=StepOut, status_code=201, tags=["filing"])
async def submit_acceptance_filing(project_id: IdentifierPath, body: FilingIn, runtime: Runtime) -> StepOut:
    """Apply for acceptance filing after passing (BY-48a, YL-23a), or resubmit after feedback (BY-48c)."""
    async with runtime.units() as uow:
        row = await steps.submit_filing(uow, project_id, body)
        await uow.commit()
        return _step(row)


@router.post("/projects/{project_id}/acceptance-filings/review", response_model=StepOut, status_code=201, tags=["filing"])
async def review_acceptance_filing(project_id: IdentifierPath, body: FilingReviewIn, runtime: Runtime) -> StepOut:
    """The bureau's filing review: filed, sent back once, or rejected (BY-48b–48d)."""
    async with runtime.units() as uow:
        row = await steps.review_filing(uow, project_id, body)
        await uow.commit()
        return _step(row)


def _evaluation(row: EvaluationRecord) -> EvaluationOut:
    return EvaluationOut(evaluation_id=row.id, project_id=row.project_id, kind=row.kind, grade=row.grade,
                         completed_on=row.completed_on, rectification_due=row.rectification_due, rectified_on=row.rectified_on,
                         overdue=row.overdue, rule_ids=row.rule_ids, ground=row.ground, firm=row.firm, ip_report=row.ip_report)


@router.post("/projects/{project_id}/evaluations", response_model=EvaluationOut, status_code=201, tags=["evaluation"])
async def record_evaluation(project_id: IdentifierPath, body: EvaluationIn, runtime: Runtime) -> EvaluationOut:
    """Record a self-evaluation (unit) or a third-party / bureau / post evaluation (bureau) with its grade (BY-51–53)."""
    async with runtime.units() as uow:
        row = await evaluations.record_evaluation(uow, project_id, body)
        await uow.commit()
        return _evaluation(row)


@router.get("/projects/{project_id}/evaluations", response_model=list[EvaluationOut], tags=["evaluation"])
async def list_evaluations(project_id: IdentifierPath, runtime: Runtime) -> list[EvaluationOut]:
    async with runtime.units() as uow:
        return [_evaluation(r) for r in await evaluations.evaluations(uow, project_id)]


@router.post("/projects/{project_id}/evaluations/{evaluation_id}/rectification", response_model=EvaluationOut, tags=["evaluation"])
async def rectify_evaluation(project_id: IdentifierPath, evaluation_id: uuid.UUID, body: RectificationIn,
                             runtime: Runtime) -> EvaluationOut:
    """The bureau confirms the evaluation's findings rectified (BY-53.3)."""
    async with runtime.units() as uow:
        row = await evaluations.rectify_evaluation(uow, project_id, evaluation_id, body)
        await uow.commit()
        return _evaluation(row)  # type: ignore[arg-type]


def _finding(row: FindingRecord) -> FindingOut:
    return FindingOut(finding_id=row.id, unit_id=row.unit_id, project_id=row.project_id, kind=row.kind, severity=row.severity,
                      rectification_due=row.rectification_due, rectified_on=row.rectified_on, overdue=row.overdue,
                      rule_ids=row.rule_ids)


@router.post("/findings", response_model=FindingOut, status_code=201, tags=["supervision"])
async def record_finding(body: FindingIn, runtime: Runtime) -> FindingOut:
    """A supervisor's finding on a unit or project, with its rectification deadline (BZ-43a, BZ-47, BY-22.15, YL-19b)."""
    async with runtime.units() as uow:
        row = await evaluations.record_finding(uow, body)
        await uow.commit()
        return _finding(row)


@router.get("/units/{unit_id}/findings", response_model=list[FindingOut], tags=["supervision"])
async def list_findings(unit_id: IdentifierPath, runtime: Runtime) -> list[FindingOut]:
    async with runtime.units() as uow:
        return [_finding(r) for r in await evaluations.findings(uow, unit_id)]


@router.post("/findings/{finding_id}/rectification", response_model=FindingOut, tags=["supervision"])
async def rectify_finding(finding_id: uuid.UUID, body: RectificationIn, runtime: Runtime) -> FindingOut:
    """The supervisor confirms the finding rectified; what it caused is lifted (BZ-47, BY-22.15)."""
    async with runtime.units() as uow:
        row = await evaluations.rectify_finding(uow, finding_id, body)
        await uow.commit()
        return _finding(row)  # type: ignore[arg-type]
