"""The bureau's application for a 公共类 project's funds (YF-7.4): the case supplies the facts, the
domain decides, the application is kept on the case."""

from __future__ import annotations

from datetime import date


from policy.packs import get_pack
from servicekit.clock import business_date
from servicekit.db import UnitOfWork
from servicekit.errors import refuse
from servicekit.security.context import acting_username

from review.domain.funds import FundCase, fund_application_problems
from review.domain.path import approval_ceiling
from review.models import ReviewCase
from review.scheme_changes import passed_stages
from review.schemas import FundApplicationIn


async def apply(uow: UnitOfWork, case: ReviewCase, body: FundApplicationIn) -> ReviewCase:
    pack = get_pack(case.pack_id, case.pack_version)
    rule = pack.review.fund_application
    passed = frozenset(await passed_stages(uow, case.project_id))
    ceiling_fen, basis = approval_ceiling(case.plan_amount_fen, case.reviewed_amount_fen, case.declared_amount_fen)
    applied = case.fund_application
    facts = FundCase(case.status, tuple(case.flags), passed, date.fromisoformat(applied["applied_on"]) if applied else None,
                     ceiling_fen // 100, basis)
    step = next((s for s in pack.review.steps if rule is not None and s.key == rule.after), None)
    refuse(fund_application_problems(rule, facts, body.amount_yuan, pack.id, step.name_zh if step else ""))
    if rule is None:  # refused above
        return case
    case.fund_application = {"amount_yuan": body.amount_yuan, "document_number": body.document_number,
                             "addressee_zh": rule.addressee_zh, "applied_on": business_date(uow.clock.now()).isoformat(),
                             "applied_by": acting_username(), "rule_ids": list(rule.rules)}
    return case
