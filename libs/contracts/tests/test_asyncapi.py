"""docs/asyncapi.yaml: current, valid in shape, one channel per event type."""

from pathlib import Path

import yaml

from contracts import asyncapi
from contracts.registry import all_events
from contracts.streams import stream_for_subject


def _document() -> dict:
    return yaml.safe_load(asyncapi.default_output().read_text(encoding="utf-8"))


def test_committed_document_is_not_stale() -> None:
    assert asyncapi.stale_message() is None


def test_stale_document_names_the_command(tmp_path: Path) -> None:
    path = tmp_path / "asyncapi.yaml"
    path.write_text("asyncapi: 3.0.0\n", encoding="utf-8")

    message = asyncapi.stale_message(path)

    assert message is not None and "uv run python -m contracts.asyncapi --write" in message
    assert asyncapi.main(["--check", "--output", str(path)]) == 1
    assert asyncapi.main(["--write", "--output", str(path)]) == 0
    assert asyncapi.stale_message(path) is None


def test_default_document_is_reported_as_docs_asyncapi_yaml(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(asyncapi, "default_output", lambda: tmp_path / "docs" / "asyncapi.yaml")

    assert asyncapi.stale_message() == "docs/asyncapi.yaml is stale; run: uv run python -m contracts.asyncapi --write"


def test_one_channel_per_event_addressed_by_its_subject() -> None:
    document = _document()
    events = all_events()

    assert document["asyncapi"] == "3.0.0"
    assert sorted(document["channels"]) == sorted(cls.TYPE for cls in events)
    for cls in events:
        channel = document["channels"][cls.TYPE]
        assert channel["address"] == cls.TYPE
        assert channel["x-jetstream-stream"] == stream_for_subject(cls.TYPE).name
        message = document["components"]["messages"][cls.TYPE]
        assert message["title"] == cls.__name__
        assert message["contentType"] == "application/json"
        operation = document["operations"][f"send.{cls.TYPE}"]
        assert operation["action"] == "send"
        assert operation["tags"] == [{"name": cls.producer()}]


def test_every_reference_resolves() -> None:
    document = _document()
    refs: list[str] = []

    def collect(node: object) -> None:
        if isinstance(node, dict):
            refs.extend(value for key, value in node.items() if key == "$ref")
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(document)
    assert refs
    for ref in refs:
        target = document
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
