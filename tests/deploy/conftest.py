from __future__ import annotations

from typing import Any

import pytest

from tests.deploy.support import KUSTOMIZATIONS, render


@pytest.fixture(scope="session")
def rendered() -> dict[str, list[dict[str, Any]]]:
    """Every kustomization rendered once: base, development, production."""
    return {name: render(path) for name, path in KUSTOMIZATIONS.items()}
