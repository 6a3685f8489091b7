"""Who is acting: the roles of the platform and the units a person acts for."""

from __future__ import annotations

from dataclasses import dataclass

ROLES: tuple[str, ...] = (
    "unit_applicant",  # 项目单位经办人
    "unit_leader",  # 项目单位负责人（签字、盖章）
    "bureau_reviewer",  # 政数局审核人员
    "expert",  # 评审专家
    "finance_officer",  # 财政局人员
    "auditor",  # 审计人员（只读）
    "administrator",  # 系统管理员
)
UNIT_ROLES = frozenset({"unit_applicant", "unit_leader"})
"""Roles that act for their own unit only (and its subordinates where the identity says so)."""
READ_METHODS = frozenset({"GET", "HEAD"})


@dataclass(frozen=True)
class Principal:
    subject: str
    username: str
    roles: frozenset[str]
    unit_ids: frozenset[str] = frozenset()
    """The person's unit and, where the jurisdiction puts subordinates under it (A-30), theirs."""
    unit_id: str | None = None
    """The person's own unit (recorded in the audit trail)."""
    name: str = ""
    token_id: str | None = None

    @property
    def primary_role(self) -> str:
        return next((r for r in ROLES if r in self.roles), "system")


ANONYMOUS = Principal(subject="anonymous", username="anonymous", roles=frozenset())
