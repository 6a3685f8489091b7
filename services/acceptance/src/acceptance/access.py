"""Who may call each acceptance route. The unit organises acceptance under BY-46 and records
its result; under DY-22 and YL-22a the bureau does, so bureau reviewers record too."""

from typing import Any

from sqlalchemy import select

from servicekit.security.access import SUBMISSIONS, Allow, all_of, body_unit, policy, project_unit

from acceptance.models import AcceptanceCase


async def unit_of_project(runtime: Any, project_id: str) -> str | None:
    async with runtime.units() as uow:
        query = select(AcceptanceCase.unit_id).where(AcceptanceCase.project_id == project_id).limit(1)
        return (await uow.session.execute(query)).scalar_one_or_none()


ACCESS = policy([
    ("POST", "/projects/{project_id}/final-reviews",
     Allow.of("unit_applicant", "unit_leader", "bureau_reviewer", units=all_of(project_unit(unit_of_project), body_unit()),
              rate=SUBMISSIONS)),
    ("GET", "/projects/{project_id}/final-reviews",
     Allow.of("unit_applicant", "unit_leader", "bureau_reviewer", "administrator", units=project_unit(unit_of_project))),
])
