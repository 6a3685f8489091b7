import socket

from devstack.servers import free_port


def test_free_port_returns_a_bindable_port() -> None:
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_free_port_keeps_a_free_preferred_port() -> None:
    preferred = free_port()
    assert free_port(preferred) == preferred


def test_free_port_falls_back_when_preferred_is_taken() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        assert free_port(busy) != busy
