"""Who may call each acceptance route. The unit organises acceptance under BY-46 and records its
steps; the bureau gives the compliance opinion, reviews filings, grants deferrals, records third-party
evaluations and supervision findings, and under DY-22 and YL-22a records the final review too."""

from typing import Any

from sqlalchemy import select

from servicekit.security.access import SUBMISSIONS, Allow, all_of, body_unit, path_unit, policy, project_unit

from acceptance.models import AcceptanceCase


async def unit_of_project(runtime: Any, project_id: str) -> str | None:
    async with runtime.units() as uow:
        query = select(AcceptanceCase.unit_id).where(AcceptanceCase.project_id == project_id).limit(1)
        return (await uow.session.execute(query)).scalar_one_or_none()


UNIT = ("unit_applicant", "unit_leader")
READERS = ("unit_applicant", "unit_leader", "bureau_reviewer", "finance_officer", "administrator")
OWN = project_unit(unit_of_project)


def by_unit() -> Allow:
    return Allow.of(*UNIT, units=OWN)


ACCESS = policy([
    ("POST", "/projects/{project_id}/final-reviews",
     Allow.of(*UNIT, "bureau_reviewer", units=all_of(OWN, body_unit()), rate=SUBMISSIONS)),
    ("GET", "/projects/{project_id}/final-reviews", Allow.of(*UNIT, "bureau_reviewer", "administrator", units=OWN)),
    ("GET", "/projects/{project_id}/acceptance", Allow.of(*READERS, units=OWN)),
    ("POST", "/projects/{project_id}/completion", by_unit()),
    ("POST", "/projects/{project_id}/acceptance-applications", by_unit()),
    ("POST", "/projects/{project_id}/operation-start", by_unit()),
    ("POST", "/projects/{project_id}/initial-acceptances", Allow.of(*UNIT, "bureau_reviewer", units=OWN)),
    ("POST", "/projects/{project_id}/initial-acceptance-filing", by_unit()),
    ("POST", "/projects/{project_id}/data-aggregation", by_unit()),
    ("POST", "/projects/{project_id}/evidence", by_unit()),
    ("POST", "/projects/{project_id}/monitoring-reports", by_unit()),
    ("POST", "/projects/{project_id}/compliance-requests", by_unit()),
    ("POST", "/projects/{project_id}/compliance-opinion", Allow.of("bureau_reviewer")),
    ("POST", "/projects/{project_id}/deferrals", Allow.of("bureau_reviewer")),
    ("POST", "/projects/{project_id}/acceptance-filings", by_unit()),
    ("POST", "/projects/{project_id}/acceptance-filings/review", Allow.of("bureau_reviewer")),
    ("POST", "/projects/{project_id}/evaluations", Allow.of(*UNIT, "bureau_reviewer", units=OWN)),
    ("GET", "/projects/{project_id}/evaluations", Allow.of(*READERS, units=OWN)),
    ("POST", "/projects/{project_id}/evaluations/{evaluation_id}/rectification", Allow.of("bureau_reviewer")),
    ("POST", "/findings", Allow.of("bureau_reviewer", "administrator")),
    ("GET", "/units/{unit_id}/findings", Allow.of(*READERS, units=path_unit())),
    ("POST", "/findings/{finding_id}/rectification", Allow.of("bureau_reviewer", "administrator")),
])
