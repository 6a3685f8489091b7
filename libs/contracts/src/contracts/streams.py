"""JetStream streams: one per bounded context plus ``FINANCE`` for the finance-system exchange.

Every subject is ``<context>.<aggregate>.<event>.v<N>``; a stream owns ``<context>.>``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StreamSpec:
    name: str
    context: str
    description: str

    @property
    def subjects(self) -> list[str]:
        return [f"{self.context}.>"]


INTAKE = StreamSpec("INTAKE", "intake", "Units, plans, declarations and unit standing")
REVIEW = StreamSpec("REVIEW", "review", "Review rounds, drawn experts and approvals")
PROCUREMENT = StreamSpec("PROCUREMENT", "procurement", "Contracts, changes and termination")
ACCEPTANCE = StreamSpec("ACCEPTANCE", "acceptance", "Acceptance, filing, rectification and evaluation")
NOTIFY = StreamSpec("NOTIFY", "notify", "Deadlines and notifications")
FINANCE = StreamSpec("FINANCE", "finance", "Finance holds and payment clearance with the finance system")

STREAMS: tuple[StreamSpec, ...] = (INTAKE, REVIEW, PROCUREMENT, ACCEPTANCE, NOTIFY, FINANCE)

DUPLICATE_WINDOW_SECONDS = 2 * 60 * 60
"""JetStream drops a republished ``Nats-Msg-Id`` seen within this window (at least an hour)."""


def stream_for_subject(subject: str) -> StreamSpec:
    context = subject.split(".", 1)[0]
    for stream in STREAMS:
        if stream.context == context:
            return stream
    raise KeyError(f"no stream owns subject {subject!r}")
