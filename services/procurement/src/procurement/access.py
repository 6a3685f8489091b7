"""Who may call each procurement route: a unit files for its own projects, the bureau decides
changes, the finance bureau asks about payments, oversight reads."""

from typing import Any

from sqlalchemy import select, union_all

from servicekit.security.access import Allow, policy, project_unit, query_unit

from procurement.models import FinanceHold, ProcurementProject, ProjectTermination


async def unit_of_project(runtime: Any, project_id: str) -> str | None:
    query = union_all(select(ProcurementProject.unit_id).where(ProcurementProject.project_id == project_id),
                      select(FinanceHold.unit_id).where(FinanceHold.project_id == project_id),
                      select(ProjectTermination.unit_id).where(ProjectTermination.project_id == project_id)).limit(1)
    async with runtime.units() as uow:
        return (await uow.session.execute(query)).scalar_one_or_none()


FILERS = ("unit_applicant", "unit_leader")
READERS = ("unit_applicant", "unit_leader", "bureau_reviewer", "finance_officer", "administrator")
OWN = project_unit(unit_of_project)

ACCESS = policy([
    ("GET", "/projects/{project_id}", Allow.of(*READERS, units=OWN)),
    ("POST", "/projects/{project_id}/requirement-filings", Allow.of(*FILERS, units=OWN)),
    ("POST", "/projects/{project_id}/contracts", Allow.of(*FILERS, units=OWN)),
    ("GET", "/projects/{project_id}/contracts", Allow.of(*READERS, units=OWN)),
    ("POST", "/projects/{project_id}/changes", Allow.of(*FILERS, units=OWN)),
    ("GET", "/projects/{project_id}/changes", Allow.of(*READERS, units=OWN)),
    ("POST", "/projects/{project_id}/changes/{change_id}/decision", Allow.of("bureau_reviewer")),
    ("POST", "/projects/{project_id}/terminations", Allow.of(*FILERS, units=OWN)),
    ("GET", "/projects/{project_id}/terminations", Allow.of(*READERS, units=OWN)),
    ("POST", "/projects/{project_id}/progress-reports", Allow.of(*FILERS, units=OWN)),
    ("POST", "/projects/{project_id}/incidents", Allow.of(*FILERS, units=OWN)),
    ("POST", "/projects/{project_id}/final-accounts", Allow.of(*FILERS, units=OWN)),
    ("GET", "/projects/{project_id}/holds", Allow.of(*READERS, units=OWN)),
    ("GET", "/holds", Allow.of(*READERS, units=query_unit())),
    ("POST", "/payment-clearances", Allow.of("finance_officer")),
    ("GET", "/projects/{project_id}/payment-clearances", Allow.of("finance_officer", "bureau_reviewer", "administrator")),
])
