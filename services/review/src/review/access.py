"""Who may call each review route. Experts see only the meetings they are drawn for."""

import uuid
from typing import Any

from sqlalchemy import select

from servicekit.security.access import Allow, policy, project_unit, query_unit

from review.models import Meeting, ReviewCase


async def unit_of_case(runtime: Any, project_id: str) -> str | None:
    async with runtime.units() as uow:
        query = select(ReviewCase.unit_id).where(ReviewCase.project_id == project_id)
        return (await uow.session.execute(query)).scalar_one_or_none()


async def unit_of_meeting(runtime: Any, meeting_id: str) -> str | None:
    try:
        key = uuid.UUID(meeting_id)
    except ValueError:
        return None
    async with runtime.units() as uow:
        query = select(ReviewCase.unit_id).join(Meeting, Meeting.project_id == ReviewCase.project_id).where(Meeting.id == key)
        return (await uow.session.execute(query)).scalar_one_or_none()


ACCESS = policy([
    ("GET", "/cases", Allow.of("unit_applicant", "unit_leader", "bureau_reviewer", "administrator", units=query_unit())),
    ("GET", "/cases/{project_id}", Allow.of("unit_applicant", "unit_leader", "bureau_reviewer", "administrator",
                                            units=project_unit(unit_of_case))),
    ("POST", "/cases/{project_id}/opinions", Allow.of("bureau_reviewer")),
    ("PUT", "/cases/{project_id}/priority", Allow.of("bureau_reviewer")),
    ("POST", "/cases/{project_id}/approval", Allow.of("bureau_reviewer")),
    ("POST", "/cases/{project_id}/fund-application", Allow.of("bureau_reviewer")),
    ("GET", "/cases/{project_id}/approval", Allow.of("unit_applicant", "unit_leader", "bureau_reviewer", "finance_officer",
                                                     "administrator", units=project_unit(unit_of_case))),
    ("GET", "/cases/{project_id}/co-reviews", Allow.of("unit_applicant", "unit_leader", "bureau_reviewer", "administrator",
                                                       units=project_unit(unit_of_case))),
    ("POST", "/cases/{project_id}/co-reviews", Allow.of("bureau_reviewer")),
    ("POST", "/cases/{project_id}/co-reviews/{body_key}/opinion", Allow.of("bureau_reviewer")),
    ("POST", "/cases/{project_id}/scheme-changes", Allow.of("unit_applicant", "unit_leader", units=project_unit(unit_of_case))),
    ("GET", "/cases/{project_id}/scheme-changes", Allow.of("unit_applicant", "unit_leader", "bureau_reviewer", "administrator",
                                                           units=project_unit(unit_of_case))),
    ("POST", "/cases/{project_id}/scheme-changes/{change_id}/decision", Allow.of("bureau_reviewer")),
    ("POST", "/annual-lists", Allow.of("bureau_reviewer")),
    ("GET", "/annual-lists", Allow.of("bureau_reviewer", "finance_officer", "administrator")),
    ("POST", "/experts", Allow.of("bureau_reviewer", "administrator")),
    ("GET", "/experts", Allow.of("bureau_reviewer", "administrator")),
    ("POST", "/cases/{project_id}/meetings", Allow.of("bureau_reviewer")),
    ("GET", "/cases/{project_id}/meetings", Allow.of("unit_applicant", "unit_leader", "bureau_reviewer", "administrator",
                                                     units=project_unit(unit_of_case))),
    ("GET", "/meetings/{meeting_id}", Allow.of("unit_applicant", "unit_leader", "bureau_reviewer", "administrator",
                                               units=project_unit(unit_of_meeting, param="meeting_id"))),
    ("POST", "/meetings/{meeting_id}/draw", Allow.of("bureau_reviewer")),
    ("POST", "/meetings/{meeting_id}/declines", Allow.of("bureau_reviewer")),
    ("GET", "/experts/me/meetings", Allow.of("expert")),
    ("POST", "/meetings/{meeting_id}/opinions", Allow.of("expert")),
    ("GET", "/meetings/{meeting_id}/opinions", Allow.of("bureau_reviewer", "administrator")),
])
