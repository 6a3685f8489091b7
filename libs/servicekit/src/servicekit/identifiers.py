"""Identifiers of units, projects and sub-projects as they arrive in requests.

One definition for every service, so an id valid in one is valid in all: ASCII letters,
digits and ``_ . : -``, at most 64 characters (they travel in ``ce-subject`` headers).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import Field

ID_PATTERN = r"^[A-Za-z0-9_.:-]+$"
_LIMITS = {"min_length": 1, "max_length": 64, "pattern": ID_PATTERN}

Identifier = Annotated[str, Field(**_LIMITS)]
"""An identifier in a request body."""

IdentifierPath = Annotated[str, Path(**_LIMITS)]
"""An identifier in the URL path."""

IdentifierQuery = Annotated[str, Query(**_LIMITS)]
"""An identifier in the query string."""
