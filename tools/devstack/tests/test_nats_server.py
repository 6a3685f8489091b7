import json
import socket
import urllib.request
from pathlib import Path

import nats
import pytest

from devstack.childproc import pid_alive
from devstack.ports import accepts_connections
from devstack.servers import ServerStartError, start_nats


async def _publish(url: str, payload: bytes) -> int:
    client = await nats.connect(url)
    try:
        js = client.jetstream()
        await js.add_stream(name="ORDERS", subjects=["orders.>"])  # idempotent for an identical config
        ack = await js.publish("orders.created", payload)
        assert ack.stream == "ORDERS"
        return ack.seq
    finally:
        await client.close()


async def _stored(url: str) -> list[bytes]:
    client = await nats.connect(url)
    try:
        js = client.jetstream()
        info = await js.stream_info("ORDERS")
        return [(await js.get_msg("ORDERS", seq)).data for seq in range(1, info.state.messages + 1)]
    finally:
        await client.close()


def _get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as reply:
        return json.load(reply)


async def test_jetstream_acks_and_data_survives_restart(tmp_path: Path) -> None:
    server = start_nats(tmp_path)
    try:
        assert server.url == f"nats://127.0.0.1:{server.port}"
        assert await _publish(server.url, b"first") == 1
        server.restart()
        assert await _stored(server.url) == [b"first"]
    finally:
        server.stop()


async def test_kill_then_restart_keeps_acknowledged_messages(tmp_path: Path) -> None:
    server = start_nats(tmp_path)
    try:
        await _publish(server.url, b"before crash")
        server.kill()
        assert not accepts_connections("127.0.0.1", server.port)
        server.restart()
        assert await _publish(server.url, b"after crash") == 2
        assert await _stored(server.url) == [b"before crash", b"after crash"]
    finally:
        server.stop()


def test_monitoring_answers_with_jetstream_fsync_always(tmp_path: Path) -> None:
    server = start_nats(tmp_path)
    try:
        assert _get_json(f"{server.monitor_url}/healthz?js-enabled-only=true") == {"status": "ok"}
        jetstream = _get_json(f"{server.monitor_url}/varz")["jetstream"]["config"]
        assert jetstream["sync_always"] is True
        assert jetstream["store_dir"].startswith(str(tmp_path / "jetstream"))
    finally:
        server.stop()
    relaxed = start_nats(tmp_path, sync_always=False)
    try:
        assert _get_json(f"{relaxed.monitor_url}/varz")["jetstream"]["config"].get("sync_always", False) is False
    finally:
        relaxed.stop()


def test_stop_is_idempotent_and_frees_the_port(tmp_path: Path) -> None:
    server = start_nats(tmp_path)
    server.stop()
    server.stop()
    assert not server.running
    assert not accepts_connections("127.0.0.1", server.port)


def test_startup_failure_reports_the_log(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(ServerStartError, match="address already in use") as failure:
            start_nats(tmp_path, taken.getsockname()[1])
    assert str(tmp_path / "nats.log") in str(failure.value)
    start_nats(tmp_path).stop()  # the failed attempt left neither a process nor the lock behind


def test_a_state_dir_serves_one_owner_at_a_time(tmp_path: Path) -> None:
    server = start_nats(tmp_path)
    try:
        with pytest.raises(ServerStartError, match="in use by another process"):
            start_nats(tmp_path)
    finally:
        server.stop()


def test_orphan_of_a_crashed_launcher_is_replaced(tmp_path: Path, orphan_server) -> None:
    orphan = orphan_server("start_nats", tmp_path)
    server = start_nats(tmp_path)
    try:
        assert not pid_alive(orphan)
        assert server.running
    finally:
        server.stop()


def test_the_kubernetes_authorization_block_is_a_valid_server_configuration(tmp_path):
    """deploy/nats/auth.conf reads its passwords from the environment (a Kubernetes secret)."""
    import os
    import subprocess

    from devstack.nats_server import nats_server_binary
    from servicekit.nats_auth import CONSUMES, kubernetes_block

    config = tmp_path / "nats.conf"
    config.write_text('listen: "127.0.0.1:-1"\n' + kubernetes_block())
    env = {**os.environ, "ADMIN_NATS_PASSWORD": "x"}
    env |= {f"{party.upper().replace('-', '_')}_NATS_PASSWORD": "x" for party in CONSUMES}
    result = subprocess.run([str(nats_server_binary()), "-c", str(config), "-t"], capture_output=True, text=True,
                            env=env, timeout=30)
    assert result.returncode == 0 and "is valid" in (result.stdout + result.stderr), result.stderr
