"""Batches compiled by project maturity and issued to units (YL-6 分批次编制，下达项目单位): where the
pack says so, each batch names the units it is issued to, and a unit's projects go into a batch
issued to it. Elsewhere a batch is the one window every unit declares in (BY-14a)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from policy.schema import Param
from servicekit.problems import Problem


def batch_unit_problems(units: Sequence[str], registered: Collection[str], plan: Param | None, pack_id: str) -> list[Problem]:
    """What is wrong with the units a new batch is issued to."""
    if plan is None:
        if units:
            return [Problem("units", f"pack {pack_id} opens each batch to every unit; it names none",
                            f"{pack_id} 规定申报批次面向全部单位，不指定单位", ())]
        return []
    rules = tuple(plan.rules)
    if not units:
        return [Problem("units", "a batch is issued to the units whose mature projects it takes: name them",
                        "批次计划须注明下达的项目单位", rules)]
    problems = []
    seen: set[str] = set()
    for i, unit in enumerate(units):
        if unit in seen:
            problems.append(Problem(f"units[{i}]", f"{unit} is named twice", f"单位 {unit} 重复", rules))
        elif unit not in registered:
            problems.append(Problem(f"units[{i}]", f"{unit} is not in the registry", f"单位 {unit} 未登记", rules))
        seen.add(unit)
    return problems


def not_issued(batch_units: Sequence[str], unit_id: str, plan: Param | None, title: str) -> Problem | None:
    """Why ``unit_id`` may not declare into a batch issued to ``batch_units``; None when it may."""
    if plan is None or unit_id in batch_units:
        return None
    return Problem("batch_id", f"{title} is not issued to {unit_id}; its projects go into a batch issued to it",
                   f"批次“{title}”未下达给 {unit_id}，应在下达给本单位的批次中申报", tuple(plan.rules), 409)
