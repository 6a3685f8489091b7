"""The fault suite: lifecycle flows under crashes, restarts, copies and poison messages.

It runs on a platform of its own (``stack.FaultStack``), so it may stop NATS and PostgreSQL.
Its one summary line reaches the CI log once, however pytest captures output: printed by the
test when capture is off (``-s``), written in the terminal summary otherwise.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from devstack.auth import DevIssuer

from tests.faults.stack import FaultStack

REPORT = pytest.StashKey[list[str]]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "faults: fault injection over a platform of the suite's own (crashes, restarts, poison)")
    config.stash[REPORT] = []


def _capturing(config: pytest.Config) -> bool:
    return config.getoption("capture", "fd") != "no"


@pytest.fixture
def fault_report(request: pytest.FixtureRequest, record_property):
    """Report lines of a fault run: kept for the terminal summary, printed now when capture is off."""
    config = request.config

    def report(line: str, *, summary: bool = False) -> None:
        config.stash[REPORT].append(line)
        if summary:
            record_property("fault_summary", line)
        if not _capturing(config):
            print(line, flush=True)

    return report


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    lines = config.stash.get(REPORT, [])
    if lines and _capturing(config):
        terminalreporter.section("fault suite")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(scope="module")
async def fault_stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[FaultStack]:
    # FAULT_LOG_DIR keeps the servers' and services' logs where a CI job can archive them.
    root = Path(os.environ["FAULT_LOG_DIR"]) if os.environ.get("FAULT_LOG_DIR") else tmp_path_factory.mktemp("faults")
    root.mkdir(parents=True, exist_ok=True)
    stack = FaultStack(root, DevIssuer(root / "auth"))
    try:
        await stack.start()
        yield stack
    finally:
        await stack.close()
