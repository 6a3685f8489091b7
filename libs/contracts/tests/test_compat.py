"""Published schemas stay readable: ``breaking_changes`` and the committed snapshots."""

import copy
import json

from contracts import compat
from contracts.registry import all_events

OLD = {
    "type": "object",
    "properties": {
        "project_id": {"type": "string", "title": "Project Id"},
        "amount_fen": {"type": "integer", "minimum": 0},
        "scope": {"type": "string", "enum": ["remaining", "final_payment"]},
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
        "pack": {"$ref": "#/$defs/PackRef"},
        "rule_ids": {"type": "array", "items": {"type": "string", "pattern": "^BY-"}},
    },
    "required": ["project_id", "amount_fen", "scope", "pack", "rule_ids"],
    "$defs": {
        "PackRef": {
            "type": "object",
            "properties": {"id": {"type": "string"}, "version": {"type": "string"}},
            "required": ["id", "version"],
        }
    },
}


def changed(edit) -> list[str]:
    new = copy.deepcopy(OLD)
    edit(new)
    return compat.breaking_changes(OLD, new)


def test_identical_schemas_break_nothing() -> None:
    assert compat.breaking_changes(OLD, copy.deepcopy(OLD)) == []


def test_new_optional_field_is_compatible() -> None:
    assert changed(lambda s: s["properties"].update(sub_project_id={"type": "string", "default": None})) == []


def test_documentation_changes_are_compatible() -> None:
    def edit(s):
        s["properties"]["project_id"]["title"] = "Project"
        s["properties"]["project_id"]["description"] = "The project"
        s["properties"]["note"]["default"] = ""

    assert changed(edit) == []


def test_removed_field_breaks() -> None:
    assert changed(lambda s: s["properties"].pop("amount_fen")) == ["amount_fen: field removed"]


def test_new_required_field_breaks() -> None:
    def edit(s):
        s["properties"]["unit_id"] = {"type": "string"}
        s["required"].append("unit_id")

    assert changed(edit) == ["unit_id: new required field (stored messages without it fail)"]


def test_optional_field_made_required_breaks() -> None:
    assert changed(lambda s: s["required"].append("note")) == [
        "note: optional field made required (stored messages without it fail)"
    ]


def test_required_made_optional_breaks() -> None:
    assert changed(lambda s: s["required"].remove("scope")) == [
        "scope: no longer required (consumers that read it break)"
    ]


def test_type_change_breaks() -> None:
    assert changed(lambda s: s["properties"]["amount_fen"].update(type="number")) == [
        "amount_fen: type changed from integer to number"
    ]


def test_narrowed_constraint_breaks() -> None:
    assert changed(lambda s: s["properties"]["amount_fen"].update(minimum=1)) == [
        "amount_fen: minimum changed from 0 to 1"
    ]


def test_enum_value_removed_breaks() -> None:
    assert changed(lambda s: s["properties"]["scope"].update(enum=["remaining"])) == [
        "scope: enum values removed: final_payment"
    ]


def test_enum_value_added_breaks_exhaustive_consumers() -> None:
    assert changed(lambda s: s["properties"]["scope"]["enum"].append("change_delta")) == [
        "scope: enum values added: change_delta (exhaustive consumers break)"
    ]


def test_nullability_changes_break() -> None:
    assert changed(lambda s: s["properties"].update(note={"type": "string"})) == [
        "note: no longer accepts null (stored messages with null fail)"
    ]
    assert changed(lambda s: s["properties"].update(project_id={"anyOf": [{"type": "string"}, {"type": "null"}]})) == [
        "project_id: may now be null (consumers that expect a value break)"
    ]


def test_changes_inside_referenced_models_and_arrays_are_found() -> None:
    def edit(s):
        s["$defs"]["PackRef"]["properties"].pop("version")
        s["properties"]["rule_ids"]["items"]["pattern"] = "^(BY|YF)-"

    assert changed(edit) == [
        "pack.version: field removed",
        "rule_ids[]: pattern changed from '^BY-' to '^(BY|YF)-'",
    ]


def test_every_event_type_has_a_snapshot_and_keeps_it() -> None:
    problems = compat.problems()

    assert not problems, "\n".join(problems)


def test_missing_snapshot_names_the_command(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(compat, "PUBLISHED_DIR", tmp_path)

    problems = compat.problems()

    assert len(problems) == len(all_events())
    assert all("run: uv run python -m contracts.compat --snapshot" in problem for problem in problems)


def test_snapshot_adds_missing_types_and_never_overwrites(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(compat, "PUBLISHED_DIR", tmp_path)
    events = all_events()
    kept = tmp_path / f"{events[0].TYPE}.json"
    kept.write_text('{"type": "object"}\n', encoding="utf-8")

    written = compat.write_missing_snapshots()

    assert len(written) == len(events) - 1
    assert kept.read_text(encoding="utf-8") == '{"type": "object"}\n'


def test_a_published_type_without_a_class_is_reported(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(compat, "PUBLISHED_DIR", tmp_path)
    compat.write_missing_snapshots()
    (tmp_path / "review.project.withdrawn.v1.json").write_text("{}", encoding="utf-8")

    assert compat.problems() == ["review.project.withdrawn.v1: published, but no event class defines it any more"]


def test_check_command_exits_1_on_a_breaking_change(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(compat, "PUBLISHED_DIR", tmp_path)
    compat.write_missing_snapshots()
    event_type = all_events()[0].TYPE
    path = tmp_path / f"{event_type}.json"
    published = json.loads(path.read_text(encoding="utf-8"))
    published["properties"]["retired_field"] = {"type": "string"}
    path.write_text(json.dumps(published), encoding="utf-8")

    assert compat.main(["--check"]) == 1
    assert f"{event_type}: retired_field: field removed" in capsys.readouterr().err
