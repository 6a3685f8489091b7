"""Running PostgreSQL as an unprivileged user when we are root.

PostgreSQL refuses to start as root, so a root launcher runs initdb and
postgres as a dedicated system user; everything that user must reach is
made reachable here, touching as few permission bits as possible.
"""

from __future__ import annotations

import os
import pwd
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

POSTGRES_SYSTEM_USER = "govit-pg"


@dataclass(frozen=True)
class RunAs:
    """The identity a server child runs under; ``drop`` when it differs from ours."""

    uid: int
    gid: int
    drop: bool

    def popen_kwargs(self) -> dict[str, Any]:
        if not self.drop:
            return {}
        # extra_groups=[] clears root's supplementary groups as well.
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def chown(self, path: Path) -> None:
        if self.drop:
            os.chown(path, self.uid, self.gid)

    def chown_tree(self, root: Path) -> None:
        if not self.drop:
            return
        os.chown(root, self.uid, self.gid)
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                os.chown(os.path.join(dirpath, name), self.uid, self.gid, follow_symlinks=False)

    def write_private(self, path: Path, text: str) -> None:
        """Write a 0600 file owned by the run user, replacing ``path`` atomically."""
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        self.chown(tmp)
        os.replace(tmp, path)


def postgres_run_as() -> RunAs:
    if os.geteuid() != 0:
        return RunAs(uid=os.getuid(), gid=os.getgid(), drop=False)
    entry = _ensure_system_user(POSTGRES_SYSTEM_USER)
    return RunAs(uid=entry.pw_uid, gid=entry.pw_gid, drop=True)


def _ensure_system_user(name: str) -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    result = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        # Also covers a concurrent launcher having created the user first (useradd exit 9).
        return pwd.getpwnam(name)
    except KeyError:
        raise RuntimeError(f"could not create system user {name!r}: {result.stderr.strip()}") from None


def grant_traverse(path: Path, run_as: RunAs) -> None:
    """Add o+x to ``path`` and its ancestors where missing so the run user can reach below them.

    Only the search bit is added, never read: directories stay unlistable.
    (pytest's /tmp/pytest-of-root, for one, is created 0700.)
    """
    if not run_as.drop:
        return
    for directory in (path, *path.parents):
        mode = directory.stat().st_mode
        if not mode & stat.S_IXOTH:
            directory.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)


def grant_read_tree(root: Path, run_as: RunAs) -> None:
    """Make an installed tree (binaries, libs, share) readable and its executables runnable by anyone.

    A wheel unpacked under a restrictive umask can leave it root-only.
    """
    if not run_as.drop:
        return
    grant_traverse(root, run_as)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                continue
            wanted = stat.S_IROTH
            if stat.S_ISDIR(mode) or mode & stat.S_IXUSR:
                wanted |= stat.S_IXOTH
            if mode & wanted != wanted:
                os.chmod(path, stat.S_IMODE(mode) | wanted)
