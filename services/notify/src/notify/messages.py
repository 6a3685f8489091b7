"""What a unit is told about each event, in English and Chinese."""

from __future__ import annotations

from contracts.base import Event
from contracts.events import AcceptanceFailed, FinanceHoldPlaced, FinanceHoldReleased, ProjectTerminated, UnitStandingChanged


def describe(event: Event) -> tuple[str, str, list[str]]:
    """(title, title_zh, rule_ids) of the notice for ``event``."""
    if isinstance(event, AcceptanceFailed):
        end = "; the project is terminated" if event.terminal else f"; rectify and apply for review {event.attempt + 1}"
        end_zh = "，项目终止" if event.terminal else "，请整改后申请复验"
        return (f"Final acceptance of {event.project_id} failed (attempt {event.attempt}){end}",
                f"项目 {event.project_id} 第 {event.attempt} 次终验未通过{end_zh}", [event.rule_id])
    if isinstance(event, UnitStandingChanged):
        rules = sorted({r for block in event.changed_blocks for r in block.rule_ids})
        if event.change == "placed":
            return (f"New blocks on the unit: {len(event.changed_block_ids)}", f"单位新增限制 {len(event.changed_block_ids)} 项", rules)
        return (f"Blocks lifted: {len(event.changed_block_ids)}", f"单位限制解除 {len(event.changed_block_ids)} 项", rules)
    if isinstance(event, FinanceHoldPlaced):
        return (f"Payments of {event.project_id} are held ({event.scope})", f"项目 {event.project_id} 暂停拨付（{event.scope}）", list(event.rule_ids))
    if isinstance(event, FinanceHoldReleased):
        return (f"Hold on {event.project_id} released ({event.scope})", f"项目 {event.project_id} 解除暂停拨付（{event.scope}）", list(event.rule_ids))
    if isinstance(event, ProjectTerminated):
        return (f"Project {event.project_id} terminated ({event.reason})", f"项目 {event.project_id} 已终止", list(event.rule_ids))
    raise TypeError(f"no notice for {type(event).__name__}")
