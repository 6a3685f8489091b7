"""Identifiers and free text as they arrive in requests.

One definition for every service, so an id valid in one is valid in all: ASCII letters,
digits and ``_ . : -``, at most 64 characters (they travel in ``ce-subject`` headers).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Path, Query
from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

ID_PATTERN = r"^[A-Za-z0-9_.:-]+$"
_LIMITS = {"min_length": 1, "max_length": 64, "pattern": ID_PATTERN}

Identifier = Annotated[str, Field(**_LIMITS)]
"""An identifier in a request body."""

IdentifierPath = Annotated[str, Path(**_LIMITS)]
"""An identifier in the URL path."""

IdentifierQuery = Annotated[str, Query(**_LIMITS)]
"""An identifier in the query string."""


TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
"""Free text a person typed (a project name, a review reason) holds no control characters, which
PostgreSQL cannot store (NUL) or a reader cannot see; tabs and line breaks stay allowed."""

FreeText = Annotated[str, Field(min_length=1, max_length=2000, pattern=TEXT_PATTERN)]

CreditCode = Annotated[str, Field(pattern=r"^[0-9A-Z]{18}$", description="统一社会信用代码 (unified social credit code)")]
"""How a supplier, designer or evaluation firm is named: its 18-character unified social credit code."""


def _written_day(value: object) -> object:
    # Pydantic reads a bare number as seconds since 1970, so a mistyped ``0`` became 1970-01-01.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise PydanticCustomError("date_type", "Input should be a date written YYYY-MM-DD, not a number")
    return value


Day = Annotated[date, BeforeValidator(_written_day)]
"""A calendar day in a request, written ``YYYY-MM-DD``."""
