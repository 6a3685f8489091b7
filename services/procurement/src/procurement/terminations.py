"""A unit files the termination of its approved project on one of the pack's grounds (BY-37, BY-38a);
the finance bureau then recovers the remaining funds (BY-38b)."""

from __future__ import annotations

from sqlalchemy import select

from servicekit import policy as loaded_policy
from servicekit.db import UnitOfWork
from servicekit.errors import refuse
from servicekit.security.context import acting_username

from procurement import ledger
from servicekit.problems import Problem
from procurement.domain.termination import ground_for
from procurement.models import ProjectTermination
from procurement.projects import open_project, pack_of
from procurement.schemas import TerminationIn


async def file_termination(uow: UnitOfWork, project_id: str, body: TerminationIn) -> ProjectTermination:
    project = await open_project(uow, project_id, loaded_policy.current().pack)
    pack = pack_of(project)
    ground = ground_for(pack, body.ground, project.project_class)
    if isinstance(ground, Problem):
        refuse([ground])
        raise AssertionError("unreachable")
    if not any(d.role == "termination_note" for d in body.documents):
        refuse([Problem("documents", "the termination note (终止说明) is filed with the bureau and the finance bureau",
                        "须报送项目终止说明", pack.contracts.termination_rules or ground.rules)])
    row = await ledger.terminate(
        uow, pack, ledger.Cause("", "TerminationFiled", project_id, project.unit_id, sub_project_id=body.sub_project_id),
        reason=ground.event_reason, rule_ids=tuple(dict.fromkeys([*ground.rules, *pack.contracts.termination_rules])),
        ground=ground.key, note=body.note, documents=[d.model_dump(mode="json") for d in body.documents],
        filed_by=acting_username())
    if row is None:
        refuse([Problem("sub_project_id", "this project or sub-project is already terminated", "该项目（子项目）已终止",
                        pack.contracts.termination_rules or ground.rules, status=409)])
    return row  # type: ignore[return-value]


async def terminations(uow: UnitOfWork, project_id: str) -> list[ProjectTermination]:
    rows = await uow.session.execute(select(ProjectTermination).where(ProjectTermination.project_id == project_id))
    return list(rows.scalars().all())
