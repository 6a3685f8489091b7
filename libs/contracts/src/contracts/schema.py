"""JSON Schemas of the event data, as a consumer in any language validates them."""

from __future__ import annotations

import inspect
import json
from typing import Any

from contracts.base import Event
from contracts.envelope import dataschema_for

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def summary(cls: type[Event]) -> str:
    """The first line of the class docstring: what happened, with the rule IDs."""
    return (inspect.getdoc(cls) or cls.__name__).splitlines()[0]


def event_schema(cls: type[Event]) -> dict[str, Any]:
    """The JSON Schema of one event type's data, identified by its ``ce-dataschema``.

    Validation mode: it describes what a consumer accepts, so a field with a default is optional.
    """
    schema = cls.model_json_schema(mode="validation")
    return {"$schema": JSON_SCHEMA_DIALECT, "$id": dataschema_for(cls.TYPE), **schema}


def dumps(schema: dict[str, Any]) -> str:
    """Stable text of a schema: sorted keys, so a diff shows only real changes."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
