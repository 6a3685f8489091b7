"""Compatibility of event types with the schemas already published for them.

A type's version is a promise: its JetStream stream keeps messages written by older code,
consumers deployed earlier keep reading new messages, and the finance system is built by
someone else. So every published ``<type>.json`` under ``published/`` must stay readable
both ways: current code must accept stored messages, and old consumers must accept new ones.
A change that breaks this is a new type (``.v2``) published beside the old one.

    uv run python -m contracts.compat --snapshot   # add snapshots for new types (never overwrites)
    uv run python -m contracts.compat --check      # list breaking changes, exit 1 if any
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts.base import Event
from contracts.registry import all_events
from contracts.schema import dumps, event_schema

PUBLISHED_DIR = Path(__file__).parent / "published"
SNAPSHOT_COMMAND = "uv run python -m contracts.compat --snapshot"

Schema = dict[str, Any]

# Keywords that document a schema without changing which messages it accepts.
_ANNOTATIONS = frozenset({"title", "description", "examples", "default", "deprecated", "$comment", "$id", "$schema"})
_STRUCTURE = frozenset({"$defs", "$ref", "type", "enum", "const", "anyOf", "oneOf", "properties", "required", "items"})


@dataclass
class _Comparison:
    old_root: Schema
    new_root: Schema
    changes: list[str] = field(default_factory=list)
    active: set[tuple[str, str]] = field(default_factory=set)

    def report(self, path: str, message: str) -> None:
        self.changes.append(f"{path or '<root>'}: {message}")


def breaking_changes(old_schema: Schema, new_schema: Schema) -> list[str]:
    """What in ``new_schema`` would break a consumer of messages valid under ``old_schema``.

    Breaking: a field removed; a field's type changed; a constraint changed (narrowed, stored
    messages fail; widened, old consumers fail); null newly allowed or no longer allowed; a
    required field made optional or an optional one required; a new required field; enum
    values removed; and enum values *added*. Our enumerations are ``Literal`` fields that we
    produce, and a consumer that switches over them exhaustively (``match`` with no default,
    a ``Literal`` in its own model) refuses a value it has never seen, so a new value is a new
    version too.

    Compatible: a new optional field, and any change of title, description, examples or
    default.
    """
    comparison = _Comparison(old_schema, new_schema)
    _compare("", old_schema, new_schema, comparison)
    return comparison.changes


def _resolve(node: Schema, root: Schema) -> tuple[Schema, str | None]:
    ref = node.get("$ref")
    if ref is None:
        return node, None
    target: Any = root
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    siblings = {k: v for k, v in node.items() if k != "$ref"}
    return {**target, **siblings}, ref


def _branches(node: Schema) -> tuple[bool, list[Schema]]:
    """Split ``anyOf [T, null]`` (pydantic's ``T | None``) into (nullable, [T])."""
    options = node.get("anyOf") or node.get("oneOf")
    if options is None:
        return node.get("type") == "null", [node]
    non_null = [option for option in options if option.get("type") != "null"]
    return len(non_null) < len(options), non_null


def _enum(node: Schema) -> list[Any] | None:
    if "const" in node:
        return [node["const"]]
    return node.get("enum")


def _canonical(node: Any, root: Schema) -> Any:
    """A node with references resolved and annotations dropped, for equality tests."""
    if isinstance(node, dict):
        node, _ = _resolve(node, root)
        return {k: _canonical(v, root) for k, v in sorted(node.items()) if k not in _ANNOTATIONS}
    if isinstance(node, list):
        return [_canonical(item, root) for item in node]
    return node


def _compare(path: str, old: Schema, new: Schema, cmp: _Comparison) -> None:
    old, old_ref = _resolve(old, cmp.old_root)
    new, new_ref = _resolve(new, cmp.new_root)
    pair = (old_ref or "", new_ref or "")
    if old_ref and new_ref and pair in cmp.active:
        return  # a recursive model: this pair is already being compared further up
    cmp.active.add(pair)
    try:
        _compare_resolved(path, old, new, cmp)
    finally:
        cmp.active.discard(pair)


def _compare_resolved(path: str, old: Schema, new: Schema, cmp: _Comparison) -> None:
    old_nullable, old_options = _branches(old)
    new_nullable, new_options = _branches(new)
    if old_nullable and not new_nullable:
        cmp.report(path, "no longer accepts null (stored messages with null fail)")
    elif new_nullable and not old_nullable:
        cmp.report(path, "may now be null (consumers that expect a value break)")
    if len(old_options) == 1 and len(new_options) == 1:
        _compare_single(path, old_options[0], new_options[0], cmp)
    elif _canonical(old_options, cmp.old_root) != _canonical(new_options, cmp.new_root):
        cmp.report(path, "type changed (its alternatives differ)")


def _compare_single(path: str, old: Schema, new: Schema, cmp: _Comparison) -> None:
    old, _ = _resolve(old, cmp.old_root)
    new, _ = _resolve(new, cmp.new_root)
    if old.get("type") != new.get("type"):
        cmp.report(path, f"type changed from {old.get('type')} to {new.get('type')}")
        return
    _compare_enum(path, _enum(old), _enum(new), cmp)
    if "properties" in old or "properties" in new:
        _compare_properties(path, old, new, cmp)
    if "items" in old or "items" in new:
        _compare(f"{path}[]", old.get("items", {}), new.get("items", {}), cmp)
    for keyword in sorted((old.keys() | new.keys()) - _ANNOTATIONS - _STRUCTURE):
        if old.get(keyword) != new.get(keyword):
            cmp.report(path, f"{keyword} changed from {old.get(keyword)!r} to {new.get(keyword)!r}")


def _compare_enum(path: str, old: list[Any] | None, new: list[Any] | None, cmp: _Comparison) -> None:
    if old is None and new is None:
        return
    if old is None or new is None:
        cmp.report(path, "enumeration " + ("added (narrowed)" if old is None else "dropped (widened)"))
        return
    removed = [value for value in old if value not in new]
    added = [value for value in new if value not in old]
    if removed:
        cmp.report(path, f"enum values removed: {', '.join(map(str, removed))}")
    if added:
        cmp.report(path, f"enum values added: {', '.join(map(str, added))} (exhaustive consumers break)")


def _compare_properties(path: str, old: Schema, new: Schema, cmp: _Comparison) -> None:
    old_fields, new_fields = old.get("properties", {}), new.get("properties", {})
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    for name, old_field in old_fields.items():
        where = f"{path}.{name}" if path else name
        if name not in new_fields:
            cmp.report(where, "field removed")
            continue
        if name in old_required and name not in new_required:
            cmp.report(where, "no longer required (consumers that read it break)")
        elif name in new_required and name not in old_required:
            cmp.report(where, "optional field made required (stored messages without it fail)")
        _compare(where, old_field, new_fields[name], cmp)
    for name in new_fields.keys() - old_fields.keys():
        if name in new_required:
            where = f"{path}.{name}" if path else name
            cmp.report(where, "new required field (stored messages without it fail)")


def snapshot_path(event_type: str) -> Path:
    return PUBLISHED_DIR / f"{event_type}.json"


def published_types() -> list[str]:
    return sorted(path.name.removesuffix(".json") for path in PUBLISHED_DIR.glob("*.json"))


def write_missing_snapshots(events: Iterable[type[Event]] | None = None) -> list[Path]:
    """Snapshot each event type that has none yet; an existing snapshot is the published promise."""
    written = []
    PUBLISHED_DIR.mkdir(exist_ok=True)
    for cls in events if events is not None else all_events():
        path = snapshot_path(cls.TYPE)
        if not path.exists():
            path.write_text(dumps(event_schema(cls)), encoding="utf-8")
            written.append(path)
    return written


def problems() -> list[str]:
    """Every way the current classes break or miss their published snapshots."""
    found = []
    current = {cls.TYPE: cls for cls in all_events()}
    for event_type, cls in current.items():
        path = snapshot_path(event_type)
        if not path.exists():
            found.append(f"{event_type}: no published snapshot; run: {SNAPSHOT_COMMAND}")
            continue
        published = json.loads(path.read_text(encoding="utf-8"))
        found += [f"{event_type}: {change}" for change in breaking_changes(published, event_schema(cls))]
    for event_type in published_types():
        if event_type not in current:
            found.append(f"{event_type}: published, but no event class defines it any more")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contracts.compat", description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--snapshot", action="store_true", help="add snapshots for types that have none")
    mode.add_argument("--check", action="store_true", help="list breaking changes and exit 1 if any")
    args = parser.parse_args(argv)
    if args.snapshot:
        for path in write_missing_snapshots():
            print(f"wrote {path}")
        return 0
    found = problems()
    for problem in found:
        print(problem, file=sys.stderr)
    if found:
        print(
            "A breaking change needs a new type version (.v2) published beside the old one.",
            file=sys.stderr,
        )
        return 1
    print(f"{len(all_events())} event types match their published schemas")
    return 0


if __name__ == "__main__":
    sys.exit(main())
