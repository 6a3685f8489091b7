"""What a check found wrong with a request, naming the field and the rule, in both languages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    field: str
    en: str
    zh: str
    rule_ids: tuple[str, ...]
    status: int = 422
    """422 when the request's content is wrong, 409 when the project's state refuses it."""

    def as_dict(self) -> dict[str, object]:
        return {"field": self.field, "message": self.en, "message_zh": self.zh, "rule_ids": list(self.rule_ids)}


def yuan(amount_fen: int) -> str:
    """An amount for a person: 元 with thousands separators, fen only when there are any."""
    whole, fen = divmod(amount_fen, 100)
    return f"{whole:,}元" if fen == 0 else f"{whole:,}.{fen:02d}元"
