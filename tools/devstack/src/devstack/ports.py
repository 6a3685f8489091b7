"""Choosing TCP ports on the loopback interface and probing them."""

from __future__ import annotations

import socket

LOOPBACK = "127.0.0.1"


def _bindable(port: int) -> bool:
    # No SO_REUSEADDR on purpose: the probe is then stricter than the servers
    # (which do set it), so a port that passes here will also bind there.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def free_port(preferred: int | None = None) -> int:
    """Return ``preferred`` when it can be bound on 127.0.0.1, else a free ephemeral port.

    The port is only free at the moment of the check; the caller starts its
    server right away so the window for another process to grab it is small.
    """
    if preferred is not None and _bindable(preferred):
        return preferred
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def accepts_connections(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when something accepts a TCP connection on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False
