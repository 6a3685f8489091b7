"""通报: the criticisms the packs attach to events (BZ-43b overdue rectification, BZ-44a procedure not
followed, DY-25b serious violation), published as CircularIssued to the addressees the pack names and
put before the bureau."""

from __future__ import annotations

from sqlalchemy import select

from contracts.envelope import Envelope
from contracts.events import CircularIssued
from policy.packs import default_registry, get_pack
from policy.sanctions import sanctions_for
from servicekit.db import UnitOfWork

from notify import channels
from notify.models import FollowedProject, Notification


def triggers() -> set[str]:
    return {rule.trigger for pack in default_registry() for rule in pack.sanctions if rule.effect == "circular"}


async def on_event(uow: UnitOfWork, envelope: Envelope) -> None:
    event = envelope.data
    trigger = type(event).__name__
    data = event.model_dump(mode="python")
    ref = data.get("pack")
    project = await uow.session.get(FollowedProject, data["project_id"]) if data.get("project_id") else None
    if ref is None and project is None:
        return
    pack = get_pack(ref["id"], ref["version"]) if ref else get_pack(project.pack_id, project.pack_version)  # type: ignore[union-attr]
    for sanction in sanctions_for(pack, trigger, data).sanctions:
        if sanction.effect != "circular":
            continue
        key = f"{envelope.id}:{sanction.scope}"
        if (await uow.session.execute(select(Notification.id).where(Notification.event_id == key))).first():
            continue
        unit_id = data["unit_id"]
        title = f"{sanction.message_zh}（{unit_id}）"
        uow.emit(CircularIssued(
            circular_id=key, kind="criticism", unit_ids=[unit_id],
            project_ids=[data["project_id"]] if data.get("project_id") else [],
            addressees=list(sanction.addressees or ("public",)), title=title,  # type: ignore[arg-type]
            cause_event_ids=[envelope.id], rule_ids=list(sanction.rule_ids), issued_at=uow.clock.now()))
        await channels.notice(uow, unit_id=unit_id, project_id=data.get("project_id"), event_id=key, event_type="circular",
                              title=f"Circular: {sanction.message_en}", title_zh=f"通报：{sanction.message_zh}",
                              rule_ids=list(sanction.rule_ids), created_at=uow.clock.now(), audience="bureau")
