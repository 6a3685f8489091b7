"""Child-process plumbing shared by the embedded servers (NATS, PostgreSQL).

Stopping children, waiting for readiness, finding processes left over by an
earlier run whose parent died, and an exclusive lock per state directory.
"""

from __future__ import annotations

import errno
import fcntl
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterable
from pathlib import Path

_PROC = Path("/proc")


class ServerStartError(RuntimeError):
    """An embedded server did not come up; the message carries the end of its log."""


def log_tail(path: Path, lines: int = 30) -> str:
    try:
        with path.open("rb") as log:
            log.seek(0, os.SEEK_END)
            log.seek(max(0, log.tell() - 16_384))
            text = log.read().decode(errors="replace")
    except FileNotFoundError:
        return "(no log written)"
    return "\n".join(text.splitlines()[-lines:])


def wait_until_ready(
    ready: Callable[[], bool],
    *,
    process: subprocess.Popen[bytes],
    timeout: float,
    what: str,
    log_path: Path,
) -> None:
    """Poll ``ready`` until it holds; fail fast when the process exits meanwhile."""
    deadline = time.monotonic() + timeout
    while True:
        code = process.poll()
        if code is not None:
            raise ServerStartError(
                f"{what} exited with code {code} during startup. "
                f"Last lines of {log_path}:\n{log_tail(log_path)}"
            )
        if ready():
            return
        if time.monotonic() > deadline:
            raise ServerStartError(
                f"{what} was not ready after {timeout:g} s. "
                f"Last lines of {log_path}:\n{log_tail(log_path)}"
            )
        time.sleep(0.05)


def stop_child(process: subprocess.Popen[bytes], sig: int, timeout: float) -> None:
    """Send ``sig``, wait up to ``timeout`` seconds, then SIGKILL; always reaps."""
    if process.poll() is None:
        try:
            process.send_signal(sig)
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
    process.wait()


def pid_alive(pid: int) -> bool:
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:
        # No /proc (macOS): fall back to signal 0; EPERM still means "exists".
        try:
            os.kill(pid, 0)
        except OSError as exc:
            return exc.errno == errno.EPERM
        return True
    # A zombie has exited already and only waits for its parent to reap it.
    return stat.rpartition(")")[2].split()[0] != "Z"


def _other_pids() -> Iterable[int]:
    if not _PROC.is_dir():
        return ()
    own = os.getpid()
    return (int(entry.name) for entry in _PROC.iterdir() if entry.name.isdigit() and int(entry.name) != own)


def pids_with_cwd(directory: Path) -> set[int]:
    """Processes whose working directory is ``directory`` (every PostgreSQL process chdirs into its data dir)."""
    target = os.path.realpath(directory)
    found = set()
    for pid in _other_pids():
        try:
            if os.readlink(_PROC / str(pid) / "cwd") == target:
                found.add(pid)
        except OSError:  # gone meanwhile, a zombie, or not ours to inspect
            continue
    return found


def pids_with_argument(argument: str) -> set[int]:
    """Processes that have ``argument`` as one of their command-line words."""
    wanted = os.fsencode(argument)
    found = set()
    for pid in _other_pids():
        try:
            words = (_PROC / str(pid) / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if wanted in words:
            found.add(pid)
    return found


def end_processes(pids: set[int], first_signal: int, grace: float) -> None:
    """Signal processes that are not our children, SIGKILL after ``grace`` s, wait until gone."""
    for sig, wait in ((first_signal, grace), (signal.SIGKILL, 5.0)):
        pids = {pid for pid in pids if pid_alive(pid)}
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + wait
        while pids and time.monotonic() < deadline:
            time.sleep(0.05)
            pids = {pid for pid in pids if pid_alive(pid)}
        if not pids:
            return
    raise RuntimeError(f"processes {sorted(pids)} survived SIGKILL")


class StateDirLock:
    """Exclusive flock on a file in a state directory, held while we own its server.

    The kernel drops the lock when the owning process dies, so a server still
    running while nobody holds the lock is an orphan of a crashed run and may be
    stopped; a held lock means another live process uses the directory.
    The descriptor is not inherited by the server (Python fds are
    non-inheritable), otherwise an orphaned server would keep the lock.
    """

    def __init__(self, path: Path, what: str) -> None:
        self.path = path
        self.what = what
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        if self._fd is not None:
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise ServerStartError(
                f"{self.what} state in {self.path.parent} is in use by another process (pid {owner}); "
                "stop it or use another state directory"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None


class ChildServer:
    """Lifecycle shared by the bundled servers: a child process and a lock on its state directory.

    Subclasses are dataclasses with ``_process`` and ``_lock`` fields and a ``_start()``.
    """

    STOP_SIGNAL: signal.Signals = signal.SIGTERM
    STOP_TIMEOUT: float = 10.0
    _process: subprocess.Popen[bytes] | None
    _lock: "StateDirLock | None"

    def _start(self) -> None:
        raise NotImplementedError

    @property
    def pid(self) -> int | None:
        return self._process.pid if self.running else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self, timeout: float | None = None) -> None:
        """Graceful shutdown with the server's own signal, SIGKILL after ``timeout``; idempotent."""
        if self._process is not None:
            stop_child(self._process, self.STOP_SIGNAL, self.STOP_TIMEOUT if timeout is None else timeout)
            self._process = None
        if self._lock is not None:
            self._lock.release()

    def kill(self) -> None:
        """SIGKILL, as a crash would; the state directory stays locked for restart()."""
        if self._process is not None:
            stop_child(self._process, signal.SIGKILL, 5.0)
            self._process = None

    def restart(self) -> None:
        """Stop if running, then start again on the same ports and state directory."""
        self.stop()
        self._start()
