"""Who may call each procurement route: finance sees holds and terminations, units their own."""

from typing import Any

from sqlalchemy import select, union_all

from servicekit.security.access import Allow, policy, project_unit, query_unit

from procurement.models import FinanceHold, ProjectTermination


async def unit_of_project(runtime: Any, project_id: str) -> str | None:
    query = union_all(select(FinanceHold.unit_id).where(FinanceHold.project_id == project_id),
                      select(ProjectTermination.unit_id).where(ProjectTermination.project_id == project_id)).limit(1)
    async with runtime.units() as uow:
        return (await uow.session.execute(query)).scalar_one_or_none()


UNIT_AND_OVERSIGHT = ("unit_applicant", "unit_leader", "bureau_reviewer", "finance_officer", "administrator")

ACCESS = policy([
    ("GET", "/projects/{project_id}/holds", Allow.of(*UNIT_AND_OVERSIGHT, units=project_unit(unit_of_project))),
    ("GET", "/holds", Allow.of(*UNIT_AND_OVERSIGHT, units=query_unit())),
    ("GET", "/projects/{project_id}/terminations", Allow.of(*UNIT_AND_OVERSIGHT, units=project_unit(unit_of_project))),
])
