"""Unit standing: which blocks stand on a unit and whether they refuse a declaration (BY-22)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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


@dataclass(frozen=True)
class DeclarationFacts:
    unit_id: str
    upgrade_of_project_id: str | None


def refuses(block: Block, declaration: DeclarationFacts) -> bool:
    """Whether ``block`` stands in the way of ``declaration`` (不予立项)."""
    if block.scope == "all_new_projects":
        return True
    if block.scope == "upgrade_of_project":
        return declaration.upgrade_of_project_id is not None and declaration.upgrade_of_project_id == block.project_id
    # reviews_suspended pauses review (BY-48d) but does not itself refuse a filing.
    return False


def refusing_blocks(blocks: list[Block], declaration: DeclarationFacts) -> list[Block]:
    return [block for block in blocks if refuses(block, declaration)]


def lift_description(block: Block) -> str:
    if block.lifted_by is None:
        return "no release is stated in the rules; the bureau decides"
    what = f"{block.lifted_by} for project {block.project_id}" if block.project_id else block.lifted_by
    return f"{what} (inferred where the text is silent)" if block.lift_inferred else what


def lift_description_zh(block: Block) -> str:
    names = {"AcceptancePassed": "通过终验"}
    if block.lifted_by is None:
        return "规定未明确解除条件，由主管部门决定"
    what = f"项目 {block.project_id} {names.get(block.lifted_by, block.lifted_by)}" if block.project_id else names.get(block.lifted_by, block.lifted_by)
    return f"{what}（规定未明示，按推定）" if block.lift_inferred else what
