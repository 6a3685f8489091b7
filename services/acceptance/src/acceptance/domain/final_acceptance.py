"""Final acceptance (终验) of a project or sub-project: attempts and their outcome (BY-47)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from policy.packs import Pack
from policy.sanctions import final_review_outcome, final_review_pass_rule

Result = Literal["passed", "failed"]


class FinalReviewRefused(Exception):
    def __init__(self, code: str, message_en: str, message_zh: str, rule_ids: tuple[str, ...], field: str | None = None):
        super().__init__(message_en)
        self.code, self.message_en, self.message_zh, self.rule_ids, self.field = code, message_en, message_zh, rule_ids, field


@dataclass(frozen=True)
class FinalReview:
    attempt: int
    result: Result
    concluded_on: date
    terminal: bool
    rule_id: str
    reasons: tuple[str, ...] = ()


@dataclass
class FinalAcceptance:
    """The final reviews of one project or sub-project, in order."""

    pack: Pack
    reviews: list[FinalReview] = field(default_factory=list)

    @property
    def status(self) -> Literal["open", "passed", "terminated"]:
        if not self.reviews:
            return "open"
        last = self.reviews[-1]
        if last.result == "passed":
            return "passed"
        return "terminated" if last.terminal else "open"

    def conclude(self, result: Result, concluded_on: date, today: date, reasons: tuple[str, ...] = ()) -> FinalReview:
        acc = self.pack.acceptance
        review_rules = tuple(acc.passed_rules)
        if self.status == "passed":
            raise FinalReviewRefused(
                "already_passed", "Final acceptance has already passed", "该项目已通过终验", review_rules
            )
        if self.status == "terminated":
            raise FinalReviewRefused(
                "terminated",
                "The re-review failed and the project or sub-project was terminated; no further review",
                "复验未通过，项目或子项目已终止，不再组织验收",
                tuple(acc.terminal_rules[:1]) or tuple(acc.failed_rules),
            )
        if concluded_on > today:
            raise FinalReviewRefused(
                "concluded_in_future", f"concluded_on {concluded_on} is after today {today}",
                f"验收结论日期 {concluded_on} 晚于今天 {today}", review_rules, "concluded_on",
            )
        if self.reviews and concluded_on < self.reviews[-1].concluded_on:
            raise FinalReviewRefused(
                "concluded_before_previous",
                f"concluded_on {concluded_on} is before the previous review ({self.reviews[-1].concluded_on})",
                f"验收结论日期 {concluded_on} 早于上一次验收（{self.reviews[-1].concluded_on}）", review_rules, "concluded_on",
            )
        if result == "failed" and not reasons:
            raise FinalReviewRefused(
                "reasons_required", "A failed final review must state its reasons",
                "终验不通过须写明原因", tuple(acc.failed_rules), "reasons",
            )
        attempt = len(self.reviews) + 1
        if result == "failed":
            terminal, rule_id = final_review_outcome(self.pack, attempt)
        else:
            terminal, rule_id = False, final_review_pass_rule(self.pack)
        review = FinalReview(attempt, result, concluded_on, terminal, rule_id, reasons)
        self.reviews.append(review)
        return review
