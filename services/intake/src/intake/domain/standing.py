"""Unit standing: which blocks stand on a unit and whether they refuse a declaration (不予立项).

Blocks come from the sanction matrix of the project's pack (policy.sanctions); this module only
decides, for a block already placed, whether it refuses a given declaration on a given day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

BLOCK_EFFECTS = frozenset({"unit_block", "review_suspension"})
REFUSING_ALL = frozenset({"all_new_projects", "information_systems", "other_systems_next_year"})
"""Scopes that refuse every new project: BY-22.x, BZ-30, BZ-11a; BZ-47 (no new, rebuilt or expanded
information system, which every declaration here is); BZ-32c for the next year."""
SAME_TYPE = frozenset({"same_type", "same_type_next_year"})
REVIEW_SUSPENSION = "reviews_suspended"
"""BY-48d 暂缓后续项目评审: review pauses the unit's cases; the declaration itself is not refused."""


def published_scope(scope: str) -> str:
    """The scope as ``UnitStandingChanged`` publishes it: the pack's finer scopes fold into the
    contract's four, with ``until`` and ``project_class`` carrying the rest."""
    if scope in SAME_TYPE:
        return "project_class"
    if scope in REFUSING_ALL:
        return "all_new_projects"
    return scope


@dataclass(frozen=True)
class Block:
    block_id: str
    scope: str
    rule_ids: tuple[str, ...]
    project_id: str | None
    cause_event_id: str
    cause_event_type: str
    placed_at: datetime
    lifted_by: str | None
    lift_inferred: bool
    message_en: str
    message_zh: str
    project_class: str | None = None
    until: date | None = None


@dataclass(frozen=True)
class DeclarationFacts:
    unit_id: str
    upgrade_of_project_id: str | None
    project_class: str | None = None
    on: date | None = None
    """The business day of the declaration; a time-bound block ends after its ``until``."""


def refuses(block: Block, declaration: DeclarationFacts) -> bool:
    """Whether ``block`` stands in the way of ``declaration``."""
    if block.until is not None and declaration.on is not None and declaration.on > block.until:
        return False
    if block.scope in REFUSING_ALL:
        return True
    if block.scope == "upgrade_of_project":
        return declaration.upgrade_of_project_id is not None and declaration.upgrade_of_project_id == block.project_id
    if block.scope in SAME_TYPE:
        # "same type" is the pack's project class; a block whose cause's class is unknown refuses all
        return block.project_class is None or block.project_class == declaration.project_class
    return False


def refusing_blocks(blocks: list[Block], declaration: DeclarationFacts) -> list[Block]:
    return [block for block in blocks if refuses(block, declaration)]


def end_of_next_year(day: date) -> date:
    """BY-53.2 下一年度 / BZ-32c 次年度, read as the calendar year after the event (A-18, inferred)."""
    return date(day.year + 1, 12, 31)


EVENT_NAMES_ZH = {
    "AcceptancePassed": "通过终验",
    "AcceptanceFiled": "完成验收备案",
    "RectificationCompleted": "完成整改",
    "DataAggregationConfirmed": "完成数据汇聚确认",
    "ComplianceOpinionIssued": "取得符合性审核意见",
}


def lift_description(block: Block) -> str:
    if block.until is not None and block.lifted_by is None:
        return f"ends after {block.until.isoformat()}"
    if block.lifted_by is None:
        return "no release is stated in the rules; the bureau decides"
    what = f"{block.lifted_by} for project {block.project_id}" if block.project_id else block.lifted_by
    return f"{what} (inferred where the text is silent)" if block.lift_inferred else what


def lift_description_zh(block: Block) -> str:
    if block.until is not None and block.lifted_by is None:
        return f"{block.until.isoformat()} 后自动解除"
    if block.lifted_by is None:
        return "规定未明确解除条件，由主管部门决定"
    name = EVENT_NAMES_ZH.get(block.lifted_by, block.lifted_by)
    what = f"项目 {block.project_id} {name}" if block.project_id else name
    return f"{what}（规定未明示，按推定）" if block.lift_inferred else what
