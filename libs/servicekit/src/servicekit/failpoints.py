"""Named crash points for fault tests.

``FAILPOINTS=outbox.after_commit=kill,consumer.after_effect=kill`` makes the process kill
itself with SIGKILL when it reaches that point, exactly as a crash would. Unset in normal
operation, where :func:`reach` costs one dictionary lookup.
"""

from __future__ import annotations

import logging
import os
import signal

log = logging.getLogger(__name__)

KNOWN = {
    "outbox.before_publish": "after the state change committed, before its event is published",
    "outbox.after_publish": "after the event was published, before the outbox row is marked published",
    "consumer.after_effect": "after a consumed event's effect committed, before the message is acked",
}


def _parse(spec: str) -> dict[str, str]:
    points = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, action = item.partition("=")
        if name not in KNOWN or action != "kill":
            raise ValueError(f"FAILPOINTS: unknown point or action {item!r}; known: {sorted(KNOWN)} with =kill")
        points[name] = action
    return points


_ACTIVE = _parse(os.environ.get("FAILPOINTS", ""))


def reach(name: str) -> None:
    if _ACTIVE.get(name) == "kill":
        log.warning("failpoint %s reached: killing the process", name)
        os.kill(os.getpid(), signal.SIGKILL)
