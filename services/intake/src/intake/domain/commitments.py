"""A project the bureau never approved that is already funded, or that county 党委/政府 documents
require, still applies for approval (DY-7). The application says which it is and names the
document, so the reviewers see the commitment they are asked to review against.

The 立项申请表 (DY-A1) asks the same two questions as ticks; the commitments named and the ticks
given must agree (reading 已落实财政资金 from 已列入本年度县级财政投资计划 is ours, see the pack)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from policy.schema import Param
from servicekit.problems import Problem

FORM_ANSWER = {"funded": "in_county_investment_plan", "mandated": "county_government_consent"}
"""Each kind of commitment and the DY-A1 question that answers it."""

WHAT = {
    "funded": ("the project is in this year's county fiscal investment plan (funds arranged)", "已列入本年度县级财政投资计划（已落实财政资金）",
               "the plan or budget document", "财政投资计划或预算文件"),
    "mandated": ("the county government agreed to build it", "已经县政府同意建设",
                 "the county 党委 or government document that requires it", "县委、县政府有关文件"),
}


def commitment_problems(kinds: Sequence[str], form_answers: Mapping[str, bool] | None, rule: Param | None,
                        pack_id: str) -> list[Problem]:
    """``kinds``: the commitments named, in order; ``form_answers``: the DY-A1 ticks, None without the form."""
    if rule is None:
        if kinds:
            return [Problem("commitments", f"pack {pack_id} asks for no commitment of an unapproved project",
                            f"{pack_id} 规定未要求说明未经审批项目的资金或文件依据", ())]
        return []
    rules = tuple(rule.rules)
    problems = []
    seen: set[str] = set()
    for i, kind in enumerate(kinds):
        if kind in seen:
            problems.append(Problem(f"commitments[{i}].kind", f"{kind} is named twice", "同一类依据重复填写", rules))
        seen.add(kind)
    if form_answers is None:
        return problems
    for kind, question in FORM_ANSWER.items():
        ticked, named = bool(form_answers.get(question)), kind in seen
        en, zh, document_en, document_zh = WHAT[kind]
        if ticked and not named:
            problems.append(Problem("commitments", f"the application form says {en}: the application names {document_en} "
                                    f"with its number and attaches it ({kind})", f"申请表填写{zh}，须注明{document_zh}的名称、文号并附文件", rules))
        elif named and not ticked:
            problems.append(Problem(f"forms.application_form.{question}", f"the commitments name {kind}, but the form says not: "
                                    f"{en}", f"已填写{document_zh}，申请表“{zh}”却选“否”", rules + ("DY-A1",)))
    return problems
