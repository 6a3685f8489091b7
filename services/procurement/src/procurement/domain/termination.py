"""On which grounds a unit may file the termination of an approved project (BY-37, BY-38a, YF-17b, DY-18b)."""

from __future__ import annotations

from policy.schema import Pack, TerminationGround

from servicekit.problems import Problem


def ground_for(pack: Pack, key: str, project_class: str | None) -> TerminationGround | Problem:
    """The pack's ground ``key`` if it allows this project to end, else what is wrong."""
    rules = pack.contracts.termination_rules or pack.contracts.gate_rules
    grounds = pack.contracts.termination_grounds
    if not grounds:
        return Problem("ground", "this pack lets no unit terminate a project by filing; termination follows its own procedure",
                       "本地规定未设项目单位报备终止的情形，须按规定程序办理", rules, status=409)
    ground = next((g for g in grounds if g.key == key), None)
    if ground is None:
        allowed = ", ".join(g.key for g in grounds)
        return Problem("ground", f"{key!r} is not a ground for termination; allowed: {allowed}",
                       f"“{key}”不属于可终止的情形，可选：{'、'.join(g.name_zh for g in grounds)}", rules)
    if ground.project_types and project_class not in ground.project_types:
        return Problem("ground", f"{key} applies only to {', '.join(ground.project_types)} projects, not {project_class}",
                       f"“{ground.name_zh}”仅适用于{', '.join(ground.project_types)}项目", ground.rules)
    return ground
