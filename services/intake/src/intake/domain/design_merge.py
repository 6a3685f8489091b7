"""One 实施方案 in place of the feasibility study and the preliminary design (BZ-17): a 自行建设 project
whose preliminary work is deep enough may merge the two on one of the grounds (1)–(3). How deep is
the reviewers' call; which ground, and its evidence, the declaration states, so a merge that rests
on nothing never reaches review."""

from __future__ import annotations

from dataclasses import dataclass

from policy.schema import DesignMerge, Threshold, format_wan
from servicekit.problems import Problem

MERGED = "merged_design"
"""The flag the pack's document conditions read: 实施方案 owed, 可研 and 初设 not."""

@dataclass(frozen=True)
class MergeClaim:
    ground: str
    requiring_body: str | None = None
    document_title: str | None = None
    document_number: str | None = None
    has_document: bool = False
    reason: str | None = None


def merge_problems(claim: MergeClaim | None, flags: tuple[str, ...], rule: DesignMerge | None, line: Threshold | None,
                   total_yuan: int, pack_id: str) -> list[Problem]:
    """What is wrong with a declaration's merge, or with a merge flag that names no ground; empty when
    the merge stands (or none is claimed). ``total_yuan`` is the total investment the amount ground reads."""
    at = "design_merge"
    if claim is None:
        if MERGED in flags:
            return [Problem(at, "a merged 实施方案 names the ground it rests on (BZ-17.1–17.3)",
                            "合并编制项目实施方案须说明所依据的情形", rule.rules if rule else ())]
        return []
    if rule is None:
        return [Problem(at, f"pack {pack_id} has no merged 实施方案; the documents it names are handed in as they are",
                        f"{pack_id} 规定未设合并编制实施方案的情形，按规定分别报送材料", ())]
    problems = []
    missing = [flag for flag in rule.flags if flag not in flags]
    if missing:
        problems.append(Problem(at, f"only a project flagged {', '.join(missing)} (自行建设) merges its 可研 and 初设 into one 实施方案",
                                "仅自行建设项目可合并可行性研究报告和初步设计方案，编报项目实施方案", rule.rules))
    grounds = {ground.key: ground for ground in rule.grounds}
    ground = grounds.get(claim.ground)
    if ground is None:
        return problems + [Problem(f"{at}.ground", f"{claim.ground} is not a ground of pack {pack_id}: {', '.join(grounds)}",
                                   f"合并编制的情形应为 {'、'.join(g.name_zh for g in rule.grounds)} 之一", rule.rules)]
    rules = ground.rules
    if claim.ground == "higher_requirement":
        if claim.requiring_body is None:
            problems.append(Problem(f"{at}.requiring_body", "name who requires it: central (党中央、国务院), provincial (省委、省政府) "
                                    "or municipal (市委、市政府)", "须注明提出明确要求的机关：党中央、国务院，省委、省政府或市委、市政府", rules))
        if claim.document_title is None:
            problems.append(Problem(f"{at}.document_title", "the title of the document that states the requirement",
                                    "须填写提出明确要求的文件名称", rules))
        if claim.document_number is None:
            problems.append(Problem(f"{at}.document_number", "the number (文号) of the document that states the requirement",
                                    "须填写提出明确要求的文件文号", rules))
        if not claim.has_document:
            problems.append(Problem(f"{at}.document", "the document that states the requirement is attached",
                                    "须附提出明确要求的文件", rules))
    elif claim.requiring_body is not None:
        problems.append(Problem(f"{at}.requiring_body", "a requiring body belongs to the ground higher_requirement only",
                                "仅“有明确要求”的情形须注明提出要求的机关", rules))
    if claim.ground == "urgent_special_reason" and not claim.reason:
        problems.append(Problem(f"{at}.reason", "state the national-security or other special reason and why it is urgent",
                                "须说明涉及国家安全等特殊原因及情况紧急的理由", rules))
    if claim.ground == "small_investment" and line is not None and line.reached(total_yuan):
        problems.append(Problem(
            f"{at}.ground", f"the total investment {format_wan(total_yuan)} is above {format_wan(line.yuan)}: the merge rests on "
            "another ground (BZ-17.1, BZ-17.2), or the 可研 and 初设 are handed in separately",
            f"总投资 {format_wan(total_yuan)} 超过 {format_wan(line.yuan)}，不属于该情形；须符合其他情形，或分别报送可行性研究报告和初步设计方案",
            tuple(line.rules)))
    return problems
