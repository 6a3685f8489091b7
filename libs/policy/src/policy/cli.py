"""``govit-policy``: ask the packs and the calendar from a shell.

For bureau staff and engineers checking a reading against the regulation, e.g.::

    govit-policy explain --amount 3000万 --type BY=build_develop --type YL=software_development --pack BY --pack YL
    govit-policy change --pack BY --base 1000万 --cancel 100万 --add 60万
    govit-policy calendar add 2026-09-30 5 --unit WD
    govit-policy check my-pack/BY-2025.1.toml
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from policy.acceptance import acceptance_requirements
from policy.calendar import CalendarDataError, CalendarYearMissing, Deadline, PeriodUnit, build_calendar
from policy.changes import ChangeLine, ChangeRequest, assess_change
from policy.classification import TRACK_ZH, classify
from policy.decisions import Reason
from policy.evaluation import evaluation_requirements
from policy.facts import Amounts, PolicyInputError, ProjectFacts
from policy.packs import PackError, PackNotInForce, UnknownPack, default_registry, load_pack_file
from policy.requirements import STAGES, requirements
from policy.review import review_policy
from policy.sanctions import sanctions_for
from policy.schema import Pack
from policy.timers import timer_due, timers_for

CALENDAR_OVERRIDES_ENV = "CALENDAR_OVERRIDES_FILE"
CALENDAR_PROVISIONAL_ENV = "CALENDAR_ALLOW_PROVISIONAL"
UNITS: dict[str, PeriodUnit] = {
    "WD": "working_days", "ND": "natural_days", "NM": "natural_months", "NY": "natural_years",
    "working_days": "working_days", "natural_days": "natural_days", "natural_months": "natural_months",
    "natural_years": "natural_years",
}
_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")
_SCALES = (("亿元", 100_000_000), ("亿", 100_000_000), ("万元", 10_000), ("万", 10_000), ("元", 1))


class UsageError(Exception):
    pass


def parse_amount(text: str) -> int:
    """``3000万`` → 30000000 元; ``12.5万`` → 125000; plain digits are 元. Never a float (A-40)."""
    raw = text.strip().replace(",", "").replace("_", "")
    scale = 1
    for suffix, factor in _SCALES:
        if raw.endswith(suffix):
            raw, scale = raw[: -len(suffix)], factor
            break
    if not _DECIMAL.fullmatch(raw):
        raise UsageError(f"amount {text!r}: write 元 digits or a 万/亿 amount, e.g. 3000万 / 金额格式应为数字或“3000万”")
    value = Decimal(raw) * scale
    if value != value.to_integral_value():
        raise UsageError(f"amount {text!r}: must be a whole, non-negative number of 元 / 金额须为非负整数元")
    return int(value)


def _fact_value(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    return int(text) if text.isdigit() else text


def _facts(pairs: list[str]) -> dict[str, Any]:
    facts = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--fact {pair!r}: write key=value, e.g. terminal=true")
        facts[key] = _fact_value(value)
    return facts


def _calendar(args: argparse.Namespace):
    overrides = args.overrides or os.environ.get(CALENDAR_OVERRIDES_ENV)
    provisional = args.provisional or os.environ.get(CALENDAR_PROVISIONAL_ENV, "").lower() in ("1", "true", "yes")
    return build_calendar(Path(overrides) if overrides else None, allow_provisional=provisional)


def _packs(args: argparse.Namespace) -> list[Pack]:
    registry = default_registry()
    ids = args.pack or ["BY"]
    packs = []
    for spec in ids:
        pack_id, _, version = spec.partition("@")
        packs.append(registry.get(pack_id, version or None))
    return packs


def _type_for(pack: Pack, specs: list[str]) -> str:
    plain = [s for s in specs if "=" not in s]
    for spec in specs:
        prefix, sep, value = spec.partition("=")
        if sep and prefix == pack.id:
            return value
    if plain:
        return plain[-1]
    raise UsageError(f"--type: no project type for pack {pack.id}; its types are {', '.join(pack.scope.project_types)}")


def _amounts(args: argparse.Namespace) -> Amounts:
    values: dict[str, int] = {}
    if args.amount is not None:
        values = dict.fromkeys(Amounts.model_fields, parse_amount(args.amount))
    for spec in args.amount_of or []:
        basis, sep, amount = spec.partition("=")
        if not sep or basis not in Amounts.model_fields:
            raise UsageError(f"--amount-of {spec!r}: write basis=amount; bases: {', '.join(Amounts.model_fields)}")
        values[basis] = parse_amount(amount)
    return Amounts(**values)


# ---- text output ------------------------------------------------------------------------------

def _rules(rule_ids: tuple[str, ...] | list[str]) -> str:
    return f" [{', '.join(rule_ids)}]" if rule_ids else ""


def _reason_lines(reasons: tuple[Reason, ...], indent: str = "    ") -> list[str]:
    return [f"{indent}- {r.en}{' (inferred)' if r.inferred else ''}{_rules(r.rule_ids)}\n{indent}  {r.zh}" for r in reasons]


def _period(p: Any) -> str:
    if p is None:
        return "—"
    unit = {"working_days": "WD", "natural_days": "ND", "natural_months": "NM", "natural_years": "NY"}[p.unit]
    anchor = f" from {p.anchor}" if getattr(p, "anchor", None) else ""
    return f"{p.length} {unit}{anchor}{' (inferred)' if p.inferred or getattr(p, 'unit_inferred', False) else ''}{_rules(p.rules)}"


def explain_text(pack: Pack, facts: ProjectFacts, stages: tuple[str, ...]) -> str:
    lines = [f"== {pack.id}@{pack.version} {pack.pack.title} ({pack.pack.status}) =="]
    decision = classify(pack, facts)
    track = f", {decision.track} {TRACK_ZH[decision.track]}" if decision.track else ""
    authority = f"; approver: {decision.approval_authority_zh}" if decision.approval_authority_zh else ""
    lines.append(f"classification: {decision.regime} {decision.regime_zh}{track}{authority}")
    lines += _reason_lines(decision.reasons)
    required = requirements(pack, facts, None, decision)
    for stage in stages:
        items = [i for i in required.items if i.stage == stage and i.status != "not_required"]
        if items:
            lines.append(f"{stage}:")
            for i in items:
                extra = f" — waiting for {', '.join(i.missing)}" if i.missing else ""
                lines.append(f"    {i.status:<9} {i.name_zh} ({i.key}){_rules(i.rule_ids)}{extra}")
    if decision.in_scope:
        review = review_policy(pack, decision)
        lines.append("review: " + " → ".join(f"{s.name_zh}" for s in review.steps))
        for limit in review.round_limits:
            lines.append(f"    {limit.stage}: ≤{limit.max_rounds} rounds{_rules(limit.rules)}")
        lines.append(f"    bureau SLA {_period(review.bureau_sla)}; unit response {_period(review.unit_response)};"
                     f" approval valid {_period(review.approval_validity)}")
        change = pack.change
        ratio = change.redeclaration_ratio
        lines.append(f"change: {'re-declaration above ' + str(ratio.percent) + '%' + (' (exclusive)' if ratio.strict else '') if ratio else 'no ratio line'}"
                     f" of {change.base}, measured as {change.measure}; otherwise {change.within_ratio.outcome}{_rules(change.within_ratio.rules)}")
        acceptance = acceptance_requirements(pack, facts, decision)
        lines.append(f"acceptance: organiser {acceptance.organiser_zh}; final review {acceptance.final_mode};"
                     f" attempts {acceptance.max_final_attempts or 'no limit stated'}; trial run {_period(acceptance.trial_run_min)}")
        evaluation = evaluation_requirements(pack, facts, decision)
        for duty in evaluation.duties:
            if duty.status != "not_required":
                lines.append(f"evaluation: {duty.kind} {duty.status}{_rules(duty.rule_ids)}")
    return "\n".join(lines)


def _dump(model: BaseModel | list[BaseModel]) -> str:
    if isinstance(model, list):
        return json.dumps([m.model_dump(mode="json") for m in model], ensure_ascii=False, indent=2)
    return json.dumps(model.model_dump(mode="json"), ensure_ascii=False, indent=2)


def _deadline_text(deadline: Deadline) -> str:
    mark = f" (provisional: no calendar data for {', '.join(map(str, deadline.provisional_years))} / 临时结果)" if deadline.provisional else ""
    return f"{deadline.due.isoformat()}{mark}"


# ---- commands ---------------------------------------------------------------------------------

def cmd_packs(args: argparse.Namespace) -> str:
    rows = []
    for pack in default_registry():
        info = pack.pack
        rows.append(f"{pack.id}@{pack.version:<8} {info.status:<9} {info.valid_from or 'unpublished'} … {info.valid_to or 'open'}"
                    f"  {info.title}")
    return "\n".join(rows)


def cmd_check(args: argparse.Namespace) -> str:
    lines = []
    for name in args.files:
        pack = load_pack_file(Path(name))
        lines.append(f"{name}: ok ({pack.id}@{pack.version}, {len(pack.requirements)} requirements,"
                     f" {len(pack.sanctions)} sanctions, {len(pack.timers)} timers)")
    return "\n".join(lines)


def cmd_explain(args: argparse.Namespace) -> str:
    amounts = _amounts(args)
    stages = tuple(args.stage) if args.stage else STAGES
    out: list[Any] = []
    for pack in _packs(args):
        facts = ProjectFacts(project_type=_type_for(pack, args.type), amounts=amounts, funding_source=args.funding,
                             flags=tuple(args.flag or ()), exclusions=tuple(args.exclusion or ()))
        if args.json:
            decision = classify(pack, facts)
            out.append({"classification": decision.model_dump(mode="json"),
                        "requirements": requirements(pack, facts, None, decision).model_dump(mode="json")})
        else:
            out.append(explain_text(pack, facts, stages))
    return json.dumps(out, ensure_ascii=False, indent=2) if args.json else "\n\n".join(out)


def cmd_change(args: argparse.Namespace) -> str:
    lines = [ChangeLine(kind="cancel", amount_yuan=parse_amount(a)) for a in args.cancel or []]
    lines += [ChangeLine(kind="add", amount_yuan=parse_amount(a)) for a in args.add or []]
    if not lines:
        raise UsageError("change: give at least one --add or --cancel amount / 至少给出一项新增或取消金额")
    results = []
    for pack in _packs(args):
        decision = assess_change(pack, ChangeRequest(
            stage=args.stage, base_amount_yuan=parse_amount(args.base), lines=tuple(lines),
            major_content_change=args.major, policy_driven=args.policy_driven, prior_change_requests=args.prior,
        ))
        if args.json:
            results.append(decision.model_dump(mode="json"))
            continue
        text = [f"== {pack.id}@{pack.version}: {decision.outcome} {decision.outcome_zh} ==",
                f"change amount {decision.change_amount_yuan} 元 ({decision.change_ratio_percent}), new total {decision.new_total_yuan} 元"]
        text += _reason_lines(decision.reasons)
        text += [f"    refused: {r.en}{_rules(r.rule_ids)}\n      {r.zh}" for r in decision.refusals]
        results.append("\n".join(text))
    return json.dumps(results, ensure_ascii=False, indent=2) if args.json else "\n\n".join(results)


def cmd_calendar(args: argparse.Namespace) -> str:
    calendar = _calendar(args)
    if args.calendar_command == "add":
        unit = UNITS.get(args.unit)
        if unit is None:
            raise UsageError(f"--unit {args.unit!r}: one of WD, ND, NM, NY")
        deadline = calendar.add(date.fromisoformat(args.anchor), args.length, unit, extend_if_rest_day=args.extend)
        return _deadline_text(deadline)
    if args.calendar_command == "is-working-day":
        day = date.fromisoformat(args.day)
        return f"{day.isoformat()}: {'working day / 工作日' if calendar.is_working_day(day) else 'rest day / 休息日'}"
    start, end = date.fromisoformat(args.start), date.fromisoformat(args.end)
    return str(calendar.working_days_between(start, end))


def cmd_sanctions(args: argparse.Namespace) -> str:
    decisions = [sanctions_for(pack, args.trigger, _facts(args.fact or [])) for pack in _packs(args)]
    if args.json:
        return _dump(decisions)
    lines = []
    for d in decisions:
        lines.append(f"== {d.pack_id}@{d.pack_version}: {args.trigger} ==")
        for s in d.sanctions:
            release = s.lifted_by or s.release_after or "none stated"
            lines.append(f"    {s.effect} ({s.scope}, {s.hold_mode}){_rules(s.rule_ids)}; released by {release}"
                         f"{' (inferred)' if s.lift_inferred else ''}\n      {s.message_zh}")
        if not d.sanctions:
            lines.append("    no sanction / 无处理措施")
    return "\n".join(lines)


def cmd_timers(args: argparse.Namespace) -> str:
    calendar = _calendar(args)
    anchor = date.fromisoformat(args.anchor)
    lines = []
    for pack in _packs(args):
        decision = timers_for(pack, args.event, _facts(args.fact or []))
        lines.append(f"== {pack.id}@{pack.version}: {args.event} on {anchor.isoformat()} ==")
        for timer in decision.timers:
            if timer.length_from_event:
                due = "length set by the order / 期限由整改通知确定"
            else:
                try:
                    due = _deadline_text(timer_due(pack, timer, anchor, calendar))
                except CalendarYearMissing as exc:
                    # one far timer (a 3-year warranty) must not hide the near ones
                    due = f"unknown: no working-day calendar for {exc.year} / {exc.year} 年工作日历缺失"
            lines.append(f"    {timer.kind}: due {due}{_rules(timer.rule_ids)}\n      {timer.at_expiry_zh}")
        if not decision.timers:
            lines.append("    no timer / 无计时")
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="govit-policy", description="Policy packs and the working-day calendar")
    sub = root.add_subparsers(dest="command", required=True)

    sub.add_parser("packs", help="list the packs this deployment knows")
    check = sub.add_parser("check", help="validate pack files")
    check.add_argument("files", nargs="+")

    def pack_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--pack", action="append", help="pack id, optionally @version (repeatable; default BY)")
        p.add_argument("--json", action="store_true")

    def calendar_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--overrides", help=f"calendar override file (default ${CALENDAR_OVERRIDES_ENV})")
        p.add_argument("--provisional", action="store_true", help="allow provisional results for years without data")

    explain = sub.add_parser("explain", help="how a project is handled under each pack")
    pack_options(explain)
    explain.add_argument("--type", action="append", required=True, help="project type, or PACK=type per pack")
    explain.add_argument("--amount", help="one amount for every basis, e.g. 3000万")
    explain.add_argument("--amount-of", action="append", help="basis=amount, e.g. contract_amount=2800万")
    explain.add_argument("--funding", default="fiscal")
    explain.add_argument("--flag", action="append")
    explain.add_argument("--exclusion", action="append")
    explain.add_argument("--stage", action="append", choices=STAGES)

    change = sub.add_parser("change", help="assess a change request")
    pack_options(change)
    change.add_argument("--base", required=True, help="approved amount the change is measured against")
    change.add_argument("--add", action="append")
    change.add_argument("--cancel", action="append")
    change.add_argument("--stage", default="procurement", choices=("approval", "procurement", "implementation"))
    change.add_argument("--major", action="store_true", help="goals, main content or technical scheme change")
    change.add_argument("--policy-driven", action="store_true")
    change.add_argument("--prior", type=int, default=0, help="change requests already made")

    calendar = sub.add_parser("calendar", help="working days and periods")
    calendar_sub = calendar.add_subparsers(dest="calendar_command", required=True)
    add = calendar_sub.add_parser("add", help="the due date N units after an anchor (anchor day not counted)")
    add.add_argument("anchor")
    add.add_argument("length", type=int)
    add.add_argument("--unit", default="WD")
    add.add_argument("--extend", action="store_true", help="a natural period ending on a rest day moves to the next working day")
    calendar_options(add)
    is_wd = calendar_sub.add_parser("is-working-day")
    is_wd.add_argument("day")
    calendar_options(is_wd)
    between = calendar_sub.add_parser("between", help="working days in (start, end]")
    between.add_argument("start")
    between.add_argument("end")
    calendar_options(between)

    sanctions = sub.add_parser("sanctions", help="what an event sets off (sanction matrix)")
    pack_options(sanctions)
    sanctions.add_argument("--trigger", required=True)
    sanctions.add_argument("--fact", action="append", help="key=value fact of the event, e.g. terminal=true")

    timers = sub.add_parser("timers", help="the deadlines an event starts, with due dates")
    pack_options(timers)
    calendar_options(timers)
    timers.add_argument("--event", required=True)
    timers.add_argument("--anchor", required=True)
    timers.add_argument("--fact", action="append")
    return root


COMMANDS = {"packs": cmd_packs, "check": cmd_check, "explain": cmd_explain, "change": cmd_change,
            "calendar": cmd_calendar, "sanctions": cmd_sanctions, "timers": cmd_timers}


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        print(COMMANDS[args.command](args))
    except PolicyInputError as exc:
        print(f"error: {exc.field}: {exc.message_en}\n       {exc.message_zh}", file=sys.stderr)
        return 2
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False))
        print(f"error: {problems}", file=sys.stderr)
        return 2
    except (UsageError, PackError, UnknownPack, PackNotInForce, CalendarYearMissing, CalendarDataError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
