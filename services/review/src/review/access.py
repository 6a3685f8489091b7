"""Who may call each review route. Experts see only the cases they are drawn for; until the
review service records draws, no case is open to them."""

from typing import Any

from sqlalchemy import select

from servicekit.security.access import Allow, policy, project_unit, query_unit

from review.models import ReviewCase


async def unit_of_case(runtime: Any, project_id: str) -> str | None:
    async with runtime.units() as uow:
        query = select(ReviewCase.unit_id).where(ReviewCase.project_id == project_id)
        return (await uow.session.execute(query)).scalar_one_or_none()


ACCESS = policy([
    ("GET", "/cases", Allow.of("unit_applicant", "unit_leader", "bureau_reviewer", "administrator", units=query_unit())),
    ("GET", "/cases/{project_id}", Allow.of("unit_applicant", "unit_leader", "bureau_reviewer", "administrator",
                                            units=project_unit(unit_of_case))),
    ("POST", "/cases/{project_id}/opinions", Allow.of("bureau_reviewer")),
    ("POST", "/cases/{project_id}/approval", Allow.of("bureau_reviewer")),
    ("GET", "/cases/{project_id}/approval", Allow.of("unit_applicant", "unit_leader", "bureau_reviewer", "finance_officer",
                                                     "administrator", units=project_unit(unit_of_case))),
])
