"""A stream of lifecycle flows under faults injected at random (seeded) points: every event's
effect lands exactly once, every block and hold the rules require is in force and no other, and
every poison message is parked.

``FAULT_SEED`` repeats a run's schedule (the timing of a crash against the traffic is not
repeatable, the order of the schedule is); ``FAULT_FLOWS`` sets the number of flows;
``FAULT_POISON`` names the poison kinds to send (all by default; one of them a second time
while PostgreSQL is down; empty for none); ``FAULT_LOG_DIR`` keeps the logs.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from dataclasses import dataclass, field

import pytest

from tests.faults.lifecycle import (
    POISON_KINDS,
    SCRIPTS,
    Copies,
    Flow,
    Poison,
    Script,
    check,
    duplicate,
    quiesce,
    record_review,
    send_poison,
)
from tests.faults.stack import SERVICES, FaultStack
from tests.integration.harness import Api, ServiceDatabase

pytestmark = [pytest.mark.faults, pytest.mark.timeout(420)]

PRODUCERS = ("acceptance", "intake", "procurement")
"""Services whose relay publishes during the flows: reviews, standing changes, holds."""
CONSUMERS = ("intake", "procurement", "notify")
"""Services whose consumers apply the flows' events."""
COPIES = 4
TAIL = Script("BZ", ("failed", "passed"))
"""Reaches every relay and consumer a failpoint may wait in: review, block, hold, standing change, notice."""


@dataclass
class Step:
    kind: str
    arg: object = None


def plan(rng: random.Random, flows: list[Flow], poison_kinds: list[str]) -> list[Step]:
    """The flows' reviews interleaved at random (each flow in its own order), faults between them;
    crashes and outages in the first 70 %, so the failpoints they arm still meet traffic."""
    queues = [[Step("review", flow)] * len(flow.script.results) for flow in flows]
    steps: list[Step] = []
    while any(queues):
        queue = rng.choice([q for q in queues if q])
        steps.append(queue.pop())
    early = max(4, int(len(steps) * 0.7))
    faults = [(rng.randrange(2, early), Step("kill", name)) for name in SERVICES]
    faults.append((rng.randrange(2, early), Step("nats", (rng.random() < 0.5, round(rng.uniform(0.5, 2.0), 2)))))
    faults.append((rng.randrange(2, early), Step("postgres", (rng.random() < 0.5, round(rng.uniform(0.3, 1.5), 2)))))
    faults += [(rng.randrange(6, len(steps)), Step("copy")) for _ in range(COPIES)]
    faults += [(rng.randrange(0, len(steps)), Step("poison", kind)) for kind in poison_kinds]
    for position, step in sorted(faults, key=lambda item: item[0], reverse=True):
        steps.insert(position, step)
    return steps


@dataclass
class Run:
    stack: FaultStack
    api: dict[str, Api]
    dbs: dict[str, ServiceDatabase]
    rng: random.Random
    kinds: list[str]
    flows: list[Flow]
    filters: dict[str, list[str]] = field(default_factory=dict)
    copies: Copies = field(default_factory=Copies)
    poisons: list[Poison] = field(default_factory=list)
    outage: asyncio.Task | None = None

    async def drive(self, steps: list[Step]) -> None:
        self.filters = await self.stack.consumer_filters()
        consumed = sorted({subject for subjects in self.filters.values() for subject in subjects})
        for step in steps:
            if step.kind == "review":
                await record_review(self.api, step.arg)
            elif step.kind == "kill":
                await self.stack.kill(step.arg)
            elif step.kind in ("nats", "postgres"):
                await self.outage_over()
                crash, down_for = step.arg
                restart = self.stack.restart_nats if step.kind == "nats" else self.stack.restart_postgres
                # The outage runs beside the traffic: requests fail and are retried, events wait.
                self.outage = asyncio.create_task(restart(crash=crash, down_for=down_for))
                if step.kind == "postgres" and self.kinds:
                    # A poison message arriving while the database is away must wait to be parked.
                    await asyncio.wait_for(self.stack.postgres_down.wait(), 30)
                    poison = await send_poison(self.stack, self.rng.choice(self.kinds), self.rng.choice(consumed), self.filters)
                    self.poisons.append(poison)
                    self.stack.note(f"poison {poison.kind} sent while postgres is down", fault=f"poison {poison.kind} in the outage")
            elif step.kind == "copy":
                recorded = [event_id for flow in self.flows for event_id in flow.event_ids]
                if recorded:
                    await duplicate(self.stack, self.dbs["acceptance"], self.rng.choice(recorded), self.copies)
            elif step.kind == "poison":
                self.poisons.append(await send_poison(self.stack, step.arg, self.rng.choice(consumed), self.filters))
        await self.outage_over()

    async def outage_over(self) -> None:
        if self.outage is not None:
            await self.outage
            self.outage = None

    async def reach_every_failpoint(self, most: int = 6) -> None:
        """A failpoint armed late may not have met its event yet: a few more flows until each has."""
        for _ in range(most):
            if not self.stack.failpoints_pending:
                break
            while not await self.stack.up():
                await asyncio.sleep(0.2)
            flow = Flow(len(self.flows) + 1, TAIL)
            self.flows.append(flow)
            while not flow.done:
                await record_review(self.api, flow)
            await asyncio.sleep(1.5)
        await self.stack.disarm()


def seeded() -> int:
    value = os.environ.get("FAULT_SEED")
    return int(value) if value else random.SystemRandom().randrange(1, 10**6)


async def test_lifecycle_flows_keep_exactly_once_effects_under_faults(fault_stack: FaultStack, fault_report):
    stack = fault_stack
    seed = seeded()
    rng = random.Random(seed)
    count = int(os.environ.get("FAULT_FLOWS", "30"))
    kinds = [k for k in os.environ.get("FAULT_POISON", ",".join(POISON_KINDS)).split(",") if k]
    assert set(kinds) <= set(POISON_KINDS), f"FAULT_POISON: known kinds are {POISON_KINDS}"
    # Every script at least once, the rest drawn at random.
    scripts = list(SCRIPTS) + [rng.choice(SCRIPTS) for _ in range(max(0, count - len(SCRIPTS)))]
    rng.shuffle(scripts)
    flows = [Flow(number, script) for number, script in enumerate(scripts, 1)]
    points = {"outbox.before_publish": rng.choice(PRODUCERS), "outbox.after_publish": rng.choice(PRODUCERS),
              "consumer.after_effect": rng.choice(CONSUMERS)}
    for point, service in points.items():
        stack.queue_failpoint(service, point)  # armed when the service comes back from its crash
    steps = plan(rng, flows, kinds)
    fault_report(f"fault suite seed={seed} (FAULT_SEED={seed} repeats the schedule); {len(flows)} flows planned; "
                 f"failpoints {', '.join(f'{s}:{p}' for p, s in points.items())}")

    run = Run(stack, stack.api(), stack.dbs(), rng, kinds, flows)
    began = time.monotonic()
    try:
        await run.drive(steps)
        await run.reach_every_failpoint()
        stream_seconds = time.monotonic() - began
        outstanding = await quiesce(stack, run.dbs)
        verdict = await check(stack, run.dbs, run.api, run.flows, run.poisons, run.filters)
    except BaseException:
        fault_report("the run broke off; incidents so far:\n" + "\n".join(map(str, stack.incidents)))
        raise
    finally:
        for client in run.api.values():
            await client.close()

    fault_report(f"faults: {', '.join(stack.injected)}")
    fault_report(f"copies sent {run.copies.sent} (dropped by JetStream {run.copies.dropped_by_jetstream}, "
                 f"past it {run.copies.past_jetstream}); poison sent {len(run.poisons)} "
                 f"({', '.join(p.kind for p in run.poisons)}); starts {stack.starts}; stream {stream_seconds:.0f}s")
    fault_report(verdict.line, summary=True)

    # What concerns the platform as a whole first: a stopped consumer shows there before its many flows.
    findings = sorted(verdict.findings, key=lambda finding: ": flow " in finding)
    details = "\n".join([f"logs in {stack.root / 'logs'}", *findings[:40],
                         *([f"still outstanding after the wait: {outstanding}"] if outstanding else []),
                         "incidents:", *map(str, stack.incidents)])
    assert verdict.lost == 0 and verdict.duplicated == 0 and verdict.wrong == 0, f"{verdict.line} wrong={verdict.wrong}\n{details}"
    assert verdict.parked == len(run.poisons), f"{verdict.line}: {len(run.poisons)} poison messages sent\n{details}"
    assert sorted(stack.fired) == sorted(f"{s}:{p}" for p, s in points.items()), \
        f"not every failpoint was reached, so the run injected less than planned: fired {stack.fired}\n{details}"
