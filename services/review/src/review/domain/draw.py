"""The random draw of review experts (BY-20.2b 随机抽取, BY-5.2b), made verifiable.

Before a draw the bureau publishes the SM3 of a secret seed (the commitment); at the draw the seed is
revealed with the list of eligible experts. Each expert's rank is SM3(seed ":" attempt ":" expert_id),
lowest first, so anyone holding the seed and the list re-runs the draw and gets the same experts,
and nobody could steer it without changing the committed seed.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from servicekit.audit import sm3_hex


def new_seed() -> str:
    return secrets.token_hex(32)


def commitment(seed: str) -> str:
    """What is published before the draw: the seed's SM3."""
    return sm3_hex(seed.encode("ascii"))


def rank(seed: str, attempt: int, expert_id: str) -> str:
    return sm3_hex(f"{seed}:{attempt}:{expert_id}".encode("utf-8"))


def draw(seed: str, attempt: int, candidates: Iterable[str], size: int) -> list[str]:
    """The ``size`` candidates ranked first for this seed and attempt; the order of ``candidates`` does not matter."""
    ordered = sorted(set(candidates), key=lambda expert_id: (rank(seed, attempt, expert_id), expert_id))
    return ordered[:size]


def verify(seed: str, published_commitment: str, attempt: int, candidates: Iterable[str], size: int, selected: Sequence[str]) -> bool:
    """Re-run a published draw: the seed matches what was committed and yields the same experts."""
    return commitment(seed) == published_commitment and draw(seed, attempt, candidates, size) == list(selected)


@dataclass(frozen=True)
class Expert:
    expert_id: str
    employer: str
    fields: tuple[str, ...]
    pools: tuple[str, ...]
    active: bool = True


@dataclass(frozen=True)
class Booking:
    expert_id: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Meeting:
    """What a draw is for, and who may not sit on it."""

    pool: str
    fields: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime
    conflicted_employers: tuple[str, ...]
    """The unit's, its suppliers', the scheme designer's."""
    involved_experts: tuple[str, ...]
    """Experts who reviewed, designed or advised on this project before."""


@dataclass(frozen=True)
class Exclusion:
    expert_id: str
    reason: str
    reason_zh: str


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


def eligibility(experts: Iterable[Expert], meeting: Meeting, bookings: Iterable[Booking],
                already: Iterable[str] = ()) -> tuple[list[str], list[Exclusion]]:
    """Who may be drawn, and why each other pool member may not: not in the pool or field, a
    conflict of interest, earlier involvement, booked for an overlapping meeting, already drawn or declined."""
    busy = {b.expert_id for b in bookings if overlaps(b.starts_at, b.ends_at, meeting.starts_at, meeting.ends_at)}
    taken = set(already)
    conflicted = {e.strip() for e in meeting.conflicted_employers if e.strip()}
    eligible, excluded = [], []
    for expert in experts:
        if meeting.pool not in expert.pools:
            continue  # not a member of the pool drawn from: not listed at all
        if not expert.active:
            excluded.append(Exclusion(expert.expert_id, "inactive", "已停用"))
        elif meeting.fields and not set(meeting.fields) & set(expert.fields):
            excluded.append(Exclusion(expert.expert_id, "field", "专业领域不符"))
        elif expert.employer in conflicted:
            excluded.append(Exclusion(expert.expert_id, "conflict_employer", "与项目单位、供应商或方案编制单位存在利害关系"))
        elif expert.expert_id in meeting.involved_experts:
            excluded.append(Exclusion(expert.expert_id, "involved", "曾参与本项目"))
        elif expert.expert_id in taken:
            excluded.append(Exclusion(expert.expert_id, "already_drawn", "本次评审已抽取或已谢绝"))
        elif expert.expert_id in busy:
            excluded.append(Exclusion(expert.expert_id, "booked", "同一时段已参加其他评审"))
        else:
            eligible.append(expert.expert_id)
    return sorted(eligible), excluded
