"""What a check found wrong with a request, as a plain value the domain code returns: the field, the
rule, the words in both languages, and whether it is bad content (422) or a state that refuses (409).
``servicekit.errors.refuse`` turns a list of them into the error a person reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    field: str
    en: str
    zh: str
    rule_ids: tuple[str, ...]
    status: int = 422

    def as_dict(self) -> dict[str, object]:
        return {"field": self.field, "message": self.en, "message_zh": self.zh, "rule_ids": list(self.rule_ids)}


def leading(problems: Sequence[Problem]) -> Problem | None:
    """The problem to lead with: a state that refuses before content errors."""
    return sorted(problems, key=lambda p: p.status != 409)[0] if problems else None


def yuan(amount_fen: int) -> str:
    """An amount for a person: 元 with thousands separators, fen only when there are any."""
    whole, fen = divmod(amount_fen, 100)
    return f"{whole:,}元" if fen == 0 else f"{whole:,}.{fen:02d}元"
