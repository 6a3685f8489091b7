"""Who may read which inbox and deadlines: a unit its own, the bureau every unit's."""

from typing import Any

from sqlalchemy import select, union_all

from servicekit.security.access import Allow, path_unit, policy, project_unit

from notify.models import Deadline, Notification

READERS = ("unit_applicant", "unit_leader", "bureau_reviewer", "administrator")


async def unit_of_project(runtime: Any, project_id: str) -> str | None:
    query = union_all(select(Deadline.unit_id).where(Deadline.project_id == project_id, Deadline.unit_id.is_not(None)),
                      select(Notification.unit_id).where(Notification.project_id == project_id)).limit(1)
    async with runtime.units() as uow:
        return (await uow.session.execute(query)).scalar_one_or_none()


ACCESS = policy([
    ("GET", "/units/{unit_id}/notifications", Allow.of(*READERS, units=path_unit())),
    ("GET", "/units/{unit_id}/deadlines", Allow.of(*READERS, units=path_unit())),
    ("GET", "/units/{unit_id}/deadlines.ics", Allow.of(*READERS, units=path_unit())),
    ("POST", "/units/{unit_id}/notifications/{notification_id}/read", Allow.of("unit_applicant", "unit_leader", units=path_unit())),
    ("GET", "/bureau/notifications", Allow.of("bureau_reviewer", "administrator")),
    ("POST", "/units/{unit_id}/channels", Allow.of("unit_leader", "administrator", units=path_unit())),
    ("GET", "/units/{unit_id}/channels", Allow.of(*READERS, units=path_unit())),
    ("GET", "/units/{unit_id}/deliveries", Allow.of(*READERS, units=path_unit())),
    ("GET", "/bureau/assessment", Allow.of("bureau_reviewer", "administrator")),
    ("GET", "/bureau/assessment.csv", Allow.of("bureau_reviewer", "administrator")),
    ("GET", "/projects/{project_id}/deadlines", Allow.of(*READERS, units=project_unit(unit_of_project))),
])
