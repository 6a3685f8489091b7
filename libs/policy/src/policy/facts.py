"""What a decision is asked about: a project's facts, its amounts, and an override of a 原则上 rule.

Amounts are separate named fields because each threshold reads its own amount (A-1): the
declared amount, the approved amount and the contract amount of one project differ, and a
threshold must never silently read another one.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt, StrictStr

from contracts.base import ProjectClass
from policy.schema import AMOUNT_BASIS_ZH, AmountBasis, Exclusion, Flag, FundingSource, Threshold

YuanAmount = Annotated[StrictInt, Field(ge=0)]


class PolicyInputError(ValueError):
    """Input a pack cannot judge; names the field and the rule that needs it, in both languages."""

    def __init__(self, field: str, message_en: str, message_zh: str, rule_ids: tuple[str, ...] = ()) -> None:
        super().__init__(f"{field}: {message_en}")
        self.field = field
        self.message_en = message_en
        self.message_zh = message_zh
        self.rule_ids = rule_ids


class Amounts(BaseModel):
    """A project's amounts in 元, one field per basis the texts name (A-1); unknown ones stay None."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    investment_estimate: YuanAmount | None = None
    declared_amount: YuanAmount | None = None
    plan_review_amount: YuanAmount | None = None
    main_works_amount: YuanAmount | None = None
    contract_amount: YuanAmount | None = None
    approved_amount: YuanAmount | None = None
    total_investment: YuanAmount | None = None
    investment_quota: YuanAmount | None = None
    software_dev_cost: YuanAmount | None = None
    budget_amount: YuanAmount | None = None
    procurement_budget: YuanAmount | None = None

    @classmethod
    def all_at(cls, yuan: int) -> Amounts:
        """Every basis at one amount: for a first look before the amounts part ways."""
        return cls(**{name: yuan for name in cls.model_fields})

    @classmethod
    def declared(cls, yuan: int) -> Amounts:
        """What a declaration knows: one amount for the lines that read the declared amount, the
        estimate, the total, the quota or the budget (A-1, inferred); contract, approved and works
        amounts come later, so conditions on them stay pending."""
        return cls(declared_amount=yuan, investment_estimate=yuan, total_investment=yuan, investment_quota=yuan, budget_amount=yuan)

    def get(self, basis: AmountBasis) -> int | None:
        return getattr(self, basis)

    def require(self, threshold: Threshold) -> int:
        amount = self.get(threshold.basis)
        if amount is None:
            raise PolicyInputError(
                f"amounts.{threshold.basis}",
                f"{threshold.basis} is needed to apply the line {threshold.describe()} ({', '.join(threshold.rules)})",
                f"适用 {threshold.describe_zh()} 需要提供{AMOUNT_BASIS_ZH[threshold.basis]}（{'、'.join(threshold.rules)}）",
                threshold.rules,
            )
        return amount


class ProjectFacts(BaseModel):
    """The facts classification and requirements read."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    project_type: ProjectClass
    amounts: Amounts
    funding_source: FundingSource = "fiscal"
    exclusions: tuple[Exclusion, ...] = ()
    """Exclusion grounds that hold for the project (涉密, 框架采购的第三方服务, 应急 …)."""
    flags: tuple[Flag, ...] = ()


class Override(BaseModel):
    """A recorded exception to a rule the text marks 原则上 (A-10): who, on what authority, why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule_id: StrictStr
    granted_by: Annotated[StrictStr, Field(min_length=1)]
    authority: Annotated[StrictStr, Field(min_length=1, description="the document or decision that grants it")]
    reason: Annotated[StrictStr, Field(min_length=1)]
    granted_at: AwareDatetime

