"""The deployment's policy packs and working-day calendar, loaded once per process from settings."""

from __future__ import annotations

from dataclasses import dataclass

from policy.calendar import WorkingDayCalendar, build_calendar
from policy.packs import PackRegistry, install_registry, load_registry
from policy.schema import Pack

from servicekit.settings import ServiceSettings


@dataclass(frozen=True)
class LoadedPolicy:
    packs: PackRegistry
    pack: Pack
    """The deployment's pack (POLICY_PACK), newest version; projects keep the version they were declared under."""
    calendar: WorkingDayCalendar


_loaded: LoadedPolicy | None = None


def current() -> LoadedPolicy:
    """The policy this process loaded: event handlers reach the calendar here, as HTTP handlers
    reach it through the runtime."""
    if _loaded is None:
        raise RuntimeError("no policy loaded in this process: load_policy(settings) runs at service start")
    return _loaded


def load_policy(settings: ServiceSettings) -> LoadedPolicy:
    """Validate every pack and the calendar override file, and make the packs the process's registry.

    Raises ``PackError``, ``UnknownPack`` or ``CalendarDataError`` naming the file and field.
    """
    packs = load_registry(settings.policy_packs_dir)
    pack = packs.get(settings.policy_pack)
    calendar = build_calendar(settings.calendar_overrides_file, allow_provisional=settings.calendar_allow_provisional)
    install_registry(packs)
    global _loaded
    _loaded = LoadedPolicy(packs, pack, calendar)
    return _loaded
