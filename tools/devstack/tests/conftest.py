from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devstack.servers import PostgresServer, start_postgres


@pytest.fixture(autouse=True)
def _no_outside_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    # The developer's shell may point at shared servers; these tests start their own.
    for name in ("NATS_URL", "POSTGRES_ADMIN_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """One embedded PostgreSQL per test module (initdb costs about a second)."""
    server = start_postgres(tmp_path_factory.mktemp("pg"))
    yield server
    server.stop()


@pytest.fixture
def orphan_server() -> Callable[[str, Path], int]:
    """Start a server from a child Python that then dies by SIGKILL, leaving the server orphaned.

    Returns the orphan's pid. Mimics a launcher that crashed without stopping its servers.
    """

    def start(function: str, state_dir: Path) -> int:
        code = textwrap.dedent(
            f"""
            import os, signal, sys
            from pathlib import Path
            from devstack.servers import {function}
            server = {function}(Path({str(state_dir)!r}))
            print(server.pid, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
            """
        )
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert result.returncode == -signal.SIGKILL, result.stderr
        pid = int(result.stdout.strip())
        os.kill(pid, 0)  # still running, parentless
        return pid

    return start
