"""Lookup of event classes by their CloudEvents type."""

from __future__ import annotations

from contracts.base import Event

_REGISTRY: dict[str, type[Event]] = {}


def register(cls: type[Event]) -> type[Event]:
    """Class decorator: make an event type resolvable from a message's ``ce-type``."""
    existing = _REGISTRY.get(cls.TYPE)
    if existing is not None and existing is not cls:
        raise ValueError(f"{cls.TYPE} is registered twice ({existing.__name__}, {cls.__name__})")
    _REGISTRY[cls.TYPE] = cls
    return cls


def event_class(event_type: str) -> type[Event]:
    import contracts.events  # noqa: F401  (populates the registry)

    return _REGISTRY[event_type]


def all_events() -> list[type[Event]]:
    import contracts.events  # noqa: F401

    return sorted(_REGISTRY.values(), key=lambda cls: cls.TYPE)
