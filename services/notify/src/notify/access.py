"""Who may read which inbox and deadlines: a unit its own, the bureau every unit's."""

from typing import Any

from sqlalchemy import select

from servicekit.security.access import Allow, path_unit, policy, project_unit

from notify.models import Deadline

READERS = ("unit_applicant", "unit_leader", "bureau_reviewer", "administrator")


async def unit_of_project(runtime: Any, project_id: str) -> str | None:
    async with runtime.units() as uow:
        query = select(Deadline.unit_id).where(Deadline.project_id == project_id).limit(1)
        return (await uow.session.execute(query)).scalar_one_or_none()


ACCESS = policy([
    ("GET", "/units/{unit_id}/notifications", Allow.of(*READERS, units=path_unit())),
    ("GET", "/units/{unit_id}/deadlines", Allow.of(*READERS, units=path_unit())),
    ("GET", "/projects/{project_id}/deadlines", Allow.of(*READERS, units=project_unit(unit_of_project))),
])
