"""Loading and choosing policy packs.

Packs are TOML files (``policy/data/packs`` ships the five jurisdictions; an administrator may add
versions in ``POLICY_PACKS_DIR``). A pack is validated completely when it is loaded: its shape,
every rule ID it cites against the catalogue, and that it cites only its own jurisdiction. A
broken pack raises :class:`PackError` naming the file and the field, and since every service
resolves its pack at start, nothing starts on one.

A project keeps the pack version in force when it was declared (:meth:`PackRegistry.in_force`),
and every later decision about it uses that version, whatever the deployment's default is by then.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
import types
from typing import Any, Literal, Union, get_args, get_origin
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from policy.schema import Pack

__all__ = ["Pack", "PackError", "PackNotInForce", "PackRegistry", "UnknownPack", "default_registry", "get_pack",
           "install_registry", "load_pack", "load_registry"]

PACKS_DIR_ENV = "POLICY_PACKS_DIR"
BUSINESS_TZ = ZoneInfo("Asia/Shanghai")


class PackError(ValueError):
    """A pack file that cannot be used; the message names the file and the field."""


class UnknownPack(LookupError):
    pass


class PackNotInForce(LookupError):
    """No version of the pack was in force on the date asked (A-32)."""


@cache
def rule_catalogue() -> frozenset[str]:
    text = resources.files("policy.data").joinpath("rule_ids.tsv").read_text(encoding="utf-8")
    return frozenset(line.split("\t", 1)[0] for line in text.splitlines() if line and not line.startswith("#"))


def _rule_refs(node: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every rule ID the raw pack data cites, with its dotted path (keys ``rules`` and ``*_rules``)."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            where = f"{path}.{key}" if path else str(key)
            if (key == "rules" or str(key).endswith("_rules")) and isinstance(value, list):
                for i, item in enumerate(value):
                    yield f"{where}[{i}]", item
            else:
                yield from _rule_refs(value, where)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _rule_refs(item, f"{path}[{i}]")


def _error_path(loc: tuple[Any, ...]) -> str:
    """Pydantic's location as the pack file spells it: ``requirements[3].when.at_least.yuan``."""
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1]}[{item}]"] if parts else [f"[{item}]"]
        else:
            parts.append(str(item))
    return ".".join(parts) or "(pack)"


def load_pack(text: str, *, source: str) -> Pack:
    """Parse and validate one pack file's text; raises :class:`PackError`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PackError(f"{source}: not valid TOML: {exc}") from None
    try:
        pack = Pack.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            field = _error_path(tuple(err["loc"]))
            given = err.get("input")
            shown = "" if isinstance(given, (dict, list)) else f" (given: {given!r})"
            problems.append(f"{field}: {err['msg']}{shown}")
        raise PackError(f"{source}: invalid pack: " + "; ".join(problems)) from None
    catalogue = rule_catalogue()
    problems = []
    for where, rule in _rule_refs(data, ""):
        if rule not in catalogue:
            problems.append(f"{where}: unknown rule ID {rule!r}")
        elif not rule.startswith(f"{pack.id}-"):
            problems.append(f"{where}: rule {rule} belongs to another jurisdiction than {pack.id}")
    overridable = set(pack.overridable.rules)
    for i, sanction in enumerate(pack.sanctions):
        if sanction.overridable and not overridable.intersection(sanction.rules):
            problems.append(f"sanctions[{i}].overridable: none of {list(sanction.rules)} is listed in overridable.rules (原则上)")
    for i, req in enumerate(pack.requirements):
        if req.overridable and not overridable.intersection(req.rules):
            problems.append(f"requirements[{i}].overridable: none of {list(req.rules)} is listed in overridable.rules (原则上)")
    problems += _event_fact_problems(pack)
    if problems:
        raise PackError(f"{source}: invalid pack: " + "; ".join(problems))
    return pack


DERIVED_FACTS = {
    "contract_filed": "procurement knows whether the project has a filed contract (BY-37.3)",
    "project_class": "the owning service knows the project's class",
    "regime": "the owning service knows the project's regime",
    "after_the_fact": "procurement knows whether a budget adjustment follows an unapproved change (BZ-25b)",
}
"""Facts a service adds to an event's own fields before asking the pack, from what it keeps."""


def _event_fact_problems(pack: Pack) -> list[str]:
    """A ``when`` must name fields of the triggering event (or a derived fact) with values it can carry;
    a misspelt grade or kind would otherwise never match and the sanction would silently never apply."""
    from contracts.registry import all_events

    classes = {cls.__name__: cls for cls in all_events()}
    problems: list[str] = []
    rows = [(f"sanctions[{i}]", rule.trigger, rule.when) for i, rule in enumerate(pack.sanctions)]
    rows += [(f"timers[{i}]", rule.starts_on, rule.when) for i, rule in enumerate(pack.timers)]
    for where, event_name, when in rows:
        cls = classes.get(event_name)
        if cls is None:
            continue  # an event the platform does not publish yet (BatchOpened, OperationStarted …)
        for key, value in when.items():
            if key in DERIVED_FACTS:
                continue
            field = cls.model_fields.get(key)
            if field is None:
                problems.append(f"{where}.when.{key}: {event_name} has no field {key!r}")
                continue
            allowed = _literal_values(field.annotation)
            given = value if isinstance(value, (list, tuple)) else [value]
            wrong = [v for v in given if allowed and v not in allowed]
            if wrong:
                problems.append(f"{where}.when.{key}: {wrong} not among {event_name}.{key} values {sorted(map(str, allowed))}")
    return problems


def _literal_values(annotation: Any) -> set[Any]:
    args = get_args(annotation) if get_origin(annotation) in (Union, types.UnionType) else (annotation,)
    return {value for arg in args if get_origin(arg) is Literal for value in get_args(arg)}


def load_pack_file(path: Path) -> Pack:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PackError(f"{path}: cannot read pack file: {exc.strerror}") from None
    pack = load_pack(text, source=path.name)
    expected = f"{pack.id}-{pack.version}.toml"
    if path.name != expected:
        raise PackError(f"{path.name}: pack.id and pack.version say this file should be named {expected}")
    return pack


class PackRegistry:
    """Every pack version the deployment knows, by id and version."""

    def __init__(self, packs: Iterable[Pack]) -> None:
        self._packs: dict[tuple[str, str], Pack] = {}
        for pack in packs:
            if pack.ref in self._packs:
                raise PackError(f"pack {pack.id}@{pack.version} is defined twice")
            self._packs[pack.ref] = pack

    def __iter__(self) -> Iterator[Pack]:
        return iter(sorted(self._packs.values(), key=lambda p: (p.id, p.pack.valid_from or date.max)))

    def versions(self, pack_id: str) -> list[Pack]:
        return [p for p in self if p.id == pack_id]

    def get(self, pack_id: str, version: str | None = None, *, on: date | None = None) -> Pack:
        """A pack by id and version; without a version, the one a deployment running ``pack_id``
        uses ``on`` that day (today in Asia/Shanghai): in force, else the last lapsed one, else a draft,
        so an administrator adding a future version does not switch the deployment early."""
        if version is None:
            return self.in_force(pack_id, on or datetime.now(BUSINESS_TZ).date(), allow_lapsed=True, allow_draft=True)
        pack = self._packs.get((pack_id, version))
        if pack is None:
            known = sorted(f"{p.id}@{p.version}" for p in self._packs.values())
            raise UnknownPack(f"no policy pack {pack_id}@{version}; known: {known}")
        return pack

    def in_force(self, pack_id: str, on: date, *, allow_lapsed: bool = False, allow_draft: bool = False) -> Pack:
        """The version of ``pack_id`` a project declared ``on`` that day is judged by.

        An expired or ended-trial text has no version in force after its end (A-32); a deployment
        that still runs it says so with ``allow_lapsed`` and gets the last version. A draft is in
        force nowhere until published, unless the deployment opts in with ``allow_draft``.
        """
        candidates = self.versions(pack_id)
        if not candidates:
            known = sorted({p.id for p in self._packs.values()})
            raise UnknownPack(f"no policy pack {pack_id}; known: {known}")
        dated = [p for p in candidates if p.pack.valid_from is not None and p.pack.valid_from <= on]
        current = [p for p in dated if p.pack.valid_to is None or on <= p.pack.valid_to]
        if current:
            return current[-1]
        if allow_lapsed and dated:
            return dated[-1]
        drafts = [p for p in candidates if p.pack.status == "draft"]
        if allow_draft and drafts:
            return drafts[-1]
        spans = ", ".join(f"{p.version}: {p.pack.valid_from or 'unpublished draft'} … {p.pack.valid_to or 'open'}" for p in candidates)
        raise PackNotInForce(f"no version of pack {pack_id} was in force on {on.isoformat()} ({spans})")


def bundled_pack_files() -> list[Path]:
    directory = resources.files("policy.data").joinpath("packs")
    return sorted(Path(str(entry)) for entry in directory.iterdir() if entry.name.endswith(".toml"))


def load_registry(extra_dir: Path | None = None) -> PackRegistry:
    files = bundled_pack_files()
    if extra_dir is not None:
        if not extra_dir.is_dir():
            raise PackError(f"{PACKS_DIR_ENV}={extra_dir} is not a directory")
        files += sorted(extra_dir.glob("*.toml"))
    return PackRegistry(load_pack_file(path) for path in files)


_installed: PackRegistry | None = None


def install_registry(registry: PackRegistry) -> None:
    """Make ``registry`` the process's packs: a service loads them from its settings at start."""
    global _installed
    _installed = registry


@cache
def _from_environment() -> PackRegistry:
    extra = os.environ.get(PACKS_DIR_ENV)
    return load_registry(Path(extra) if extra else None)


def default_registry() -> PackRegistry:
    return _installed if _installed is not None else _from_environment()


def get_pack(pack_id: str, version: str | None = None) -> Pack:
    return default_registry().get(pack_id, version)
