"""Efficacy and performance evaluation (RULES.md §3.9) and supervision findings (§3.10), each with
its rectification: recorded, completed, or overdue when notify says the deadline passed."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select

from contracts.base import PackRef
from contracts.envelope import Envelope
from contracts.events import (
    DeadlineElapsed,
    EvaluationCompleted,
    RectificationCompleted,
    RectificationOverdue,
    SupervisionFindingRecorded,
)
from policy.timers import period_due
from servicekit import policy as loaded_policy
from servicekit.clock import business_date
from servicekit.db import UnitOfWork
from servicekit.errors import DomainError, refuse
from servicekit.problems import Problem
from servicekit.security.context import acting_username, current_principal

from acceptance.domain import evaluation as rules_of_evaluation
from acceptance.models import EvaluationRecord, FindingRecord, FinalReviewRecord, StepRecord
from acceptance.projects import case_of, followed, pack_of
from acceptance.schemas import EvaluationIn, FindingIn, RectificationIn

UNIT_ROLES = {"unit_applicant", "unit_leader"}


def _by_unit() -> bool:
    principal = current_principal.get()
    return principal is not None and bool(set(principal.roles) & UNIT_ROLES)


async def record_evaluation(uow: UnitOfWork, project_id: str, body: EvaluationIn) -> EvaluationRecord:
    case = await followed(uow, project_id)
    pack = pack_of(case)
    evaluation = pack.evaluation
    grades = {g.key: g for g in evaluation.grades}
    # the rule that sets the scale is the one every grade cites (BY-53a)
    grade_rules = tuple(r for r in (evaluation.grades[0].rules if evaluation.grades else ())
                        if all(r in g.rules for g in evaluation.grades))
    problems: list[Problem] = []
    if body.grade is not None and body.grade not in grades:
        allowed = ", ".join(grades) or "none: this pack grades nothing"
        problems.append(Problem("grade", f"{body.grade!r} is not a grade; grades: {allowed}",
                                f"“{body.grade}”不是评价等级（{'、'.join(g.name_zh for g in evaluation.grades) or '本地规定不分等级'}）",
                                grade_rules or pack.acceptance.passed_rules))
    if body.completed_on > business_date(uow.clock.now()):
        problems.append(Problem("completed_on", f"{body.completed_on} is in the future", "评价完成日期晚于今日", grade_rules))
    if body.rectification_due is not None and body.rectification_due < body.completed_on:
        problems.append(Problem("rectification_due", "rectification is due after the evaluation", "整改期限早于评价日期",
                                grade_rules))
    refuse(problems)
    if (body.kind == "self") != _by_unit():
        raise DomainError("wrong_evaluator", f"kind: a {body.kind} evaluation is recorded by "
                          f"{'the unit' if body.kind == 'self' else 'the bureau'}",
                          "自评由项目单位填报，第三方评估及后评价由政数局录入", field="kind",
                          rule_ids=rules_of_evaluation.evaluator_rules(pack, body.kind)
                          or rules_of_evaluation.bureau_rules(pack) or grade_rules,
                          status_code=403)
    ip_report = body.ip_report.model_dump(exclude_none=True) if body.ip_report else {}
    asked = rules_of_evaluation.Asked(
        kind=body.kind, accepted=case.passed_on is not None, contracted="builder" in (case.contracted_roles or ()), ground=body.ground,
        firm=body.firm is not None, ip_items=set(ip_report))
    refuse(rules_of_evaluation.problems(pack, asked))
    rules: tuple[str, ...] = grades[body.grade].rules if body.grade else ()
    if body.kind == "self":
        timing = next((e for e in evaluation.self_evaluation
                       if not e.when.project_types or case.project_class in e.when.project_types), None)
        if timing is not None:
            rules = tuple(dict.fromkeys([*timing.rules, *rules]))
            if timing.timing == "after_final_acceptance" and case.passed_on is None:
                raise DomainError("too_early", "kind: this project evaluates itself after final acceptance passes",
                                  "建设开发类项目在终验通过后开展效能自评估", field="kind", rule_ids=timing.rules)
            if timing.timing == "before_final_acceptance" and case.passed_on is not None:
                raise DomainError("too_late", "kind: this project's self-evaluation comes before final acceptance",
                                  "服务类、运维类项目须在终验前完成效能自评估", field="kind", rule_ids=timing.rules)
            if timing.timing == "window_after_operation":
                _within_operation_window(pack, case, timing, body.completed_on)
    else:
        rules = tuple(dict.fromkeys([*rules_of_evaluation.bureau_rules(pack), *rules]))
    rules = rules_of_evaluation.cited(pack, asked, rules)
    if not rules:
        rules = pack.acceptance.passed_rules
    row = EvaluationRecord(project_id=project_id, unit_id=case.unit_id, kind=body.kind, grade=body.grade,
                           completed_on=body.completed_on, rectification_due=body.rectification_due, findings=list(body.findings),
                           ground=body.ground, firm=body.firm.model_dump() if body.firm else None, ip_report=ip_report or None,
                           rule_ids=list(rules), recorded_by=acting_username(), recorded_at=uow.clock.now(), event_id="")
    uow.session.add(row)
    await uow.session.flush()
    row.event_id = uow.emit(EvaluationCompleted(
        project_id=project_id, evaluation_id=str(row.id), unit_id=case.unit_id,
        pack=PackRef(id=case.pack_id, version=case.pack_version), kind=body.kind, grade=body.grade,  # type: ignore[arg-type]
        rectification_due=body.rectification_due, rule_ids=list(rules), completed_on=body.completed_on,
        completed_at=uow.clock.now())).id
    return row


def _within_operation_window(pack, case, timing, completed_on) -> None:
    """BZ-42a: the self-evaluation looks back on 12 to 24 months of operation; one before the window
    opens has nothing to look back on. One after it closes is late, which notify's deadline records."""
    if case.operation_started_on is None:
        raise DomainError("not_in_operation", "kind: the system is not declared in operation; the self-evaluation "
                          "window counts from that day", "项目尚未申报投入运行，自评估期自投入运行起算", field="kind",
                          rule_ids=timing.rules, status_code=409)
    if timing.opens is not None:
        opens = period_due(pack, timing.opens, case.operation_started_on, loaded_policy.current().calendar).due
        if completed_on < opens:
            refuse([Problem("completed_on", f"the self-evaluation window opens on {opens}, {timing.opens.length} months after "
                            f"operation started on {case.operation_started_on}",
                            f"自评估应在投入运行 {timing.opens.length} 个月后开展（{opens} 起）", timing.rules)])


async def evaluations(uow: UnitOfWork, project_id: str) -> list[EvaluationRecord]:
    query = select(EvaluationRecord).where(EvaluationRecord.project_id == project_id).order_by(EvaluationRecord.recorded_at)
    return list((await uow.session.execute(query)).scalars())


async def rectify_evaluation(uow: UnitOfWork, project_id: str, evaluation_id: uuid.UUID, body: RectificationIn) -> EvaluationRecord:
    row = (await uow.session.execute(select(EvaluationRecord).where(
        EvaluationRecord.id == evaluation_id, EvaluationRecord.project_id == project_id).with_for_update())).scalar_one_or_none()
    if row is None:
        raise DomainError("not_found", f"evaluation_id: no evaluation {evaluation_id} of {project_id}", "评价记录不存在",
                          field="evaluation_id", status_code=404)
    return await _rectified(uow, row, body, "evaluation")


async def record_finding(uow: UnitOfWork, body: FindingIn) -> FindingRecord:
    case = await case_of(uow, body.project_id, lock=False) if body.project_id else None
    if body.project_id and case is not None and case.unit_id != body.unit_id:
        refuse([Problem("unit_id", f"project {body.project_id} belongs to {case.unit_id}", "项目不属于该单位", tuple(body.rule_ids))])
    today = business_date(uow.clock.now())
    if body.rectification_due is not None and body.rectification_due < today:
        refuse([Problem("rectification_due", "a rectification deadline lies ahead", "整改期限须晚于今日", tuple(body.rule_ids))])
    # a finding on the unit's systems as a whole falls under the deployment's own rules (BY-22.15, BZ-47)
    deployment = loaded_policy.current().pack
    pack_id, pack_version = (case.pack_id, case.pack_version) if case else (deployment.id, deployment.version)
    row = FindingRecord(unit_id=body.unit_id, project_id=body.project_id, pack_id=pack_id,
                        pack_version=pack_version, kind=body.kind, severity=body.severity,
                        authority=body.authority, description=body.description, rectification_due=body.rectification_due,
                        rule_ids=list(body.rule_ids), recorded_by=acting_username(), recorded_at=uow.clock.now(), event_id="")
    uow.session.add(row)
    await uow.session.flush()
    row.event_id = uow.emit(SupervisionFindingRecorded(
        finding_id=str(row.id), project_id=body.project_id, unit_id=body.unit_id,
        pack=PackRef(id=pack_id, version=pack_version), kind=body.kind, severity=body.severity,
        authority=body.authority, description=body.description, rectification_due=body.rectification_due,
        rule_ids=list(body.rule_ids), recorded_at=uow.clock.now())).id
    return row


async def findings(uow: UnitOfWork, unit_id: str) -> list[FindingRecord]:
    query = select(FindingRecord).where(FindingRecord.unit_id == unit_id).order_by(FindingRecord.recorded_at)
    return list((await uow.session.execute(query)).scalars())


async def rectify_finding(uow: UnitOfWork, finding_id: uuid.UUID, body: RectificationIn) -> FindingRecord:
    row = (await uow.session.execute(select(FindingRecord).where(FindingRecord.id == finding_id).with_for_update())
           ).scalar_one_or_none()
    if row is None:
        raise DomainError("not_found", f"finding_id: no finding {finding_id}", "监督发现不存在", field="finding_id", status_code=404)
    return await _rectified(uow, row, body, "supervision")


async def _rectified(uow: UnitOfWork, row: EvaluationRecord | FindingRecord, body: RectificationIn,
                     source: str) -> EvaluationRecord | FindingRecord:
    rules = tuple(row.rule_ids)
    if row.rectified_on is not None:
        raise DomainError("already_rectified", "the rectification is already confirmed", "整改已确认", rule_ids=rules)
    if body.completed_on > business_date(uow.clock.now()):
        refuse([Problem("completed_on", f"{body.completed_on} is in the future", "整改完成日期晚于今日", rules)])
    row.rectified_on = body.completed_on
    pack = PackRef(id=row.pack_id, version=row.pack_version) if isinstance(row, FindingRecord) and row.pack_id else None
    if isinstance(row, EvaluationRecord):
        case = await case_of(uow, row.project_id, lock=False)
        pack = PackRef(id=case.pack_id, version=case.pack_version) if case else None
    uow.emit(RectificationCompleted(
        project_id=row.project_id, unit_id=row.unit_id, pack=pack, source=source,  # type: ignore[arg-type]
        finding_id=str(row.id) if source == "supervision" else None, cause_event_id=row.event_id, rule_ids=list(rules),
        completed_on=body.completed_on, confirmed_at=uow.clock.now()))
    return row


# ---- deadlines notify holds (RULES.md §3.10.2) ----------------------------------------------------------


async def on_deadline(uow: UnitOfWork, envelope: Envelope) -> None:
    """A rectification period ran out with the work not done: RectificationOverdue, which intake and
    procurement turn into blocks and holds (BY-47.3a, BY-48c/48d, BY-53.3, BZ-43b)."""
    event: DeadlineElapsed = envelope.data  # type: ignore[assignment]
    if event.phase != "due":
        return
    if event.kind == "filing_rectification" and event.project_id:
        case = await case_of(uow, event.project_id)
        if case is None or case.filing_status != "defects":
            return
        case.filing_status = "rejected"
        last = (await uow.session.execute(select(StepRecord).where(StepRecord.case_id == case.id, StepRecord.kind == "filing_review")
                                          .order_by(StepRecord.recorded_at.desc()))).scalars().first()
        pack = pack_of(case)
        fix = pack.acceptance.filing_rectification
        _overdue(uow, envelope, case.project_id, case.unit_id, PackRef(id=case.pack_id, version=case.pack_version),
                 "acceptance_filing", last.event_id if last and last.event_id else envelope.id,
                 fix.rules if fix else event.rule_ids)
    elif event.kind == "acceptance_rectification" and event.project_id:
        case = await case_of(uow, event.project_id)
        if case is None:
            return
        last = (await uow.session.execute(select(FinalReviewRecord).where(FinalReviewRecord.case_id == case.id)
                                          .order_by(FinalReviewRecord.attempt.desc()))).scalars().first()
        if last is None or last.result != "failed" or last.terminal:
            return
        pack = pack_of(case)
        _overdue(uow, envelope, case.project_id, case.unit_id, PackRef(id=case.pack_id, version=case.pack_version),
                 "final_acceptance", last.event_id, pack.acceptance.rectification_rules or pack.acceptance.failed_rules)
    elif event.kind in ("supervision_rectification", "evaluation_rectification") and event.reference_id:
        model = FindingRecord if event.kind == "supervision_rectification" else EvaluationRecord
        try:
            key = uuid.UUID(event.reference_id)
        except ValueError:
            return
        row = (await uow.session.execute(select(model).where(model.id == key).with_for_update())).scalar_one_or_none()
        if row is None or row.rectified_on is not None or row.overdue:
            return
        row.overdue = True
        source = "supervision" if model is FindingRecord else "evaluation"
        # a finding keeps the pack it was recorded under (the deployment's for a unit-level one)
        if isinstance(row, FindingRecord) and row.pack_id:
            pack = PackRef(id=row.pack_id, version=row.pack_version)
        else:
            case = await case_of(uow, row.project_id, lock=False) if row.project_id else None
            pack = PackRef(id=case.pack_id, version=case.pack_version) if case else None
        _overdue(uow, envelope, row.project_id, row.unit_id, pack, source, row.event_id, tuple(row.rule_ids),
                 finding_id=str(row.id) if source == "supervision" else None)


def _overdue(uow: UnitOfWork, envelope: Envelope, project_id: str | None, unit_id: str, pack: PackRef | None, source: str,
             cause: str, rules: Sequence[str], finding_id: str | None = None) -> None:
    event: DeadlineElapsed = envelope.data  # type: ignore[assignment]
    uow.emit(RectificationOverdue(
        project_id=project_id, unit_id=unit_id, pack=pack, source=source, reason="overdue",  # type: ignore[arg-type]
        finding_id=finding_id, deadline_id=event.deadline_id, cause_event_id=cause,
        due_on=business_date(event.due_at), rule_ids=list(rules), detected_at=uow.clock.now()))

