"""A case's way through review: the steps its pack and track require (BY-20, YF-8, BZ-21, DY-10.3,
YL-12), what an opinion does at each, and when failures end the project (BY-22.11–22.13).

Plain functions over plain data: the service stores the state, this module decides the moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PLAN_REVIEW = "plan_review"
APPROVAL = "approval"

SCHEME_STAGE_NAMES = {
    "initial_review": "initial", "expert_review": "expert", "cost_review": "cost", "co_review": "co_review",
    "finance_review": "finance", "committee_review": "committee", "external_approval": "external",
}
"""A step's key in the pack → the stage ``ReviewStageCompletedV2`` publishes."""

Awaiting = Literal["bureau", "unit", "nobody"]


@dataclass(frozen=True)
class Move:
    """What one opinion does to a case."""

    outcome: Literal["next_stage", "resubmit", "rejected", "plan_passed", "micro_passed", "approval_due"]
    stage: str
    """The stage the case is at afterwards."""
    awaiting: Awaiting
    final_stage: bool = False
    """The opinion was on the last review stage before approval (BY-21: the unit files the final scheme)."""


def next_stage(path: list[str], stage: str) -> str | None:
    at = path.index(stage)
    return path[at + 1] if at + 1 < len(path) else None


def after_opinion(path: list[str], stage: str, passed: bool, rejected: bool, micro: bool) -> Move:
    """The move an opinion makes. ``rejected``: the failure exhausted the stage's rounds (decided by
    the pack's round limit, policy.review.after_failed_round)."""
    if not passed:
        if rejected:
            return Move("rejected", stage, "nobody")
        return Move("resubmit", stage, "unit")
    following = next_stage(path, stage)
    if stage == PLAN_REVIEW:
        if micro or following is None:
            # BY-19.1a: a 小微 project procures after plan review, filing a 项目备案表
            return Move("micro_passed", stage, "nobody")
        return Move("plan_passed", following, "unit")
    if following is None or following == APPROVAL:
        return Move("approval_due", APPROVAL, "bureau", final_stage=True)
    return Move("next_stage", following, "bureau")


def approval_ceiling(plan_amount_fen: int | None, reviewed_amount_fen: int | None, declared_fen: int) -> tuple[int, str]:
    """The most an approval may grant, and which amount sets it: the cost review's (DY-11b, BY-20.3),
    else the plan review's (BY-17.2b), else what was declared."""
    if reviewed_amount_fen is not None:
        return reviewed_amount_fen, "reviewed_amount"
    if plan_amount_fen is not None:
        return plan_amount_fen, "plan_review_amount"
    return declared_fen, "declared_amount"
