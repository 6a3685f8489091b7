"""Events published by the review context (review rounds, approvals)."""

__all__: list[str] = []
