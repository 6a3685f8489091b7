"""What intake points out to the reviewer when a declaration arrives: a 小微 project that looks like
part of a larger one split to stay under the line (BY-19.1b), and a system the unit's asset catalogue
already holds (BY-22.3, BY-11). Both are the reviewer's call (A-36), so they are findings with their
evidence, never refusals.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

SPLIT = "split_micro_projects"
DUPLICATE = "duplicate_construction"

SIMILAR = 0.6
"""Dice similarity of character bigrams at or above which two purposes or system names are "the same":
high enough that 政务服务 and 政务外网 differ, low enough that 建设 vs 升级 wording does not hide a match."""

# Words every project name carries; they say nothing about which system it is.
_FILLER = ("项目", "建设", "系统", "平台", "工程", "服务", "采购", "一期", "二期", "三期", "升级", "改造", "运维", "运行维护")
_NOT_TEXT = re.compile(r"[\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).lower()
    for word in _FILLER:
        folded = folded.replace(word, "")
    return _NOT_TEXT.sub("", folded)


def _bigrams(text: str) -> list[str]:
    return [text[i:i + 2] for i in range(len(text) - 1)] if len(text) > 1 else [text] if text else []


def similarity(a: str, b: str) -> float:
    """Dice coefficient over character bigrams of the normalised texts: Chinese has no word breaks,
    and bigrams are what a reader compares when two titles "say the same thing"."""
    x, y = _bigrams(normalise(a)), _bigrams(normalise(b))
    if not x or not y:
        return 0.0
    pool = list(y)
    shared = 0
    for gram in x:
        if gram in pool:
            pool.remove(gram)
            shared += 1
    return 2 * shared / (len(x) + len(y))


@dataclass(frozen=True)
class Finding:
    key: str
    rule_ids: tuple[str, ...]
    message_en: str
    message_zh: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "rule_ids": list(self.rule_ids), "message": self.message_en,
                "message_zh": self.message_zh, "evidence": self.evidence}


@dataclass(frozen=True)
class Candidate:
    """A declaration as the split check compares it."""

    project_id: str
    unit_id: str
    purpose: str
    amount_yuan: int
    start: date
    end: date


def overlaps(a: Candidate, b: Candidate) -> bool:
    return a.start <= b.end and b.start <= a.end


def split_findings(new: Candidate, earlier: Sequence[Candidate], is_micro: Callable[[int], bool],
                   rule_ids: tuple[str, ...]) -> list[Finding]:
    """BY-19.1b: same unit, same purpose, overlapping period, and together over the 小微 line (A-36)."""
    if not is_micro(new.amount_yuan):
        return []
    parts = [c for c in earlier if c.unit_id == new.unit_id and c.project_id != new.project_id and is_micro(c.amount_yuan)
             and overlaps(c, new) and similarity(c.purpose, new.purpose) >= SIMILAR]
    if not parts:
        return []
    combined = new.amount_yuan + sum(c.amount_yuan for c in parts)
    if is_micro(combined):
        return []
    ids = ", ".join(c.project_id for c in parts)
    return [Finding(
        SPLIT, rule_ids,
        f"With {ids} of the same unit, purpose and period, this project totals {combined} 元, over the 小微 line: "
        "it may be one project split to stay under it",
        f"与本单位同一目的、同一时期的 {ids} 合计 {combined} 元，超过小微项目标准，可能存在拆分立项",
        {"combined_yuan": combined, "projects": [
            {"project_id": c.project_id, "purpose": c.purpose, "amount_yuan": c.amount_yuan,
             "period": [c.start.isoformat(), c.end.isoformat()], "similarity": round(similarity(c.purpose, new.purpose), 2)}
            for c in parts]},
    )]


@dataclass(frozen=True)
class CatalogueSystem:
    name: str
    function: str
    status: str


def duplicate_findings(system_name: str, purpose: str, catalogue: Sequence[CatalogueSystem], catalogue_ref: dict[str, Any],
                       rule_ids: tuple[str, ...], upgrade: bool) -> list[Finding]:
    """BY-22.3 重复建设, BY-11 只减不增: a new system whose name or purpose matches one the unit already
    runs. An upgrade (升级改造) of that very system is expected to match, so it is not flagged."""
    if upgrade:
        return []
    matches = []
    for system in catalogue:
        if system.status == "retired":
            continue
        score = max(similarity(system_name, system.name), similarity(purpose, system.function) if system.function else 0.0)
        if score >= SIMILAR:
            matches.append({"name": system.name, "function": system.function, "status": system.status, "similarity": round(score, 2)})
    if not matches:
        return []
    names = "、".join(m["name"] for m in matches)
    return [Finding(
        DUPLICATE, rule_ids,
        f"The unit's asset catalogue already holds {names}, which this project resembles: possible duplicate construction",
        f"本单位信息化资产目录已有{names}，与本项目相近，可能属于重复建设",
        {"catalogue": catalogue_ref, "systems": matches},
    )]


REASONABLE_CAUSE = "reasonable_cause"


@dataclass(frozen=True)
class Progress:
    """An earlier project's latest progress report (BY-29.5), as intake heard it (ProgressReported)."""

    project_id: str
    report_id: str
    period_end: date
    behind: bool
    milestones_due: int
    milestones_done: int
    delay_reason: str | None


def delay_findings(reports: Sequence[Progress], rule_ids: tuple[str, ...]) -> list[Finding]:
    """BY-22.5: an earlier project that has not advanced as planned. Whether its stated cause is
    reasonable is the reviewer's call (A-35), so the finding carries the reports, not a verdict."""
    behind = sorted((r for r in reports if r.behind), key=lambda r: r.project_id)
    if not behind:
        return []
    ids = "、".join(r.project_id for r in behind)
    return [Finding(
        REASONABLE_CAUSE, rule_ids,
        f"Earlier projects of the unit are behind schedule ({ids}); judge whether the stated causes are reasonable",
        f"本单位前期项目 {ids} 未按计划推进，请判断所述原因是否合理",
        {"projects": [{"project_id": r.project_id, "report_id": r.report_id, "period_end": r.period_end.isoformat(),
                       "milestones_due": r.milestones_due, "milestones_done": r.milestones_done,
                       "delay_reason": r.delay_reason} for r in behind]},
    )]
