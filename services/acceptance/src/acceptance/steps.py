"""The steps between construction and final acceptance, and the filing after it (RULES.md §3.8):
completion (YL-22a), initial acceptance and its filing (BY-39, BY-40, BZ-28b, DY-19), data
aggregation (BY-42), evidence (BY-43, BY-44, YL-24b, YL-25b, YL-28b), the compliance request and
opinion (BY-45), deferral (YL-26), and the acceptance filing with its review (BY-48, YL-23a)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from contracts.base import PackRef
from contracts.events import (
    AcceptanceApplied,
    AcceptanceDeferred,
    AcceptanceFiled,
    AcceptanceFilingRejected,
    AcceptanceFilingSubmitted,
    ComplianceOpinionIssued,
    ConstructionCompleted,
    DataAggregationConfirmed,
    InitialAcceptanceFiled,
    InitialAcceptancePassed,
    OperationStarted,
    PerformanceMonitoringReportFiled,
)
from policy.acceptance import may_defer
from policy.sanctions import sanctions_for
from policy.schema import Pack
from policy.timers import period_due
from servicekit import policy as loaded_policy
from servicekit.clock import business_date
from servicekit.db import UnitOfWork
from servicekit.errors import DomainError, refuse
from servicekit.problems import Problem
from servicekit.security.context import acting_username

from acceptance.domain.filing import filing_problems, upper_level_filing
from acceptance.domain.gates import (
    WORKFLOW_KEYS,
    application_problems,
    compliance_request_problems,
    initial_mode_problem,
    trial_run_ends,
)
from acceptance.models import AcceptanceCase, EvaluationRecord, StepRecord
from acceptance.projects import followed, pack_of, standing
from acceptance.projects import owed as owed_by
from acceptance.schemas import (
    AcceptanceApplicationIn,
    ComplianceOpinionIn,
    ComplianceRequestIn,
    CompletionIn,
    DataAggregationIn,
    DeferralIn,
    EvidenceIn,
    FilingIn,
    FilingReviewIn,
    InitialAcceptanceIn,
    MonitoringReportIn,
    OperationStartIn,
)


def _ref(case: AcceptanceCase) -> PackRef:
    return PackRef(id=case.pack_id, version=case.pack_version)


def _today(uow: UnitOfWork) -> date:
    return business_date(uow.clock.now())


def _not_after_today(uow: UnitOfWork, name: str, day: date, rules: tuple[str, ...]) -> None:
    if day > _today(uow):
        refuse([Problem(name, f"{day} is in the future", f"{day} 晚于今日", rules)])


async def steps(uow: UnitOfWork, case: AcceptanceCase, kind: str | None = None) -> list[StepRecord]:
    query = select(StepRecord).where(StepRecord.case_id == case.id).order_by(StepRecord.recorded_at)
    if kind is not None:
        query = query.where(StepRecord.kind == kind)
    return list((await uow.session.execute(query)).scalars())


def _record(uow: UnitOfWork, case: AcceptanceCase, kind: str, on: date, rules: tuple[str, ...], *, number: int = 1,
            outcome: str | None = None, due_on: date | None = None, detail: dict | None = None) -> StepRecord:
    row = StepRecord(case_id=case.id, kind=kind, number=number, outcome=outcome, on=on, due_on=due_on,
                     late=due_on is not None and on > due_on, detail=detail or {}, rule_ids=list(rules),
                     recorded_by=acting_username(), recorded_at=uow.clock.now())
    uow.session.add(row)
    return row


SELF_EVALUATION_KEYS = ("efficacy_self_assessment", "performance_self_evaluation")
"""Evidence a recorded self-evaluation provides (BY-51b, DY-20c)."""


async def evidence_keys(uow: UnitOfWork, case: AcceptanceCase) -> set[str]:
    rows = await steps(uow, case, "evidence")
    keys = {r.outcome for r in rows if r.outcome and r.detail.get("passed", True)}
    evaluated = (await uow.session.execute(select(EvaluationRecord.id).where(
        EvaluationRecord.project_id == case.project_id, EvaluationRecord.kind == "self").limit(1))).first()
    return keys | set(SELF_EVALUATION_KEYS) if evaluated else keys


# ---- completion and initial acceptance ---------------------------------------------------------------


async def complete(uow: UnitOfWork, project_id: str, body: CompletionIn) -> StepRecord:
    case = await followed(uow, project_id)
    pack = pack_of(case)
    acc = pack.acceptance
    rules = acc.application_deadline.rules if acc.application_deadline else (acc.initial.rules if acc.initial else acc.passed_rules)
    _not_after_today(uow, "completed_on", body.completed_on, rules)
    if case.completed_on is not None:
        raise DomainError("already_completed", "project_id: completion is already declared", "已申报建成", field="project_id",
                          rule_ids=rules)
    case.completed_on = body.completed_on
    if acc.application_deadline is not None and case.regime in acc.application_deadline_regimes:
        case.application_due_on = period_due(pack, acc.application_deadline, body.completed_on,
                                             loaded_policy.current().calendar).due
    row = _record(uow, case, "completion", body.completed_on, rules, due_on=None, detail={"application_due_on": str(case.application_due_on)})
    row.event_id = uow.emit(ConstructionCompleted(
        project_id=project_id, unit_id=case.unit_id, pack=_ref(case), completed_on=body.completed_on, rule_ids=list(rules),
        declared_at=uow.clock.now())).id
    return row


async def initial_acceptance(uow: UnitOfWork, project_id: str, body: InitialAcceptanceIn) -> StepRecord:
    case = await followed(uow, project_id)
    pack = pack_of(case)
    initial = pack.acceptance.initial
    if initial is None:
        raise DomainError("no_initial_acceptance", "this pack has no initial acceptance", "本地规定未设初步验收",
                          field="project_id", rule_ids=pack.acceptance.passed_rules)
    _not_after_today(uow, "concluded_on", body.concluded_on, initial.rules)
    if case.initial_passed_on is not None:
        raise DomainError("already_passed", "project_id: initial acceptance has passed", "初步验收已通过", field="project_id",
                          rule_ids=initial.rules)
    problems = []
    wrong_mode = initial_mode_problem(pack, standing(case, set()), body.mode)
    if wrong_mode is not None:
        problems.append(wrong_mode)
    if body.result == "failed" and not body.reasons:
        problems.append(Problem("reasons", "a failed initial acceptance states why", "初验不通过须写明原因", initial.rules))
    refuse(problems)
    earlier = await steps(uow, case, "initial_acceptance")
    attempt = len(earlier) + 1
    rules = tuple(dict.fromkeys([*initial.rules, *(initial.expert_line.rules if initial.expert_line else ())]))
    row = _record(uow, case, "initial_acceptance", body.concluded_on, rules, number=attempt, outcome=body.result,
                  detail={"mode": body.mode, "reasons": list(body.reasons)})
    if body.result == "passed":
        case.initial_passed_on = body.concluded_on
        row.event_id = uow.emit(InitialAcceptancePassed(
            project_id=project_id, unit_id=case.unit_id, pack=_ref(case), attempt=attempt, mode=body.mode,
            passed_on=body.concluded_on, rule_ids=list(rules), recorded_at=uow.clock.now())).id
    return row


async def file_initial_acceptance(uow: UnitOfWork, project_id: str, body: FilingIn) -> StepRecord:
    """BY-40: the initial-acceptance materials go to the bureau within 15 working days."""
    case = await followed(uow, project_id)
    pack = pack_of(case)
    initial = pack.acceptance.initial
    if initial is None or initial.filing_deadline is None:
        raise DomainError("no_initial_filing", "this pack has no initial-acceptance filing", "本地规定未设初步验收备案",
                          field="project_id", rule_ids=initial.rules if initial else pack.acceptance.passed_rules)
    if case.initial_passed_on is None:
        raise DomainError("not_passed", "project_id: initial acceptance has not passed", "初步验收尚未通过", field="project_id",
                          rule_ids=initial.filing_deadline.rules)
    if case.initial_filed_on is not None:
        raise DomainError("already_filed", "project_id: the initial acceptance is already filed", "初步验收已备案",
                          field="project_id", rule_ids=initial.filing_deadline.rules)
    today = _today(uow)
    due = period_due(pack, initial.filing_deadline, case.initial_passed_on, loaded_policy.current().calendar).due
    case.initial_filed_on = today
    row = _record(uow, case, "initial_filing", today, initial.filing_deadline.rules, due_on=due,
                  detail={"documents": [d.model_dump(mode="json") for d in body.documents]})
    row.event_id = uow.emit(InitialAcceptanceFiled(
        project_id=project_id, unit_id=case.unit_id, pack=_ref(case), filed_on=today,
        rule_ids=list(initial.filing_deadline.rules), filed_at=uow.clock.now())).id
    return row


async def apply_for_acceptance(uow: UnitOfWork, project_id: str, body: AcceptanceApplicationIn) -> StepRecord:
    """The unit's written application to the bureau that organises the acceptance (DY-20a, YL-22a)."""
    case = await followed(uow, project_id)
    pack = pack_of(case)
    evidence = await evidence_keys(uow, case)
    where = standing(case, evidence)
    owed_self = next((o for o in where.owed if o.key in SELF_EVALUATION_KEYS and o.status == "required" and o.key not in evidence), None)
    roles = {d.role for d in body.documents}
    refuse(application_problems(pack, where, roles, owed_self, case.completed_on is not None))
    application = pack.acceptance.application
    assert application is not None
    today = _today(uow)
    rules = tuple(dict.fromkeys([*application.rules, *(owed_self.rule_ids if owed_self else ())]))
    case.applied_on = today
    documents = [d.model_dump(mode="json") for d in body.documents]
    if owed_self is not None:
        # DY-20c: the report travels with the application and is the evidence the final review looks for
        report = next(d for d in body.documents if d.role == "self_evaluation")
        _record(uow, case, "evidence", today, owed_self.rule_ids, outcome=owed_self.key,
                detail={"document": report.document.model_dump(mode="json"), "passed": True})
    row = _record(uow, case, "application", today, rules, due_on=case.application_due_on, detail={"documents": documents})
    row.event_id = uow.emit(AcceptanceApplied(
        project_id=project_id, unit_id=case.unit_id, pack=_ref(case), applied_on=today, due_on=case.application_due_on,
        late=row.late, rule_ids=list(rules), applied_at=uow.clock.now())).id
    return row


def _operation_window(pack: Pack):
    return next((e for e in pack.evaluation.self_evaluation if e.timing == "window_after_operation"), None)


async def start_operation(uow: UnitOfWork, project_id: str, body: OperationStartIn) -> StepRecord:
    """投入运行: the day the self-evaluation window of BZ-42a counts from."""
    case = await followed(uow, project_id)
    pack = pack_of(case)
    window = _operation_window(pack)
    if window is None:
        raise DomainError("no_operation_window", f"project_id: pack {pack.id} counts no evaluation from the start of operation",
                          f"{pack.id} 规定未设自投入运行起算的评价期", field="project_id", rule_ids=pack.acceptance.passed_rules,
                          status_code=409)
    _not_after_today(uow, "started_on", body.started_on, window.rules)
    if case.operation_started_on is not None:
        raise DomainError("already_started", f"project_id: operation started on {case.operation_started_on}",
                          f"已于 {case.operation_started_on} 申报投入运行", field="project_id", rule_ids=window.rules)
    case.operation_started_on = body.started_on
    row = _record(uow, case, "operation_start", body.started_on, window.rules)
    row.event_id = uow.emit(OperationStarted(
        project_id=project_id, unit_id=case.unit_id, pack=_ref(case), started_on=body.started_on, rule_ids=list(window.rules),
        declared_at=uow.clock.now())).id
    return row


# ---- trial run, data aggregation and evidence -------------------------------------------------------


def _data_rules(pack: Pack) -> tuple[str, ...] | None:
    timer = next((t for t in pack.timers if t.kind == "data_aggregation"), None)
    return tuple(timer.rules) if timer else None


async def confirm_data_aggregation(uow: UnitOfWork, project_id: str, body: DataAggregationIn) -> StepRecord:
    case = await followed(uow, project_id)
    pack = pack_of(case)
    rules = _data_rules(pack)
    if rules is None:
        raise DomainError("no_data_aggregation", "this pack sets no data aggregation before acceptance", "本地规定未设数据汇聚要求",
                          field="project_id", rule_ids=pack.acceptance.passed_rules)
    if case.data_confirmed_on is not None:
        raise DomainError("already_confirmed", "project_id: data aggregation is already confirmed", "数据汇聚已确认",
                          field="project_id", rule_ids=rules)
    if body.gap_explained and body.explanation is None:
        refuse([Problem("explanation", "a large gap against the data list is covered by a stamped explanation",
                        "与数据清单差距较大的，须提交盖章说明", rules)])
    today = _today(uow)
    ends = trial_run_ends(pack, standing(case, set()), loaded_policy.current().calendar)
    case.data_confirmed_on = today
    row = _record(uow, case, "data_aggregation", today, rules, due_on=ends,
                  detail={"platforms": list(body.platforms), "gap_explained": body.gap_explained})
    row.event_id = uow.emit(DataAggregationConfirmed(
        project_id=project_id, unit_id=case.unit_id, pack=_ref(case), confirmed_on=today, gap_explained=body.gap_explained,
        rule_ids=list(rules), confirmed_at=uow.clock.now())).id
    return row


async def file_evidence(uow: UnitOfWork, project_id: str, body: EvidenceIn) -> StepRecord:
    case = await followed(uow, project_id)
    owed = {o.key: o for o in owed_by(case) if o.key not in WORKFLOW_KEYS}
    if body.key not in owed:
        allowed = ", ".join(sorted(owed)) or "none"
        refuse([Problem("key", f"{body.key} is not evidence this project owes; owed: {allowed}",
                        f"{body.key} 不是本项目验收须提交的材料（应交：{allowed}）", pack_of(case).acceptance.passed_rules)])
    rules = owed[body.key].rule_ids
    return _record(uow, case, "evidence", _today(uow), rules, outcome=body.key,
                   detail={"document": body.document.model_dump(mode="json"), "passed": body.passed})


async def file_monitoring_report(uow: UnitOfWork, project_id: str, body: MonitoringReportIn) -> StepRecord:
    """The yearly performance-monitoring report during implementation (BZ-41), once per year."""
    case = await followed(uow, project_id)
    pack = pack_of(case)
    rules = pack.evaluation.monitoring_report_rules
    if pack.evaluation.monitoring_report_due is None or not rules:
        raise DomainError("no_monitoring_report", f"project_id: pack {pack.id} asks for no yearly monitoring report",
                          f"{pack.id} 规定未要求年度绩效监控报告", field="project_id", status_code=409)
    today = _today(uow)
    if case.passed_on is not None:
        raise DomainError("accepted", f"project_id: {project_id} passed acceptance on {case.passed_on}; monitoring ends with implementation",
                          f"项目 {project_id} 已于 {case.passed_on} 通过验收，实施期绩效监控已结束", field="project_id", rule_ids=rules)
    if body.report_year > today.year:
        refuse([Problem("report_year", f"{body.report_year} has not begun", f"{body.report_year} 年尚未开始", rules)])
    filed = (await uow.session.execute(select(StepRecord.id).where(
        StepRecord.case_id == case.id, StepRecord.kind == "monitoring_report", StepRecord.outcome == str(body.report_year)))).first()
    if filed:
        raise DomainError("already_filed", f"report_year: the {body.report_year} monitoring report is filed already",
                          f"{body.report_year} 年度绩效监控报告已报送", field="report_year", rule_ids=rules)
    month, day = (int(part) for part in pack.evaluation.monitoring_report_due.split("-"))
    row = _record(uow, case, "monitoring_report", today, rules, outcome=str(body.report_year),
                  due_on=date(body.report_year, month, day), detail={"document": body.document.model_dump(mode="json")})
    row.event_id = uow.emit(PerformanceMonitoringReportFiled(
        project_id=project_id, unit_id=case.unit_id, pack=_ref(case), report_year=body.report_year,
        document_sm3=body.document.sm3, filed_on=today, rule_ids=list(rules), filed_at=uow.clock.now())).id
    return row


# ---- the compliance review (符合性审核) -----------------------------------------------------------------


async def request_compliance(uow: UnitOfWork, project_id: str, body: ComplianceRequestIn) -> StepRecord:
    case = await followed(uow, project_id)
    pack = pack_of(case)
    refuse(compliance_request_problems(pack, standing(case, set()), {d.role for d in body.documents}))
    review = pack.acceptance.compliance_review
    assert review is not None
    today = _today(uow)
    case.compliance_requested_on, case.compliance = today, None
    rules = tuple(dict.fromkeys([*review.rules, *(pack.acceptance.compliance_papers.rules if pack.acceptance.compliance_papers else ())]))
    return _record(uow, case, "compliance_request", today, rules,
                   detail={"documents": [d.model_dump(mode="json") for d in body.documents]})


async def give_compliance_opinion(uow: UnitOfWork, project_id: str, body: ComplianceOpinionIn) -> StepRecord:
    case = await followed(uow, project_id)
    pack = pack_of(case)
    review = pack.acceptance.compliance_review
    if review is None or case.compliance_requested_on is None:
        raise DomainError("no_request", "project_id: the unit has not asked for a compliance opinion", "项目单位尚未申请符合性审核",
                          field="project_id", rule_ids=review.rules if review else pack.acceptance.passed_rules)
    if case.compliance is not None:
        raise DomainError("already_given", "project_id: the opinion on this request is given; the unit asks again after fixing",
                          "本次申请已出具意见", field="project_id", rule_ids=review.rules)
    if not body.consent and not body.findings:
        refuse([Problem("findings", "a refusal states what does not comply", "不同意的须写明不符合事项", review.rules)])
    today = _today(uow)
    case.compliance = "consent" if body.consent else "refused"
    row = _record(uow, case, "compliance_opinion", today, review.rules, outcome=case.compliance,
                  detail={"findings": list(body.findings)})
    row.event_id = uow.emit(ComplianceOpinionIssued(
        project_id=project_id, opinion_id=str(row.id), unit_id=case.unit_id, pack=_ref(case), consent=body.consent,
        findings=list(body.findings), rule_ids=list(review.rules), issued_at=uow.clock.now())).id
    return row


# ---- deferral (延期验收, YL-26) -------------------------------------------------------------------------


async def defer(uow: UnitOfWork, project_id: str, body: DeferralIn) -> StepRecord:
    case = await followed(uow, project_id)
    pack = pack_of(case)
    deferral = pack.acceptance.deferral
    rules = deferral.rules if deferral else pack.acceptance.passed_rules
    if deferral is None or case.application_due_on is None:
        raise DomainError("no_deferral", "project_id: there is no acceptance-application deadline to defer "
                          "(the pack sets none, or completion is not declared yet)", "无可延期的验收申请期限",
                          field="project_id", rule_ids=rules)
    earlier = len(await steps(uow, case, "deferral"))
    decision = may_defer(pack, earlier, body.months)
    if not decision.allowed:
        reason = decision.reasons[0]
        refuse([Problem("months" if "each" in reason.en else "project_id", reason.en, reason.zh, tuple(deferral.rules),
                        status=422 if "each" in reason.en else 409)])
    new_due = loaded_policy.current().calendar.add(case.application_due_on, body.months, "natural_months",
                                                   extend_if_rest_day=False).due
    row = _record(uow, case, "deferral", _today(uow), deferral.rules, number=earlier + 1, due_on=new_due,
                  detail={"months": body.months, "reason": body.reason, "previous_due_on": str(case.application_due_on)})
    case.application_due_on = new_due
    row.event_id = uow.emit(AcceptanceDeferred(
        project_id=project_id, deferral_id=str(row.id), unit_id=case.unit_id, pack=_ref(case), deferral_number=earlier + 1,
        new_due_on=new_due, rule_ids=list(deferral.rules), granted_at=uow.clock.now())).id
    return row


# ---- acceptance filing (验收备案, BY-48) ----------------------------------------------------------------


def _filing_rules(pack: Pack) -> tuple[str, ...]:
    acc = pack.acceptance
    return acc.filing_deadline.rules if acc.filing_deadline else acc.passed_rules


def _review_rules(pack: Pack) -> tuple[str, ...]:
    return pack.acceptance.filing_review_rules or _filing_rules(pack)


async def submit_filing(uow: UnitOfWork, project_id: str, body: FilingIn) -> StepRecord:
    case = await followed(uow, project_id)
    pack = pack_of(case)
    acc = pack.acceptance
    upper = upper_level_filing(owed_by(case))
    rules = upper.rule_ids if upper else _filing_rules(pack)
    if case.passed_on is None:
        raise DomainError("not_passed", "project_id: the final review has not passed; the filing follows it",
                          "终验尚未通过，不能申请验收备案", field="project_id", rule_ids=rules)
    if case.filing_status in ("submitted", "filed", "rejected"):
        raise DomainError("filing_state", f"project_id: the filing is {case.filing_status}", f"验收备案当前状态：{case.filing_status}",
                          field="project_id", rule_ids=rules)
    refuse(filing_problems(owed_by(case), {d.role for d in body.documents}))
    today = _today(uow)
    number = len(await steps(uow, case, "filing")) + 1
    calendar = loaded_policy.current().calendar
    if case.filing_status == "defects":
        fix = acc.filing_rectification
        if not body.rectification_note:
            refuse([Problem("rectification_note", "a resubmission brings its rectification note (整改情况说明)",
                            "重新报送须附整改情况说明", fix.rules if fix else rules)])
        feedback = max(r.on for r in await steps(uow, case, "filing_review"))
        due = period_due(pack, fix, feedback, calendar).due if fix else None
        rules = fix.rules if fix else rules
    else:
        due = period_due(pack, acc.filing_deadline, case.passed_on, calendar).due if acc.filing_deadline else None
    case.filing_status = "submitted"
    row = _record(uow, case, "filing", today, rules, number=number, due_on=due,
                  detail={"documents": [d.model_dump(mode="json") for d in body.documents],
                          "rectification_note": body.rectification_note})
    row.event_id = uow.emit(AcceptanceFilingSubmitted(
        project_id=project_id, filing_id=str(row.id), unit_id=case.unit_id, pack=_ref(case), attempt=number,
        submitted_on=today, rule_ids=list(rules), submitted_at=uow.clock.now())).id
    return row


async def review_filing(uow: UnitOfWork, project_id: str, body: FilingReviewIn) -> StepRecord:
    """BY-48b–d: accepted, sent back once with its defects (10 WD to fix), or finally rejected."""
    case = await followed(uow, project_id)
    pack = pack_of(case)
    if case.filing_status != "submitted":
        raise DomainError("nothing_to_review", "project_id: no filing awaits review", "无待审核的验收备案", field="project_id",
                          rule_ids=_review_rules(pack))
    if not body.accepted and not body.defects:
        refuse([Problem("defects", "a filing not accepted lists its defects", "不予备案的须列明问题", _review_rules(pack))])
    today = _today(uow)
    rounds = len(await steps(uow, case, "filing_review")) + 1
    now = uow.clock.now()
    if body.accepted:
        case.filing_status = "filed"
        upper = upper_level_filing(owed_by(case))
        filed_rules = upper.rule_ids if upper else _review_rules(pack)
        row = _record(uow, case, "filing_review", today, filed_rules, number=rounds, outcome="filed")
        row.event_id = uow.emit(AcceptanceFiled(
            project_id=project_id, filing_id=str(row.id), unit_id=case.unit_id, pack=_ref(case), filed_on=today,
            rule_ids=list(filed_rules), filed_at=now)).id
        return row
    fix = pack.acceptance.filing_rectification
    final = body.refused or rounds > 1 or fix is None
    case.filing_status = "rejected" if final else "defects"
    stops = sanctions_for(pack, "AcceptanceFilingRejected", {"final": True}).rule_ids
    rules = (stops or _filing_rules(pack)) if final else (fix.rules if fix else _filing_rules(pack))
    row = _record(uow, case, "filing_review", today, rules, number=rounds, outcome=case.filing_status,
                  detail={"defects": list(body.defects), "refused": body.refused})
    row.event_id = uow.emit(AcceptanceFilingRejected(
        project_id=project_id, filing_id=str(row.id), unit_id=case.unit_id, pack=_ref(case), attempt=rounds, final=final,
        defects=list(body.defects), rule_ids=list(rules), rejected_at=now)).id
    return row

