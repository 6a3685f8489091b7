"""The asset catalogue as census data: the units' census of their systems, with what becomes of each
running one (YL-4.3 整合清理、迁移改造), and the bureau's overview of the census across units and
of the project library (YL-4.1)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from servicekit.problems import Problem

DISPOSITIONS = {"keep": "保留", "consolidate": "整合", "migrate": "迁移改造", "retire": "清理下线"}
RUNNING = ("in_service", "under_construction")
STATUS_ZH = {"in_service": "在用", "under_construction": "在建", "retired": "已停用"}


@dataclass(frozen=True)
class CatalogueEntry:
    name: str
    status: str
    disposition: str | None = None
    into: str | None = None


def catalogue_problems(entries: Sequence[CatalogueEntry], dispositions_required: bool, rules: tuple[str, ...]) -> list[Problem]:
    """A census names each system once; a running system states what becomes of it where the pack asks
    (YL-4.3), and one consolidated goes into another system of the same catalogue that stays."""
    problems = []
    names = [entry.name.strip() for entry in entries]
    index = {name: i for i, name in reversed(list(enumerate(names)))}
    for i, entry in enumerate(entries):
        at = f"systems[{i}]"
        if dispositions_required and index[names[i]] != i:
            problems.append(Problem(f"{at}.name", f"{entry.name} is listed twice (first at {index[names[i]]})",
                                    f"系统 {entry.name} 重复填报", rules))
        if entry.disposition is None:
            if dispositions_required and entry.status in RUNNING:
                problems.append(Problem(f"{at}.disposition", f"{entry.name} is {entry.status}: state whether it is kept, consolidated, "
                                        "migrated or retired", f"{entry.name}（{STATUS_ZH[entry.status]}）须注明保留、整合、迁移改造或清理下线",
                                        rules))
        elif entry.status == "retired" and entry.disposition != "retire":
            problems.append(Problem(f"{at}.disposition", f"{entry.name} is retired already; it is not {entry.disposition}",
                                    f"{entry.name} 已停用，不能再{DISPOSITIONS[entry.disposition]}", rules))
        if entry.disposition == "consolidate":
            target = (entry.into or "").strip()
            j = index.get(target)
            if not target:
                problems.append(Problem(f"{at}.into", f"{entry.name} is consolidated: name the system it goes into",
                                        f"{entry.name} 整合的，须注明整合至哪个系统", rules))
            elif j is None or j == i:
                problems.append(Problem(f"{at}.into", f"{target} is not another system of this catalogue",
                                        f"整合目标 {target} 不是本目录中的其他系统", rules))
            elif entries[j].status == "retired" or entries[j].disposition in ("consolidate", "retire"):
                problems.append(Problem(f"{at}.into", f"{target} does not stay: a system is consolidated into one that is kept or migrated",
                                        f"整合目标 {target} 本身将被整合或停用，应整合至保留或迁移改造的系统", rules))
        elif entry.into is not None:
            problems.append(Problem(f"{at}.into", "only a consolidated system names the system it goes into",
                                    "仅整合的系统须注明整合目标", rules))
    return problems


def census_counts(systems: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """One unit's latest census in figures: systems by status and by what becomes of them, and how
    many running ones say nothing yet (a catalogue filed before the census asked)."""
    rows = list(systems)
    status = Counter(str(s.get("status", "in_service")) for s in rows)
    disposition = Counter(str(s["disposition"]) for s in rows if s.get("disposition"))
    undecided = sum(1 for s in rows if s.get("status", "in_service") in RUNNING and not s.get("disposition"))
    return {"systems": len(rows), "by_status": dict(sorted(status.items())), "by_disposition": dict(sorted(disposition.items())),
            "undecided": undecided}
