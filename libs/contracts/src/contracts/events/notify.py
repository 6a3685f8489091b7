"""Events published by the notify context (deadlines, notifications)."""

__all__: list[str] = []
