"""Who may call each intake route (BY-5.2a: a unit declares for itself)."""

from typing import Any

from sqlalchemy import select

from servicekit.security.access import SUBMISSIONS, Allow, any_unit, body_unit, path_unit, policy, project_unit, query_unit

from intake.models import Declaration


async def unit_of_declaration(runtime: Any, project_id: str) -> str | None:
    async with runtime.units() as uow:
        query = select(Declaration.unit_id).where(Declaration.project_id == project_id)
        return (await uow.session.execute(query)).scalar_one_or_none()


ACCESS = policy([
    ("POST", "/declarations", Allow.of("unit_applicant", "unit_leader", units=body_unit(), rate=SUBMISSIONS)),
    ("POST", "/filings", Allow.of("unit_applicant", "unit_leader", units=body_unit(), rate=SUBMISSIONS)),
    ("GET", "/standing", Allow.of("bureau_reviewer", "finance_officer", "administrator")),
    ("GET", "/declarations", Allow.of("unit_applicant", "unit_leader", "bureau_reviewer", "administrator",
                                      units=query_unit())),
    ("GET", "/declarations/{project_id}", Allow.of("unit_applicant", "unit_leader", "bureau_reviewer", "administrator",
                                                   units=project_unit(unit_of_declaration))),
    ("POST", "/declarations/{project_id}/resubmissions",
     Allow.of("unit_applicant", "unit_leader", units=project_unit(unit_of_declaration), rate=SUBMISSIONS)),
    ("POST", "/declarations/{project_id}/schemes",
     Allow.of("unit_applicant", "unit_leader", units=project_unit(unit_of_declaration), rate=SUBMISSIONS)),
    ("POST", "/declarations/{project_id}/scheme-filing",
     Allow.of("unit_applicant", "unit_leader", units=project_unit(unit_of_declaration), rate=SUBMISSIONS)),
    ("POST", "/declarations/{project_id}/micro-filing",
     Allow.of("unit_applicant", "unit_leader", units=project_unit(unit_of_declaration), rate=SUBMISSIONS)),
    ("POST", "/declarations/{project_id}/fund-application",
     Allow.of("unit_applicant", "unit_leader", units=project_unit(unit_of_declaration), rate=SUBMISSIONS)),
    ("GET", "/project-library", Allow.of("bureau_reviewer", "finance_officer", "administrator")),
    ("GET", "/asset-census", Allow.of("bureau_reviewer", "administrator")),
    ("POST", "/batches", Allow.of("bureau_reviewer", "administrator")),
    ("GET", "/batches", Allow.of("unit_applicant", "unit_leader", "bureau_reviewer", "administrator", units=any_unit())),
    ("POST", "/units/{unit_id}/plans", Allow.of("unit_applicant", "unit_leader", units=path_unit(), rate=SUBMISSIONS)),
    ("GET", "/units/{unit_id}/plans", Allow.of("unit_applicant", "unit_leader", "bureau_reviewer", "administrator",
                                               units=path_unit())),
    ("POST", "/units", Allow.of("bureau_reviewer", "administrator")),
    ("GET", "/units/{unit_id}", Allow.of("unit_applicant", "unit_leader", "bureau_reviewer", "finance_officer", "administrator",
                                         units=path_unit())),
    ("PUT", "/units/{unit_id}/chief-data-officer", Allow.of("unit_leader", "administrator", units=path_unit())),
    ("POST", "/units/{unit_id}/documents", Allow.of("unit_applicant", "unit_leader", units=path_unit(), rate=SUBMISSIONS)),
    ("GET", "/units/{unit_id}/documents", Allow.of("unit_applicant", "unit_leader", "bureau_reviewer", "administrator",
                                                   units=path_unit())),
    ("GET", "/units/{unit_id}/documents/{document_id}/content",
     Allow.of("unit_applicant", "unit_leader", "bureau_reviewer", "administrator", units=path_unit())),
    ("GET", "/units/{unit_id}/standing", Allow.of("unit_applicant", "unit_leader", "bureau_reviewer", "administrator",
                                                   units=path_unit())),
])
