"""Classification: in scope or not, the regime, the track and who approves (RULES.md §1.2, §2).

Regimes: 审批制 ``approval``, 备案制 ``filing``, 自行管理 ``self_managed`` (below a pack's floor,
the unit manages the project itself), ``outside`` (the pack does not apply). Tracks inside the
approval path: 普通立项 ``ordinary``, 简易立项 ``simplified``, 小微 ``micro``.
"""

from __future__ import annotations

from policy.conditions import threshold_words
from policy.decisions import Decision, Reason, ThresholdCheck, rules_of
from policy.facts import PolicyInputError, ProjectFacts
from policy.schema import Pack, Regime, Track

REGIME_ZH = {"approval": "审批制", "filing": "备案制", "self_managed": "自行管理", "outside": "不适用本办法"}
TRACK_ZH = {"ordinary": "普通立项", "simplified": "简易立项", "micro": "小微项目"}


class ClassificationDecision(Decision):
    in_scope: bool
    regime: Regime
    track: Track | None
    approval_authority: str | None
    approval_authority_zh: str | None
    thresholds: tuple[ThresholdCheck, ...]
    excluded_by: str | None = None

    @property
    def regime_zh(self) -> str:
        return REGIME_ZH[self.regime]


def check_project_type(pack: Pack, project_type: str, field: str = "project_type") -> None:
    """BY-4 and its kin: a project has exactly one class, from its pack's taxonomy."""
    if project_type not in pack.scope.project_types:
        raise PolicyInputError(
            field,
            f"{project_type} is not a project type of pack {pack.id}@{pack.version};"
            f" its types are {', '.join(pack.scope.project_types)}",
            f"{project_type} 不是 {pack.id}@{pack.version} 的项目类型，应为 {'、'.join(pack.scope.project_types)} 之一",
            pack.scope.project_types_rules,
        )


def classify(pack: Pack, facts: ProjectFacts) -> ClassificationDecision:
    """Scope, regime, track and approver of a project under ``pack``."""
    check_project_type(pack, facts.project_type)
    checks: list[ThresholdCheck] = []
    reasons: list[Reason] = []
    inputs = facts.model_dump(mode="json", exclude_none=True)
    base = {"pack_id": pack.id, "pack_version": pack.version, "inputs": inputs}

    def done(in_scope: bool, regime: Regime, track: Track | None, authority: tuple[str, str] | None,
             excluded_by: str | None = None) -> ClassificationDecision:
        return ClassificationDecision(
            **base, in_scope=in_scope, regime=regime, track=track,
            approval_authority=authority[0] if authority else None, approval_authority_zh=authority[1] if authority else None,
            thresholds=tuple(checks), reasons=tuple(reasons), excluded_by=excluded_by,
            rule_ids=rules_of(*(r.rule_ids for r in reasons)),
        )

    for exclusion in pack.scope.exclusions:
        if exclusion.key in facts.exclusions:
            reasons.append(Reason(rule_ids=exclusion.rules, en=f"excluded from the pack: {exclusion.key}",
                                  zh=f"不适用本办法：{exclusion.key}", inferred=exclusion.inferred))
            return done(False, "outside", None, None, exclusion.key)

    scope = pack.scope
    if facts.funding_source not in scope.funding_sources:
        reasons.append(Reason(
            rule_ids=scope.funding_rules, inferred=scope.funding_inferred,
            en=f"funding source {facts.funding_source} is outside the pack's scope ({', '.join(scope.funding_sources)})",
            zh=f"资金来源 {facts.funding_source} 不在本办法适用范围内",
        ))
        return done(False, "outside", None, None, "funding_source")

    if scope.floor is not None:
        check = ThresholdCheck.apply(scope.floor, facts.amounts)
        checks.append(check)
        en, zh = threshold_words(check)
        if not check.reached:
            regime: Regime = "outside" if scope.below_floor == "outside" else "self_managed"
            duty = {
                "self_managed_with_filing": ("the unit manages it itself and files its documents", "项目单位自行实施，并报备相关材料"),
                "self_managed": ("the unit manages it itself; nothing is filed", "项目单位自行管理，无需备案"),
                "outside": ("the pack does not manage it", "不纳入本办法管理"),
            }[scope.below_floor or "outside"]
            reasons.append(Reason(rule_ids=rules_of(scope.floor.rules, scope.below_floor_rules), inferred=check.inferred,
                                  en=f"below the scope floor: {en}; {duty[0]}", zh=f"低于适用起点：{zh}；{duty[1]}"))
            return done(False, regime, None, None)
        reasons.append(Reason(rule_ids=scope.floor.rules, en=f"within scope: {en}", zh=f"纳入管理：{zh}", inferred=check.inferred))

    cls = pack.classification
    regime = cls.default_regime
    regime_rules = cls.default_regime_rules
    if cls.approval_line is not None:
        if facts.project_type in cls.approval_line.project_types:
            check = ThresholdCheck.apply(cls.approval_line.line, facts.amounts)
            checks.append(check)
            en, zh = threshold_words(check)
            regime = "approval" if check.reached else "filing"
            regime_rules = cls.approval_line.rules if check.reached else cls.default_regime_rules
            reasons.append(Reason(rule_ids=regime_rules, en=f"{REGIME_ZH[regime]} ({regime}): {en}", zh=f"{REGIME_ZH[regime]}：{zh}"))
        elif facts.project_type in cls.filing_types:
            regime = "filing"
            reasons.append(Reason(rule_ids=cls.default_regime_rules,
                                  en=f"{facts.project_type} projects are filed (备案制) at any amount in scope",
                                  zh=f"{facts.project_type} 类项目不论金额均实行备案制"))
    if facts.funding_source == "non_fiscal" and cls.non_fiscal_regime != regime:
        regime = "filing" if cls.non_fiscal_regime == "filing" else regime
        reasons.append(Reason(rule_ids=scope.funding_rules, en="non-fiscal funds: filing regime (备案制)",
                              zh="非财政资金项目实行备案制"))
    if cls.approval_line is None:
        reasons.append(Reason(rule_ids=regime_rules, en=f"{REGIME_ZH[regime]} ({regime})", zh=REGIME_ZH[regime]))

    track: Track | None = None
    authority: tuple[str, str] | None = None
    if regime == "approval":
        track = "ordinary"
        if cls.micro is not None:
            check = ThresholdCheck.apply(cls.micro, facts.amounts)
            checks.append(check)
            en, zh = threshold_words(check)
            if not check.reached:
                track, regime = "micro", "filing"
                reasons.append(Reason(rule_ids=cls.micro.rules, en=f"小微 project: {en}; plan review, then filing without a scheme",
                                      zh=f"小微项目：{zh}；计划审核通过后备案，无需编制立项方案"))
            else:
                reasons.append(Reason(rule_ids=cls.micro.rules, en=f"not 小微: {en}", zh=f"非小微项目：{zh}"))
        renewal = cls.simplified_renewal
        if track == "ordinary" and renewal is not None and facts.project_type in renewal.project_types \
                and "identical_om_renewal" in facts.flags:
            check = ThresholdCheck.apply(renewal.limit, facts.amounts)
            checks.append(check)
            en, zh = threshold_words(check)
            if not check.reached:
                track = "simplified"
                reasons.append(Reason(rule_ids=renewal.rules, en=f"简易立项: identical O&M renewal, {en}; no expert review",
                                      zh=f"简易立项：运维内容和金额与上期一致，{zh}；无需专家评审"))
            else:
                reasons.append(Reason(rule_ids=renewal.rules, en=f"identical O&M renewal above the simplified limit: {en}",
                                      zh=f"运维续期超过简易立项上限：{zh}"))
        if track != "micro":
            authority = (cls.approval_authority, cls.approval_authority_zh)
            if cls.higher_authority is not None:
                check = ThresholdCheck.apply(cls.higher_authority.line, facts.amounts)
                checks.append(check)
                en, zh = threshold_words(check)
                if check.reached:
                    authority = (cls.higher_authority.authority, cls.higher_authority.authority_zh)
                    reasons.append(Reason(rule_ids=cls.higher_authority.rules, en=f"approved by {authority[0]}: {en}",
                                          zh=f"报{authority[1]}：{zh}"))
        if cls.merge_design_line is not None and "self_build" in facts.flags:
            check = ThresholdCheck.apply(cls.merge_design_line, facts.amounts)
            checks.append(check)
            en, zh = threshold_words(check)
            if not check.reached:
                reasons.append(Reason(rule_ids=cls.merge_design_line.rules,
                                      en=f"the feasibility study and preliminary design may merge into one 实施方案: {en}",
                                      zh=f"可研和初步设计可合并编制实施方案：{zh}"))
            else:
                reasons.append(Reason(rule_ids=cls.merge_design_line.rules,
                                      en=f"the feasibility study and preliminary design are separate: {en}",
                                      zh=f"可研和初步设计分别编制：{zh}"))
    elif regime == "filing":
        authority = (cls.approval_authority, cls.approval_authority_zh)
    return done(True, regime, track, authority)
