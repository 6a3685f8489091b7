"""The AsyncAPI 3.0.0 document of every event: ``docs/asyncapi.yaml``.

It is generated from the classes, so it cannot drift from them; a test fails when the
committed file is stale.

    uv run python -m contracts.asyncapi --write   # regenerate docs/asyncapi.yaml
    uv run python -m contracts.asyncapi --check   # exit 1 when the committed file differs
"""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import yaml
from pydantic.json_schema import models_json_schema

from contracts import envelope as env
from contracts.base import Event
from contracts.registry import all_events
from contracts.schema import summary
from contracts.streams import STREAMS, stream_for_subject

ASYNCAPI_VERSION = "3.0.0"
DEFAULT_OUTPUT = Path("docs/asyncapi.yaml")
WRITE_COMMAND = "uv run python -m contracts.asyncapi --write"
HEADERS_SCHEMA = "CloudEventsNatsHeaders"
_SCHEMAS = "#/components/schemas/"

_DESCRIPTION = f"""\
Domain events of the government IT project platform (政务信息化项目管理), on NATS JetStream.

Every message is a CloudEvents 1.0 event in binary content mode: the context attributes are
`ce-*` headers and the body is the JSON of the event data, so any CloudEvents SDK reads it.
The channel address is the NATS subject and equals `ce-type`,
`<context>.<aggregate>.<event>.v<N>`. A breaking change is a new type published beside the
old one. `Nats-Msg-Id` equals `ce-id`: JetStream drops a republished duplicate, and a consumer
records `ce-id` to ignore a redelivery. W3C `traceparent` carries the trace.

Streams: {", ".join(f"{s.name} ({s.subjects[0]})" for s in STREAMS)}.
"""


def headers_schema() -> dict[str, Any]:
    """The headers every message carries (the trace headers only when a trace is active)."""
    uri = {"type": "string", "format": "uri-reference"}
    return {
        "type": "object",
        "required": [
            env.H_SPECVERSION,
            env.H_ID,
            env.H_TYPE,
            env.H_SOURCE,
            env.H_SUBJECT,
            env.H_TIME,
            env.H_DATASCHEMA,
            env.H_CONTENT_TYPE,
            env.H_MSG_ID,
        ],
        "properties": {
            env.H_SPECVERSION: {"type": "string", "const": env.SPECVERSION},
            env.H_ID: {"type": "string", "description": "Unique id of the event"},
            env.H_TYPE: {"type": "string", "description": "Event type; equals the NATS subject"},
            env.H_SOURCE: {**uri, "description": "The publishing service"},
            env.H_SUBJECT: {"type": "string", "description": "Id of the aggregate the event is about"},
            env.H_TIME: {"type": "string", "format": "date-time", "description": "When it happened, UTC"},
            env.H_DATASCHEMA: {**uri, "description": "JSON Schema of the body"},
            env.H_CONTENT_TYPE: {"type": "string", "const": env.CONTENT_TYPE},
            env.H_MSG_ID: {"type": "string", "description": "Equals ce-id; JetStream de-duplication key"},
            env.H_TRACEPARENT: {
                "type": "string",
                "pattern": "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
                "description": "W3C trace context",
            },
            env.H_TRACESTATE: {"type": "string", "description": "W3C trace context"},
        },
    }


def _message_headers(cls: type[Event]) -> dict[str, Any]:
    subject_fields = " or ".join(f"`{name}`" for name in (cls.SUBJECT_FIELD, *cls.SUBJECT_FALLBACKS))
    return {
        "allOf": [
            {"$ref": _SCHEMAS + HEADERS_SCHEMA},
            {
                "type": "object",
                "properties": {
                    env.H_TYPE: {"type": "string", "const": cls.TYPE},
                    env.H_DATASCHEMA: {"type": "string", "const": env.dataschema_for(cls.TYPE)},
                    env.H_SUBJECT: {"type": "string", "description": f"The {subject_fields} of the body"},
                },
            },
        ]
    }


def build_document() -> dict[str, Any]:
    events = all_events()
    refs, definitions = models_json_schema([(cls, "validation") for cls in events], ref_template=_SCHEMAS + "{model}")
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for cls in events:
        name, channel = cls.__name__, cls.TYPE
        stream = stream_for_subject(cls.TYPE)
        messages[channel] = {
            "name": name,
            "title": name,
            "summary": summary(cls),
            "contentType": env.CONTENT_TYPE,
            "headers": _message_headers(cls),
            "payload": refs[(cls, "validation")],
        }
        channels[channel] = {
            "address": cls.TYPE,
            "title": name,
            "summary": summary(cls),
            "description": f"JetStream stream `{stream.name}`; published by {cls.producer()}.",
            "messages": {name: {"$ref": f"#/components/messages/{channel}"}},
            "x-jetstream-stream": stream.name,
        }
        operations[f"send.{channel}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel}"},
            "messages": [{"$ref": f"#/channels/{channel}/messages/{name}"}],
            "summary": f"{cls.producer()} publishes {name}",
            "tags": [{"name": cls.producer()}],
        }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "GovIT domain events",
            "version": version("contracts"),
            "description": _DESCRIPTION,
        },
        "defaultContentType": env.CONTENT_TYPE,
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": {**definitions["$defs"], HEADERS_SCHEMA: headers_schema()},
        },
    }


def render() -> str:
    """The document as YAML; keys sorted so the same classes always give the same text."""
    return yaml.safe_dump(build_document(), sort_keys=True, allow_unicode=True, width=100)


def repo_root() -> Path:
    """The workspace root, found from this package (editable install) or the working directory."""
    for start in (Path(__file__).resolve(), Path.cwd().resolve()):
        for directory in (start, *start.parents):
            if (directory / "libs" / "contracts" / "pyproject.toml").is_file():
                return directory
    raise FileNotFoundError("cannot find the repository root; pass --output")


def default_output() -> Path:
    return repo_root() / DEFAULT_OUTPUT


def stale_message(path: Path | None = None) -> str | None:
    """None when ``path`` holds exactly the generated document, else what to run."""
    path = path or default_output()
    if path.is_file() and path.read_text(encoding="utf-8") == render():
        return None
    shown = DEFAULT_OUTPUT if path == default_output() else path
    command = WRITE_COMMAND if shown == DEFAULT_OUTPUT else f"{WRITE_COMMAND} --output {path}"
    return f"{shown} is stale; run: {command}"


def write(path: Path | None = None) -> Path:
    path = path or default_output()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contracts.asyncapi", description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="write the document")
    mode.add_argument("--check", action="store_true", help="exit 1 when the written document is stale")
    parser.add_argument("--output", type=Path, help=f"path of the document (default: <repo>/{DEFAULT_OUTPUT})")
    args = parser.parse_args(argv)
    output = args.output.resolve() if args.output else None
    if args.write:
        print(f"wrote {write(output)}")
        return 0
    message = stale_message(output)
    if message:
        print(message, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
