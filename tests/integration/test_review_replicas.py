"""Review scales out: replicas share the durable consumer and the database. A replica that dies
mid-batch loses nothing and duplicates nothing: what it held is redelivered to the other, and the
inbox turns a second delivery of a handled event into a no-op."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import nats
import pytest

from contracts.base import PackRef
from contracts.envelope import Envelope
from contracts.events import ApplicationSubmitted
from devstack.processes import ServiceProcess
from devstack.servers import free_port
from tests.integration.harness import eventually

pytestmark = pytest.mark.integration

BACKLOG = 40


@pytest.fixture
def second_replica(platform, tmp_path):
    """Another review process on the same database and consumer; it dies right after its first
    effect is committed, before the ack (the worst moment)."""
    first = platform["review"]
    replica = ServiceProcess("review", free_port(), first.env, tmp_path / "review-2.log")
    replica.start({"FAILPOINTS": "consumer.after_effect=kill"})
    replica.wait_ready()
    yield replica
    replica.kill()


async def test_a_backlog_is_drained_exactly_once_though_a_replica_dies_mid_batch(infra, dbs, second_replica):
    unit_id = f"U-{uuid.uuid4().hex[:8]}"
    projects = [f"P-RP-{uuid.uuid4().hex[:10]}" for _ in range(BACKLOG)]
    nc = await nats.connect(infra.nats_admin_url)
    try:
        js = nc.jetstream()
        for project_id in projects:
            envelope = Envelope(ApplicationSubmitted(
                project_id=project_id, application_id=str(uuid.uuid4()), unit_id=unit_id, pack=PackRef(id="BY", version="2024.1"),
                project_name="峰值申报项目", declared_amount_fen=150_000_000, submitted_at=datetime.now(timezone.utc),
                project_class="build_develop"), source="/services/intake")
            await js.publish(envelope.nats_subject, envelope.body(), headers=envelope.headers())
    finally:
        await nc.close()

    async def died():
        return (not second_replica.alive()) or None
    await eventually(died, what="the second replica crashing after its first effect", timeout=60)

    async def drained():
        count = await dbs["review"].value("SELECT count(*) FROM review_case WHERE unit_id = $1", unit_id)
        return count == BACKLOG or None
    await eventually(drained, what=f"{BACKLOG} cases", timeout=90)
    per_project = await dbs["review"].fetch(
        "SELECT c.project_id, count(r.id) AS rounds FROM review_case c JOIN review_round r ON r.project_id = c.project_id "
        "WHERE c.unit_id = $1 GROUP BY c.project_id", unit_id)
    assert sorted(row["project_id"] for row in per_project) == sorted(projects)
    assert {row["rounds"] for row in per_project} == {1}  # each case opened once, with one plan-review round
    assert "failpoint consumer.after_effect reached" in second_replica.log_tail(400)
