"""The shape of a policy pack: every parameter RULES.md §2 and §5 (A-1 … A-43) names.

A pack file is data an administrator can read against the regulation: each parameter cites
the rules it comes from and says whether its value is the text's own or our reading of a
silent text (``inferred``). Models are strict and closed, so a misspelt key, a float amount
or a string where a date belongs fails at load with the field's path.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, StrictBool, StrictInt, StrictStr, field_validator, model_validator

from contracts.base import ProjectClass
from policy.calendar import PeriodUnit

RuleRef = Annotated[StrictStr, Field(pattern=r"^(BY|YF|BZ|DY|YL)-[0-9A-Z][0-9A-Za-z.]*$")]
StrictDate = Annotated[date, Strict()]
Yuan = Annotated[StrictInt, Field(ge=0, description="元; amounts are compared exactly as integers (A-40)")]

AmountBasis = Literal[
    "investment_estimate",  # 投资概算
    "declared_amount",  # 申报金额
    "plan_review_amount",  # 立项计划审核确定金额
    "main_works_amount",  # 工程建设主体金额
    "contract_amount",  # 合同金额
    "approved_amount",  # 立项批复金额
    "total_investment",  # 总投资 / 投资总额
    "investment_quota",  # 投资额度 (BZ-2)
    "software_dev_cost",  # 应用软件开发费用
    "budget_amount",  # 预算金额
    "procurement_budget",  # 采购预算
]
AMOUNT_BASIS_ZH: dict[str, str] = {
    "investment_estimate": "投资概算", "declared_amount": "申报金额", "plan_review_amount": "立项计划审核确定金额",
    "main_works_amount": "工程建设主体金额", "contract_amount": "合同金额", "approved_amount": "立项批复金额",
    "total_investment": "总投资", "investment_quota": "投资额度", "software_dev_cost": "应用软件开发费用",
    "budget_amount": "预算金额", "procurement_budget": "采购预算",
}

FundingSource = Literal["fiscal", "upper_level_special", "self_raised", "public_interest", "non_fiscal"]
Exclusion = Literal["state_secret", "special_national_rules", "framework_third_party", "emergency", "not_city_level"]
Regime = Literal["approval", "filing", "self_managed", "outside"]
ReportingSupplier = Literal["testing"]
"""Supplier roles whose contract makes their report owed at acceptance (YF-13b, YL-25c)."""
Track = Literal["ordinary", "simplified", "micro"]
Stage = Literal["planning", "declaration", "scheme", "review", "procurement", "implementation", "acceptance", "evaluation"]
Flag = Literal[
    "software_development",  # the project develops software
    "new_software_development",  # new development, not only an upgrade (YL-25b)
    "ancillary_service",  # 配套 service of a build project (BY-29.2a excludes it)
    "identical_om_renewal",  # same content and amount as the previous period (BY-19.2)
    "public_class",  # 公共类 (YF-4.1, YL-2)
    "self_build",  # 自行建设 delivery (BZ-4)
    "service_purchase",  # 采购服务 delivery (BZ-4, YL-18d)
    "applications",  # involves application systems (BY-17.4)
    "uses_government_cloud",  # BY-55
    "cryptography_required",  # CII, 政务信息系统, 等保 level 3+ (BY-17.3)
    "upper_level_funded",  # national / provincial funds (BZ-13, BZ-31)
    "new_civil_works",  # BZ-23
    "uses_new_technology",  # AI and other new technologies (YL-4.5)
    "bureau_is_owner",  # DY-10.3b
    "new_fiscal_funds",  # YL-15b
    "differs_from_plan",  # the scheme clearly departs from the approved plan (BY-31.1)
    "adjusted_in_initial_review",  # a resubmitted scheme was clearly adjusted during 初审 (BY-31.2)
    "changed_after_expert_review",  # a change the experts did not ask for, after their review (BY-31.3)
    "changed_after_cost_review",  # a change the cost report did not ask for, after the cost review (BY-31.4)
    "substantive_change",  # the change is substantive (实质性调整, BY-31.3, BY-31.4)
    "merged_design",  # 可研 and 初设 merged into one 实施方案 (BZ-17)
    "county_collaboration",  # a city project the counties share in and collaborate on (BZ-9)
]


class Frozen(BaseModel):
    # Strictness is per field (StrictInt, StrictStr, StrictDate …): TOML arrays arrive as lists,
    # which a model-wide strict mode would refuse for tuple fields.
    model_config = ConfigDict(frozen=True, extra="forbid")


class Param(Frozen):
    """A parameter's provenance: the rules it reads and whether the value is our inference."""

    rules: tuple[RuleRef, ...] = Field(min_length=1)
    inferred: StrictBool = False
    note: StrictStr | None = None


class Threshold(Param):
    """An amount line applied to a named amount (A-1); ``inclusive`` says whether the line itself is reached (A-2)."""

    yuan: Yuan
    basis: AmountBasis
    inclusive: StrictBool
    inclusive_inferred: StrictBool = False

    def reached(self, amount_yuan: int) -> bool:
        return amount_yuan >= self.yuan if self.inclusive else amount_yuan > self.yuan

    def describe(self) -> str:
        sign = "≥" if self.inclusive else ">"
        return f"{self.basis} {sign} {format_wan(self.yuan)}"

    def describe_zh(self) -> str:
        mark = "含" if self.inclusive else "不含"
        return f"{AMOUNT_BASIS_ZH[self.basis]} {format_wan(self.yuan)}（{mark}）"


class Period(Param):
    """A length of time from an anchor; the anchor day is not counted (A-13)."""

    length: StrictInt = Field(ge=0)
    unit: PeriodUnit
    unit_inferred: StrictBool = False
    """The text says only 个月 / 年 without 自然 or 工作 (A-9)."""
    anchor: StrictStr
    anchor_inferred: StrictBool = False


class Prompt(Param):
    """What "及时" (promptly) means for this deployment: the texts give no period (A-11)."""

    length: StrictInt = Field(ge=1)
    unit: PeriodUnit


class Ratio(Param):
    percent: StrictInt = Field(ge=0, le=100)
    strict: StrictBool
    """True: the line is crossed only above the percentage (不含 / 超过)."""

    def crossed(self, part: int, whole: int) -> bool:
        # integer cross-multiplication keeps 15 % of an odd amount exact
        return part * 100 > self.percent * whole if self.strict else part * 100 >= self.percent * whole


class Condition(Frozen):
    """When a requirement, sanction or timer applies; every stated part must hold."""

    at_least: Threshold | None = None
    below: Threshold | None = None
    project_types: tuple[ProjectClass, ...] | None = None
    regimes: tuple[Regime, ...] | None = None
    tracks: tuple[Track, ...] | None = None
    flags: tuple[Flag, ...] = ()
    unless_flags: tuple[Flag, ...] = ()


def format_wan(yuan: int) -> str:
    """Amounts as the texts write them: 万元 when whole, otherwise 元."""
    return f"{yuan // 10_000}万" if yuan % 10_000 == 0 else f"{yuan}元"


# ---- pack sections -------------------------------------------------------------------------

class Provision(Param):
    """A rule about the pack itself that no decision applies: reference use by counties,
    precedence of higher-level rules, advisory uses of savings (YF-27, YL-34, YL-15d)."""

    key: Literal["reference_use", "higher_rules_prevail", "advisory", "repeals"]
    en: StrictStr
    zh: StrictStr


class PackInfo(Frozen):
    id: Literal["BY", "YF", "BZ", "DY", "YL"]
    version: StrictStr = Field(min_length=1)
    title: StrictStr
    jurisdiction_zh: StrictStr
    document: StrictStr
    valid_from: StrictDate | None = None
    """None only for a draft, which is in force nowhere until published (YL-36)."""
    valid_to: StrictDate | None = None
    status: Literal["in_force", "expired", "trial", "draft"]
    rules: tuple[RuleRef, ...] = Field(min_length=1)
    note: StrictStr | None = None
    provisions: tuple[Provision, ...] = ()

    @model_validator(mode="after")
    def _window(self) -> PackInfo:
        if self.valid_from is None and self.status != "draft":
            raise ValueError("valid_from is required unless the pack is a draft")
        if self.valid_from is not None and self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self


class ExclusionRule(Param):
    key: Exclusion


class Scope(Frozen):
    project_types: tuple[ProjectClass, ...] = Field(min_length=1)
    project_types_rules: tuple[RuleRef, ...] = Field(min_length=1)
    funding_sources: tuple[FundingSource, ...] = Field(min_length=1)
    funding_rules: tuple[RuleRef, ...] = Field(min_length=1)
    funding_inferred: StrictBool = False
    exclusions: tuple[ExclusionRule, ...]
    floor: Threshold | None = None
    """Below this line the pack does not manage the project (A-41)."""
    below_floor: Literal["self_managed_with_filing", "self_managed", "outside"] | None = None
    below_floor_rules: tuple[RuleRef, ...] = ()
    same_type_key: Literal["project_class"]
    same_type_inferred: StrictBool = True
    standing_scope: Literal["budget_unit_with_subordinates", "unit"]
    standing_rules: tuple[RuleRef, ...] = Field(min_length=1)
    standing_inferred: StrictBool = False
    excluded_categories: tuple[StrictStr, ...] | None = ()
    """Project categories outside IT-project scope (BY 附件2); None: the list exists but is not supplied (A-8)."""
    excluded_categories_rules: tuple[RuleRef, ...] = ()
    excluded_categories_note: StrictStr | None = None

    @model_validator(mode="after")
    def _floor(self) -> Scope:
        if (self.floor is None) != (self.below_floor is None):
            raise ValueError("floor and below_floor go together")
        return self


class RegimeLine(Param):
    """YL-11a: an amount line that switches named types from filing to approval."""

    line: Threshold
    project_types: tuple[ProjectClass, ...] = Field(min_length=1)


class SimplifiedRenewal(Param):
    """BY-19.2: an identical O&M renewal up to a limit skips expert review."""

    project_types: tuple[ProjectClass, ...] = Field(min_length=1)
    limit: Threshold
    skips: tuple[Literal["expert_review"], ...]


class AuthorityLine(Param):
    line: Threshold
    authority: StrictStr
    authority_zh: StrictStr


class Classification(Frozen):
    default_regime: Literal["approval", "filing"]
    default_regime_rules: tuple[RuleRef, ...] = Field(min_length=1)
    approval_line: RegimeLine | None = None
    filing_types: tuple[ProjectClass, ...] = ()
    """Types filed at any amount above the floor (YL-11b)."""
    non_fiscal_regime: Literal["approval", "filing", "outside"]
    micro: Threshold | None = None
    """Below this line a project is 小微 and takes the filing track (BY-19.1a)."""
    simplified_renewal: SimplifiedRenewal | None = None
    approval_authority: StrictStr
    approval_authority_zh: StrictStr
    approval_authority_rules: tuple[RuleRef, ...] = Field(min_length=1)
    higher_authority: AuthorityLine | None = None
    """Projects at or above this line go to a higher approver (BY-20.4a 区政府审定)."""
    merge_design_line: Threshold | None = None
    """BZ-17.3: up to this total the feasibility study and preliminary design may merge."""


class Requirement(Frozen):
    """A document to hand in or a step to take at a stage, when its condition holds."""

    stage: Stage
    kind: Literal["document", "step", "evidence"]
    key: StrictStr = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name_zh: StrictStr
    rules: tuple[RuleRef, ...] = Field(min_length=1)
    when: Condition = Condition()
    mandatory: StrictBool = True
    overridable: StrictBool = False
    """原则上: may be waived by a recorded override (A-10)."""
    inferred: StrictBool = False
    note: StrictStr | None = None
    plan_kind: Literal["dev_plan", "asset_catalogue", "data_catalogue", "annual_plan", "resource_catalogue",
                       "construction_plan"] | None = None
    """For a planning document: the kind a unit files it as (``UnitPlanFiled.kind``)."""
    blocks_declaration: StrictBool = False
    """A unit that has not filed it may not declare (BY-22.10)."""
    contents: tuple[StrictStr, ...] = ()
    """For a planning document: the parts it must cover (BY-9), each stated when it is filed."""
    contents_rules: tuple[RuleRef, ...] = ()
    dispositions: StrictBool = False
    """For an asset catalogue: each system still running states whether it is kept, consolidated into
    another, migrated or retired (YL-4.3 整合清理、迁移改造)."""
    owed_with_supplier: ReportingSupplier | None = None
    """For acceptance evidence approval could not settle (its amount unknown, or owed only "where required"):
    owed once the project contracts this supplier, whose report it is (YF-13b, YL-25c: the tester's report)."""


class RoundLimit(Param):
    stage: Literal["plan_review", "initial_review", "expert_review", "cost_review"]
    max_rounds: StrictInt = Field(ge=1)
    on_exhausted: Literal["rejected"]
    overridable: StrictBool = False


ReviewStepKey = Literal["plan_review", "initial_review", "expert_review", "cost_review", "co_review", "finance_review",
                        "committee_review", "external_approval", "approval"]


class ReviewStep(Param):
    key: ReviewStepKey
    name_zh: StrictStr
    skip_tracks: tuple[Track, ...] = ()


class Share(Param):
    """A least share as the text states it, kept as a fraction so 三分之一 is exact."""

    numerator: StrictInt = Field(ge=1)
    denominator: StrictInt = Field(ge=1)

    def met(self, part: int, whole: int) -> bool:
        return whole > 0 and part * self.denominator >= self.numerator * whole


class CoReviewer(Param):
    """A body whose written opinion the review needs: always (BZ-20), or when the project touches a
    topic of its remit (BY-5.5)."""

    body: StrictStr = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name_zh: StrictStr
    topics: tuple[StrictStr, ...] = ()
    """Empty: every project; otherwise the project's topics that call for this body."""
    before: Literal["committee_review", "approval"] = "approval"
    """The step that waits for the opinion (BZ-20: 审委会)."""
    flags: tuple[Flag, ...] = ()
    """Asked only of a project with every one of these flags (BZ-9: a city project the counties share in)."""
    after: ReviewStepKey | None = None
    """Asked once this step of the case has passed, not when the case opens (BZ-9: 领导小组办公室审核，报市政府审定)."""


class HumanDecision(Param):
    """A rule the text leaves to a person's judgement: the platform records who decided and why (A-35, A-36, A-37).

    Each is phrased as a concern a reviewer may find. A found concern fails the opinion; one that is
    an item of the 不予立项 list (``refuses``) ends the project at once (BY-22, BZ-8); one the text only
    encourages (``advisory``) is advice to the unit (BY-58)."""

    key: StrictStr = Field(pattern=r"^[a-z][a-z0-9_]*$")
    en: StrictStr
    zh: StrictStr
    refuses: StrictBool = False
    advisory: StrictBool = False
    """What the text only encourages (BY-58 鼓励): a found one is the reviewer's advice to the unit, kept with
    the opinion, and neither fails nor ends the project."""
    stages: tuple[StrictStr, ...] = ()
    """The review steps it is judged at; empty: any."""
    flags: tuple[Flag, ...] = ()
    """Judged only for a project with every one of these flags (BZ-9: a city project the counties share in)."""

    @model_validator(mode="after")
    def advice_refuses_nothing(self) -> HumanDecision:
        if self.advisory and self.refuses:
            raise ValueError(f"{self.key}: an advisory concern cannot also refuse the project")
        return self


class BureauFundApplication(Param):
    """The bureau applies for the funds of the projects it runs itself once the finance bureau's fund
    review has passed (YF-7.4 公共类: 市政务服务数据管理局将完成资金审核的公共类服务项目，按程序报市政府申请资金);
    the units apply for their own (YF-8.5, ``declaration.fund_application``)."""

    addressee_zh: StrictStr
    flags: tuple[Flag, ...] = Field(min_length=1)
    """The projects the bureau applies for (YF-7.4: 公共类)."""
    after: ReviewStepKey
    """The review step that must have passed (YF-7.3: the finance bureau's fund review)."""


class Review(Frozen):
    steps: tuple[ReviewStep, ...] = Field(min_length=1)
    round_limits: tuple[RoundLimit, ...] = ()
    bureau_sla: Period | None = None
    unit_response: Period | None = None
    scheme_filing: Period | None = None
    approval_validity: Period | None = None
    lapse_event: StrictStr | None = None
    """Which event stops the approval from lapsing (A-12: ContractFiled, inferred)."""
    co_review: Prompt | None = None
    co_reviewers: tuple[CoReviewer, ...] = ()
    annual_list: Param | None = None
    """Projects are approved only from the year's list that 市委、市政府 approved (BZ-15)."""
    committee_expert_share: Share | None = None
    """The least share of experts among the committee's members (BZ-5b: one third)."""
    business_operation_cap: Ratio | None = None
    scheme_cap_basis: AmountBasis | None = None
    scheme_cap_rules: tuple[RuleRef, ...] = ()
    expert_pools: tuple[StrictStr, ...] = ()
    expert_pools_rules: tuple[RuleRef, ...] = ()
    acceptance_expert_pools: tuple[StrictStr, ...] = ()
    """The pools acceptance-stage experts are drawn from (BY-5.2b: 白云区 only)."""
    acceptance_expert_pools_rules: tuple[RuleRef, ...] = ()
    expert_draw_size: StrictInt | None = None
    """How many experts a draw takes; no text states it (A-27), so the deployment sets it."""
    human_decisions: tuple[HumanDecision, ...] = ()
    fund_application: BureauFundApplication | None = None

    @model_validator(mode="after")
    def named_steps_are_steps(self) -> Review:
        keys = {step.key for step in self.steps}
        named = [(f"co_reviewers[{i}].after", c.after) for i, c in enumerate(self.co_reviewers) if c.after is not None]
        if self.fund_application is not None:
            named.append(("fund_application.after", self.fund_application.after))
        for where, step in named:
            if step not in keys:
                raise ValueError(f"{where}: {step} is not a review step of this pack ({', '.join(sorted(keys))})")
        return self


class ChangeTier(Param):
    outcome: Literal["filing", "bureau_consent", "approval_procedure"]
    steps: tuple[StrictStr, ...] = ()


class MajorChange(Param):
    """A change of goals, main content or technical scheme (YL-21.2, BZ-25b, BY-33.1)."""

    outcome: Literal["redeclaration", "approval_procedure", "refused", "filing"]


class Change(Frozen):
    measure: Literal["absolute_sum"]
    measure_rules: tuple[RuleRef, ...] = Field(min_length=1)
    measure_inferred: StrictBool = False
    base: AmountBasis
    redeclaration_ratio: Ratio | None = None
    within_ratio: ChangeTier
    cancel_only: ChangeTier | None = None
    """A change that only removes content (BY-33.2); None where the text makes no exception."""
    major_change: MajorChange | None = None
    total_cap: Param | None = None
    """The changed total may not exceed the approved total (BY-33.1)."""
    allow_additions: StrictBool = True
    allow_increase: StrictBool = True
    additions_rules: tuple[RuleRef, ...] = ()
    additions_overridable: StrictBool = False
    max_requests: StrictInt | None = None
    max_requests_rules: tuple[RuleRef, ...] = ()
    max_requests_overridable: StrictBool = False
    count_policy_changes: StrictBool = True
    count_policy_changes_inferred: StrictBool = False
    policy_change_rules: tuple[RuleRef, ...] = ()
    """A change caused by law or policy is filed with the bureau promptly (YF-17a, DY-18a)."""
    tiers_apply_at: tuple[Literal["approval", "procurement", "implementation"], ...]
    tiers_apply_inferred: StrictBool = False
    prior_approval: Param | None = None
    filing_deadline: Period | None = None
    filing_prompt: StrictBool = False
    """Filing is due "及时" (A-11): the deployment's prompt period applies."""


class Organiser(Param):
    who: Literal["unit", "bureau", "unit_with_bureau", "joint_with_ndrc_and_bureau", "bureau_led_team"]
    who_zh: StrictStr
    when: Condition = Condition()


class InitialAcceptance(Frozen):
    mandatory_types: tuple[ProjectClass, ...]
    """Types that must hold it; every other type may (BY-39a)."""
    rules: tuple[RuleRef, ...] = Field(min_length=1)
    inferred: StrictBool = False
    expert_line: Threshold | None = None
    """At or above: an expert review meeting; below: internal or expert, as the unit decides (BY-39.1/.2)."""
    max_attempts: StrictInt | None = None
    filing_deadline: Period | None = None


class Deferral(Param):
    max_deferrals: StrictInt = Field(ge=0)
    each_at_most: Period


class CompliancePapers(Param):
    """What the written request for the compliance opinion brings, by project class (BY-45b)."""

    build_develop: tuple[StrictStr, ...] = ()
    other: tuple[StrictStr, ...] = ()


class AcceptanceApplication(Param):
    """The unit applies in writing to the bureau that organises the final acceptance (DY-20a, YL-22a)."""

    after: Literal["initial_acceptance", "completion"]
    """What the application follows: the unit's own initial acceptance (DY-20a) or the content built (YL-22a)."""
    regimes: tuple[Regime, ...] = ()
    """Only where the bureau organises the acceptance (YL-22a approval; YL-22b filing: the unit itself); empty: all."""


class AcceptanceConcern(Param):
    """An obligation the text leaves to a person at the final acceptance (BY-29.4, BY-57, BZ-10, YL-18a …):
    the review judges whether the project falls short of it, and a review that finds it cannot pass.
    Where it concerns only some projects (a mobile app, IP the contract defined) the words say so."""

    key: StrictStr = Field(pattern=r"^[a-z][a-z0-9_]*$")
    en: StrictStr
    zh: StrictStr


class Acceptance(Frozen):
    organisers: tuple[Organiser, ...] = Field(min_length=1)
    application: AcceptanceApplication | None = None
    passed_rules: tuple[RuleRef, ...] = Field(min_length=1)
    """The rule a passed final review is concluded under (BY-47a)."""
    failed_rules: tuple[RuleRef, ...] = Field(min_length=1)
    """The rule a failed, non-terminal final review is concluded under (BY-47.3a)."""
    terminal_rules: tuple[RuleRef, ...] = ()
    """The rule that ends the project when the last allowed review fails (BY-47.3b)."""
    terminal_scope: Literal["project_or_sub_project", "project"] = "project"
    """BY-47.3b ends "该项目或子项目": acceptance is tracked per sub-project (A-31)."""
    initial: InitialAcceptance | None = None
    trial_run_min: Period | None = None
    trial_run_note: StrictStr | None = None
    final_expert_line: Threshold | None = None
    compliance_review: Param | None = None
    """A bureau opinion must precede final acceptance (BY-45, YF-18b)."""
    compliance_papers: CompliancePapers | None = None
    refusal_grounds: tuple[RuleRef, ...] = ()
    """A failed final review names which of the pack's grounds it failed on (YL-27.1–27.10, YL-28b)."""
    filing_review_rules: tuple[RuleRef, ...] = ()
    """The bureau's review of the acceptance filing (BY-48b)."""
    max_final_attempts: StrictInt | None = Field(None, ge=1)
    max_final_attempts_rules: tuple[RuleRef, ...] = Field(min_length=1)
    max_final_attempts_inferred: StrictBool = False
    rectification: Period | None = None
    rectification_prompt: StrictBool = False
    rectification_rules: tuple[RuleRef, ...] = ()
    application_deadline: Period | None = None
    application_deadline_regimes: tuple[Regime, ...] = ()
    deferral: Deferral | None = None
    filing_deadline: Period | None = None
    filing_rectification: Period | None = None
    due_after_completion: Period | None = None
    """When "not accepted" starts to count as a failure (A-16); None: no trigger until set."""
    concerns: tuple[AcceptanceConcern, ...] = ()
    """What the final review judges (BY-29.4, BY-49, BZ-45 …); a concern found refuses a pass."""

    @field_validator("concerns")
    @classmethod
    def _concern_keys_once(cls, concerns: tuple[AcceptanceConcern, ...]) -> tuple[AcceptanceConcern, ...]:
        keys = [c.key for c in concerns]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"duplicate concern keys {dupes}")
        return concerns


class SelfEvaluation(Param):
    when: Condition = Condition()
    timing: Literal["after_final_acceptance", "before_final_acceptance", "at_acceptance", "window_after_operation"]
    due: Period | None = None
    opens: Period | None = None


class ThirdPartyEvaluation(Param):
    when: Condition = Condition()
    mode: Literal["mandatory", "discretionary"]
    by: Literal["bureau", "bureau_and_finance", "bureau_with_ndrc_and_finance"]
    due: Period | None = None
    opens: Period | None = None


class Grade(Frozen):
    key: Literal["excellent", "qualified", "basically_qualified", "unqualified"]
    """The vocabulary of ``EvaluationCompleted.grade``."""
    name_zh: StrictStr
    consequence: StrictStr | None = None
    consequence_zh: StrictStr | None = None
    rules: tuple[RuleRef, ...] = Field(min_length=1)


MidImplementationGround = Literal["key_project", "slow_construction", "delayed_acceptance"]


class DuringImplementation(Param):
    """The bureau may run its third-party evaluation before the final acceptance passes, on one of these
    grounds (BY-52.3: a district key project, slow construction, delayed acceptance). Without this,
    the bureau's evaluation looks back on a project already accepted."""

    grounds: tuple[MidImplementationGround, ...] = Field(min_length=1)


class Evaluation(Frozen):
    self_evaluation: tuple[SelfEvaluation, ...] = ()
    third_party: tuple[ThirdPartyEvaluation, ...] = ()
    grades: tuple[Grade, ...] = ()
    unit_part: Param | None = None
    """The unit's own part, which it records itself: it organises and performs its projects' evaluation
    (BY-50), or co-operates with the bureau's evaluation, performance evaluation and audit (YL-30)."""
    third_party_firm: Param | None = None
    """A third-party evaluation is done by a firm the bureau hires, and its record names the firm (BY-52)."""
    during_implementation: DuringImplementation | None = None
    ip_report: Param | None = None
    """Where the project's contract states IP terms, the evaluation report covers the IP application plan's
    completion, the ownership transfer and the follow-up operation (BY-54)."""
    ban_year_basis: Literal["calendar_year_after_grading", "next_declaration_batch"] | None = None
    ban_year_inferred: StrictBool = True
    monitoring_report_due: StrictStr | None = Field(None, pattern=r"^\d{2}-\d{2}$")
    monitoring_report_rules: tuple[RuleRef, ...] = ()


class UpgradeRule(Param):
    predecessor_types: tuple[ProjectClass, ...] | None = None
    """The classes of earlier project the rule concerns (BY-22.8: 建设开发类); None: any."""


class PublicClassApplicant(Param):
    role: Literal["data_bureau", "information_centre"]
    role_zh: StrictStr


MergeGroundKey = Literal["higher_requirement", "urgent_special_reason", "small_investment"]


class MergeGround(Param):
    key: MergeGroundKey
    name_zh: StrictStr


class DesignMerge(Param):
    """自行建设 may merge the 可研 and 初设 into one 实施方案 on one of the grounds (BZ-17.1–17.3); the
    amount ground reads ``classification.merge_design_line``."""

    flags: tuple[Flag, ...] = ()
    """The delivery mode the merge belongs to (BZ-17: 自行建设)."""
    grounds: tuple[MergeGround, ...] = Field(min_length=1)


class RoleFlag(Param):
    """A flag that says the project is a body's own: only a unit of that role declares with it, and
    that unit always does (DY-3.2 a county unit owns its projects; DY-10.3b the bureau's own)."""

    flag: Flag
    role: Literal["data_bureau", "information_centre"]
    role_zh: StrictStr


class FundApplication(Param):
    """After approval and the finance bureau's fund review the unit applies for the funds (YF-8.5)."""

    addressee_zh: StrictStr
    unless_flags: tuple[Flag, ...] = ()
    """Projects whose funds another body applies for (YF-7.4: the bureau, for 公共类)."""


class Declaration(Frozen):
    window: Period | None = None
    """The annual window from the notice (BY-14a)."""
    fixed_date: StrictStr | None = Field(None, pattern=r"^\d{2}-\d{2}$")
    """A yearly date the plan or approval must be in by (YF-6 11-30, YL-16a 12-31)."""
    fixed_date_rules: tuple[RuleRef, ...] = ()
    fixed_date_inferred: StrictBool = False
    calendar_note: StrictStr | None = None
    out_of_window_consent: tuple[StrictStr, ...] = ()
    out_of_window_rules: tuple[RuleRef, ...] = ()
    upgrade_needs_accepted_predecessor: UpgradeRule | None = None
    """An upgrade (升级改造) is not approved while the project it upgrades has not passed acceptance (BY-22.8, BZ-8.8)."""
    public_class_applicant: PublicClassApplicant | None = None
    """Who declares a 公共类 project: the bureau itself (YF-4.1, YF-7.1) or the city information centre (YL-4.2)."""
    first_level_declares: Param | None = None
    """Only a first-level budget unit (一级预算单位) declares, for itself and its subordinates (BY-5.2a)."""
    cross_department: Param | None = None
    """A project led by one department with others: each one's scope stated, none overlapping (BZ-22, YL-9)."""
    responsible_person: Param | None = None
    """The project's responsible person is the unit's principal head (BZ-24)."""
    design_merge: DesignMerge | None = None
    role_flags: tuple[RoleFlag, ...] = ()
    already_committed: Param | None = None
    """A project the bureau has not approved but that is already funded, or that county documents
    require, still applies; the application says which, with the document (DY-7)."""
    batch_plan: Param | None = None
    """Batches are compiled by project maturity and issued to named units (YL-6): a batch lists its
    units, and a unit declares into a batch issued to it."""
    project_library: Param | None = None
    """The bureau keeps the library of all projects, updated as they move on (YL-4.1)."""
    fund_application: FundApplication | None = None


IpRight = Literal["source_code", "data", "software_copyright", "patents", "trademarks", "usage_rights", "results"]
IP_RIGHT_ZH = {"source_code": "源代码", "data": "数据所有权", "software_copyright": "软件著作权", "patents": "专利",
               "trademarks": "商标", "usage_rights": "使用权", "results": "成果"}


class IpTerms(Param):
    """What a contract must say about intellectual property (BY-28, BZ-27, YL-18b, YL-25a)."""

    must_cover: tuple[IpRight, ...] = Field(min_length=1)
    """Each right whose ownership the contract must state."""
    owner_unit: tuple[IpRight, ...] = ()
    """Rights that must belong to the unit."""
    owner_overridable: StrictBool = False
    """原则上: the unit may keep another owner on a recorded exception (BY-28)."""
    flags: tuple[Flag, ...] = ()
    """Applies only to projects with these flags (YL-18b: 采购服务)."""


TerminationGroundKey = Literal["policy_change", "goals_unreachable", "om_object_stopped", "force_majeure"]


class TerminationGround(Param):
    """A ground on which a unit may file the termination of an approved project (BY-37.1, BY-37.4, YF-17b, DY-18b)."""

    key: TerminationGroundKey
    name_zh: StrictStr
    event_reason: Literal["policy_change", "unit_request", "force_majeure"]
    project_types: tuple[ProjectClass, ...] = ()
    """Only projects of these classes (BY-37.4: 运行维护类); empty = any."""


class Contracts(Frozen):
    gate_rules: tuple[RuleRef, ...] = ()
    """Nothing is procured without approval or the filing the pack allows (BY-23, DY-3.3, BZ-36)."""
    confidentiality_agreement: Param | None = None
    """A 保密协议 is signed with the contract and filed with it (BY-26b)."""
    data_terms: Param | None = None
    """The builder's contract states data-resource-management terms (BY-26a)."""
    personnel_register: Param | None = None
    """Suppliers' staff register under real name and sign security agreements, filed with the contract (BY-29.3b)."""
    ip_change: Param | None = None
    """A change that affects IP updates the IP types and application plan with it (BY-35a)."""
    upload_rules: tuple[RuleRef, ...] = ()
    """Where the pack sets no filing period, the rule that has contracts and changes uploaded (YL-20b)."""
    incident_reporting: Param | None = None
    """Serious delay or major investment loss is reported to the supervisors (BZ-26a)."""
    procurement_law: Param | None = None
    """A contract states how it was procured under procurement law (BZ-36)."""
    works_tender: Param | None = None
    """Construction works legally subject to bidding are tendered (BZ-37)."""
    internal_control: Param | None = None
    """Only outside the central catalogue and below the procurement limit may a unit buy under its own rules (BZ-39)."""
    final_accounts: Param | None = None
    """The completion final-accounts report is filed for the finance bureau's review; major projects audited first (BZ-40)."""
    ip_terms: tuple[IpTerms, ...] = ()
    termination_rules: tuple[RuleRef, ...] = ()
    """Termination only on the grounds below, by filing (BY-37, BY-38a)."""
    termination_grounds: tuple[TerminationGround, ...] = ()
    filing_deadline: Period | None = None
    filing_addressee: StrictStr | None = None
    filing_addressee_inferred: StrictBool = False
    supplementary_filing_deadline: Period | None = None
    max_years: StrictInt | None = None
    max_years_types: tuple[ProjectClass, ...] = ()
    max_years_flags: tuple[Flag, ...] = ()
    annual_contracts: StrictBool = False
    max_years_om_services: StrictBool = False
    """The term cap is for O&M service contracts only (BZ-38)."""
    max_years_rules: tuple[RuleRef, ...] = ()
    warranty_software: Period | None = None
    warranty_hardware: Period | None = None
    supplier_conflict: Param | None = None
    price_cap_basis: AmountBasis | None = None
    price_cap_rules: tuple[RuleRef, ...] = ()
    procurement_expert_line: Threshold | None = None


Effect = Literal[
    "unit_block", "review_suspension", "finance_hold", "terminate_project", "project_suspended",
    "cloud_block", "circular", "grade_imposed", "not_delivered", "budget_refused", "budget_adjustment_refused",
]
Trigger = Literal[
    "AcceptanceFailed", "AcceptancePassed", "AcceptanceFilingRejected", "RectificationOverdue", "ChangeDecided",
    "ComplianceOpinionIssued", "ProjectTerminated", "EvaluationCompleted", "SupervisionFindingRecorded",
    "DeadlineElapsed", "ChangeFiled",
]


class Release(Frozen):
    event: StrictStr | None = None
    when: dict[str, StrictStr | StrictBool | StrictInt] = {}
    after: Literal["end_of_next_year"] | None = None
    inferred: StrictBool = False

    @model_validator(mode="after")
    def _one(self) -> Release:
        if (self.event is None) == (self.after is None):
            raise ValueError("a release names either an event or an 'after' period")
        return self


class SanctionRule(Frozen):
    """A row of the sanction matrix (RULES.md §3.10.1) for this pack."""

    trigger: Trigger
    when: dict[str, StrictStr | StrictBool | StrictInt | tuple[StrictStr, ...]] = {}
    """Facts of the triggering event that must match, e.g. ``terminal = true``."""
    effect: Effect
    scope: StrictStr = Field(pattern=r"^[a-z][a-z0-9_]*$")
    hold_mode: Literal["hard", "advisory"] = "hard"
    rules: tuple[RuleRef, ...] = Field(min_length=1)
    overridable: StrictBool = False
    release: Release | None = None
    addressees: tuple[Literal["public", "discipline_commission", "organisation_department", "finance_bureau", "audit_bureau",
                              "development_reform", "data_bureau"], ...] = ()
    """Who a 通报 (effect ``circular``) is sent to (DY-25b: 纪委监委, 组织部, 财政局, 审计局)."""
    message_en: StrictStr
    message_zh: StrictStr


class TimerRule(Frozen):
    """A deadline notify holds (RULES.md §3.10.2)."""

    kind: StrictStr = Field(pattern=r"^[a-z][a-z0-9_]*$")
    starts_on: StrictStr
    when: dict[str, StrictStr | StrictBool | StrictInt] = {}
    period: Period | None = None
    fixed_date: StrictStr | None = Field(None, pattern=r"^\d{2}-\d{2}$")
    length_from_event: StrictBool = False
    """The period is set in the triggering order itself (BZ-43a 限期整改)."""
    opens: Period | None = None
    stops_on: tuple[StrictStr, ...] = ()
    at_expiry_en: StrictStr
    at_expiry_zh: StrictStr
    rules: tuple[RuleRef, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_length(self) -> TimerRule:
        given = sum(x for x in (self.period is not None, self.fixed_date is not None, self.length_from_event))
        if given != 1:
            raise ValueError("a timer has exactly one of period, fixed_date, length_from_event")
        return self


class Overridable(Frozen):
    rules: tuple[RuleRef, ...]
    """Rules marked 原则上 whose refusal a recorded override may set aside (A-10)."""


class CalendarUse(Frozen):
    extend_if_rest_day: StrictBool
    rules_note: StrictStr
    inferred: StrictBool = True


class Pack(Frozen):
    pack: PackInfo
    scope: Scope
    classification: Classification
    requirements: tuple[Requirement, ...]
    review: Review
    change: Change
    acceptance: Acceptance
    evaluation: Evaluation
    declaration: Declaration
    contracts: Contracts
    sanctions: tuple[SanctionRule, ...] = ()
    timers: tuple[TimerRule, ...] = ()
    overridable: Overridable
    prompt: Prompt
    calendar: CalendarUse

    @property
    def id(self) -> str:
        return self.pack.id

    @property
    def version(self) -> str:
        return self.pack.version

    @property
    def ref(self) -> tuple[str, str]:
        return (self.pack.id, self.pack.version)

    @model_validator(mode="after")
    def _consistent(self) -> Pack:
        keys = [(r.stage, r.key) for r in self.requirements]
        dupes = sorted({f"{s}.{k}" for s, k in keys if keys.count((s, k)) > 1})
        if dupes:
            raise ValueError(f"requirements: duplicate stage.key {dupes}")
        unknown = sorted({t for r in self.requirements for t in (r.when.project_types or ()) if t not in self.scope.project_types})
        if unknown:
            raise ValueError(f"requirements: project types {unknown} are not in scope.project_types")
        return self
