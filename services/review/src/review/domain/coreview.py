"""Co-review (会审) by other bodies and the committee's make-up: who is asked, what a step waits for
(BY-5.5, BY-5.6, BZ-9, BZ-20, YL-4.5, YL-4.7), and whether a committee has its share of experts (BZ-5b)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Asked:
    body: str
    name_zh: str
    before: str
    rule_ids: tuple[str, ...]


def _fits(co_reviewer, flags: Iterable[str]) -> bool:
    return set(co_reviewer.flags) <= set(flags)


def bodies_to_ask(co_reviewers: Iterable, topics: Iterable[str], invited: Iterable[tuple[str, str]] = (),
                  invite_rules: tuple[str, ...] = (), flags: Iterable[str] = ()) -> list[Asked]:
    """The pack's co-reviewers whose remit the project touches (always, or by topic) and whose flags it
    carries, plus the professional departments the bureau invites (BY-5.6). A body asked only after a
    step has passed (BZ-9) waits for ``bodies_due_after``."""
    wanted, flags = set(topics), set(flags)
    asked = [Asked(c.body, c.name_zh, c.before, tuple(c.rules)) for c in co_reviewers
             if c.after is None and _fits(c, flags) and (not c.topics or wanted & set(c.topics))]
    known = {a.body for a in asked}
    asked += [Asked(body, name_zh, "approval", invite_rules) for body, name_zh in invited if body not in known]
    return asked


def bodies_due_after(co_reviewers: Iterable, step: str, flags: Iterable[str]) -> list[Asked]:
    """The bodies a passed ``step`` sends the project to: BZ-9, a city project the counties share in goes
    to 市政府审定 once 领导小组办公室 has reviewed it."""
    return [Asked(c.body, c.name_zh, c.before, tuple(c.rules)) for c in co_reviewers if c.after == step and _fits(c, flags)]


@dataclass(frozen=True)
class Opinion:
    body: str
    name_zh: str
    before: str
    result: str | None
    rule_ids: tuple[str, ...]


WAITED_BY = {"co_review": ("committee_review",), "committee_review": ("committee_review",), "approval": ("committee_review", "approval")}


def outstanding(opinions: Sequence[Opinion], step: str) -> tuple[list[Opinion], list[Opinion]]:
    """For ``step``: the opinions still missing and those that object. BZ-20: 审委会 does not sit
    without every written opinion; an approval rests on every opinion asked for."""
    waited = WAITED_BY.get(step, ())
    due = [o for o in opinions if o.before in waited]
    return [o for o in due if o.result is None], [o for o in due if o.result == "objected"]


def committee_short_of_experts(share, experts: int, members: int) -> bool:
    """BZ-5b: experts make up at least the pack's share of the committee."""
    return share is not None and not share.met(experts, members)
