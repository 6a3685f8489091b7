"""Sample events shared by the tests: one project event, one unit-level, one finance exchange."""

from datetime import date, datetime, timezone

import pytest

from contracts.base import Event, PackRef
from contracts.events import (
    AcceptanceFailed,
    DeadlineElapsed,
    PaymentClearanceAnswered,
    RectificationOverdue,
    StandingBlock,
    UnitStandingChanged,
)

AT = datetime(2025, 3, 4, 9, 30, tzinfo=timezone.utc)
PACK = PackRef(id="BY", version="2024.1")


def _samples() -> list[Event]:
    return [
        AcceptanceFailed(
            project_id="P-2025-0001",
            unit_id="U-017",
            pack=PACK,
            attempt=2,
            terminal=True,
            rule_id="BY-47.3b",
            concluded_on=date(2025, 3, 3),
            recorded_at=AT,
            reasons=["re-review failed: 功能未达标"],
        ),
        UnitStandingChanged(
            unit_id="U-017",
            change="placed",
            changed_block_ids=["B-1"],
            blocks=[
                StandingBlock(
                    block_id="B-1",
                    scope="project_class",
                    project_class="build_develop",
                    rule_ids=["BY-53.2"],
                    project_id="P-2024-0042",
                    cause_event_id="e-1",
                    cause_event_type="acceptance.evaluation.completed.v1",
                    placed_at=AT,
                    until=date(2026, 12, 31),
                )
            ],
            reviews_suspended=False,
            changed_at=AT,
        ),
        RectificationOverdue(
            unit_id="U-017",
            source="supervision",
            reason="overdue",
            finding_id="F-9",
            cause_event_id="e-2",
            rule_ids=["BZ-43b"],
            detected_at=AT,
        ),
        DeadlineElapsed(
            deadline_id="D-2025-batch",
            kind="batch_close",
            reference_id="batch-2026",
            rule_ids=["BY-14a"],
            due_at=AT,
        ),
        PaymentClearanceAnswered(
            request_id="fin-77",
            project_id="P-2025-0001",
            answer="blocked",
            rule_ids=["BY-48d"],
            hold_ids=["H-3"],
            ledger_as_of=AT,
            answered_at=AT,
        ),
    ]


@pytest.fixture(params=_samples(), ids=lambda event: type(event).__name__)
def sample_event(request: pytest.FixtureRequest) -> Event:
    return request.param
