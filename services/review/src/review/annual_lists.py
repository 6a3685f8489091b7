"""The annual project list (年度信息化项目清单, BZ-15): recorded when 市委、市政府 approve it; a project
off every approved list is not approved."""

from __future__ import annotations

from sqlalchemy import select

from contracts.base import PackRef
from contracts.events import AnnualListApproved
from policy.packs import default_registry
from servicekit.clock import business_date
from servicekit.db import UnitOfWork
from servicekit.errors import DomainError
from servicekit.security.context import acting_username

from review.models import AnnualList, ReviewCase
from review.schemas import AnnualListIn


async def record(uow: UnitOfWork, body: AnnualListIn, pack_id: str) -> AnnualList:
    pack = default_registry().get(body.pack_id or pack_id, on=business_date(uow.clock.now()))
    if pack.review.annual_list is None:
        raise DomainError("no_annual_list", f"pack {pack.id} approves projects without an annual list",
                          f"{pack.id} 不实行年度项目清单审定", status_code=409)
    known = set((await uow.session.execute(select(ReviewCase.project_id).where(
        ReviewCase.project_id.in_(body.project_ids)))).scalars().all())
    unknown = [p for p in body.project_ids if p not in known]
    if unknown:
        raise DomainError("unknown_projects", f"project_ids: no review case for {', '.join(unknown)}",
                          f"project_ids：以下项目无评审案件：{'、'.join(unknown)}", rule_ids=list(pack.review.annual_list.rules),
                          field="project_ids", status_code=422)
    now = uow.clock.now()
    row = AnnualList(pack_id=pack.id, pack_version=pack.version, year=body.year, project_ids=list(dict.fromkeys(body.project_ids)),
                     approved_on=body.approved_on, document_number=body.document_number,
                     recorded_by=acting_username(), recorded_at=now, event_id="")
    row.event_id = uow.emit(AnnualListApproved(list_id=str(row.id), pack=PackRef(id=pack.id, version=pack.version), year=body.year,
                                               project_ids=row.project_ids, rule_ids=list(pack.review.annual_list.rules),
                                               approved_on=body.approved_on, approved_at=now)).id
    uow.session.add(row)
    return row


async def lists(uow: UnitOfWork) -> list[AnnualList]:
    return list((await uow.session.execute(select(AnnualList).order_by(AnnualList.year.desc(), AnnualList.recorded_at))).scalars().all())


async def require_listed(uow: UnitOfWork, pack, project_id: str) -> None:
    """BZ-15: approval only from an approved annual list."""
    if pack.review.annual_list is None:
        return
    for row in await lists(uow):
        if row.pack_id == pack.id and project_id in row.project_ids:
            return
    raise DomainError("not_on_annual_list", f"{project_id} is on no annual project list approved by 市委、市政府",
                      f"项目 {project_id} 未列入经市委、市政府审定的年度信息化项目清单", rule_ids=list(pack.review.annual_list.rules),
                      status_code=409)
