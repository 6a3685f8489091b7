"""A project led by one department with others (跨部门项目, BZ-22, YL-9): each participant states its
part, and no two parts say the same thing (no overlapping content)."""

from __future__ import annotations

from collections.abc import Sequence

from servicekit.problems import Problem

from intake.domain.findings import SIMILAR, similarity


def participant_problems(lead_unit: str, parts: Sequence[tuple[str, str]], rules: tuple[str, ...]) -> list[Problem]:
    """``parts``: (unit_id, scope) of each participant, in the order given."""
    problems = []
    seen: dict[str, int] = {}
    for i, (unit_id, scope) in enumerate(parts):
        if unit_id == lead_unit:
            problems.append(Problem(f"participants[{i}].unit_id", "the lead department is not one of its own participants",
                                    "牵头部门不必列为参与部门", rules))
        elif unit_id in seen:
            problems.append(Problem(f"participants[{i}].unit_id", f"{unit_id} is listed twice (first at {seen[unit_id]})",
                                    f"参与部门 {unit_id} 重复列出", rules))
        else:
            seen[unit_id] = i
        for j, (_, earlier) in enumerate(parts[:i]):
            if similarity(scope, earlier) >= SIMILAR:
                problems.append(Problem(f"participants[{i}].scope", f"this part overlaps participant {j}'s; define each "
                                        "department's own content", f"与第 {j + 1} 个参与部门的建设内容重叠，须明确各自范围", rules))
                break
    return problems
