"""Lifecycle flows, the effects each must leave behind, and the checker that compares them with
what the services' databases hold.

A flow is one project of its own unit going through final reviews (RULES.md §3.8, BY-47) whose
outcomes place and lift blocks in intake and holds in procurement (RULES.md §3.10.1). The model
below is written out by hand from the rules, not computed with the policy code under test.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

import httpx

from contracts.base import PackRef
from contracts.envelope import Envelope
from contracts.events import AcceptanceFailed

from tests.faults.stack import FaultStack
from tests.integration.harness import ADMIN, Api, ServiceDatabase, leader

# ---- the flows --------------------------------------------------------------------------------

PACKS = {"BY": "2024.1", "BZ": "2022.1", "DY": "2020.1"}


@dataclass(frozen=True)
class Script:
    pack: str
    results: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.pack}:{'/'.join(self.results)}"


SCRIPTS = (
    Script("BZ", ("failed", "passed")),
    Script("BZ", ("failed", "failed", "passed")),
    Script("BZ", ("failed",)),
    Script("BY", ("failed", "passed")),
    Script("BY", ("failed", "failed")),
    Script("DY", ("failed", "passed")),
    Script("DY", ("failed", "failed")),
)

BLOCKS_ON_FAILURE = {
    "BZ": (("all_new_projects", ("BZ-30",)),),  # no new projects for the unit
    "BY": (("upgrade_of_project", ("BY-22.8",)),),  # no upgrade of the failed project
    "DY": (),
}
HOLDS_ON_FAILURE = {
    "BZ": (("no_om_funding", ("BZ-30",)),),  # no O&M funds
    "BY": (),  # BY-47.3a: a first failure asks for rectification, no hold
    "DY": (("remaining", ("DY-24",)),),  # remaining funds not disbursed
}
"""Every one of these is lifted by the project's AcceptancePassed (BY-22.8; BZ-30 and DY-24 by A-19)."""

TERMINAL_ATTEMPT = {"BY": 2}
"""BY-47.3b: the re-review failing too ends the project (BY-37.2) and the remaining funds are
recovered (BY-38b); BZ and DY set no limit on re-reviews (DY-23, A-22)."""
TERMINATION_RULES = ("BY-47.3b", "BY-37.2")
RECOVERY = ("recover_remaining", ("BY-38b",))
TERMINATED = "terminated"
"""The cause of the recovery hold: procurement's own ProjectTerminated, not a review."""


@dataclass
class Expected:
    reviews: list[tuple[int, str, bool]] = field(default_factory=list)
    blocks: dict[tuple[int, str], list] = field(default_factory=dict)
    """(review index, scope) -> [rule ids, index of the review that lifts it or None]"""
    holds: dict[tuple[int | str, str], list] = field(default_factory=dict)
    terminations: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    standing_changes: int = 0
    cloud_blocks: int = 0

    def notices(self) -> Counter:
        return Counter({
            "AcceptanceFailed": sum(1 for _, result, _ in self.reviews if result == "failed"),
            "FinanceHoldPlaced": len(self.holds),
            "FinanceHoldReleased": sum(1 for _, lifted in self.holds.values() if lifted is not None),
            "ProjectTerminated": len(self.terminations),
        })


def expect(script: Script) -> Expected:
    model = Expected()
    for index, result in enumerate(script.results):
        attempt = index + 1
        if result == "failed":
            terminal = attempt >= TERMINAL_ATTEMPT.get(script.pack, attempt + 1)
            model.reviews.append((attempt, "failed", terminal))
            for scope, rules in BLOCKS_ON_FAILURE[script.pack]:
                model.blocks[(index, scope)] = [rules, None]
            for scope, rules in HOLDS_ON_FAILURE[script.pack]:
                model.holds[(index, scope)] = [rules, None]
            model.standing_changes += bool(BLOCKS_ON_FAILURE[script.pack])
            model.cloud_blocks += script.pack == "BZ"  # BZ-30: no government-cloud resources either
            if terminal:
                model.terminations.append(("acceptance_failed", TERMINATION_RULES))
                model.holds[(TERMINATED, RECOVERY[0])] = [RECOVERY[1], None]
        else:
            model.reviews.append((attempt, "passed", False))
            lifted = [entry for entry in model.blocks.values() if entry[1] is None]
            for entry in lifted:
                entry[1] = index
            for (cause, _), entry in model.holds.items():
                if cause != TERMINATED and entry[1] is None:
                    entry[1] = index
            model.standing_changes += bool(lifted)
    return model


@dataclass
class Flow:
    number: int
    script: Script
    project_id: str = field(default_factory=lambda: f"P-F{uuid.uuid4().hex[:10]}")
    unit_id: str = field(default_factory=lambda: f"U-F{uuid.uuid4().hex[:10]}")
    event_ids: list[str] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return len(self.event_ids) == len(self.script.results)

    def body(self, index: int) -> dict:
        result = self.script.results[index]
        # A day per review, in order and in the past: the domain refuses a review dated before the last.
        day = date.today() - timedelta(days=10 - index)
        body = {"unit_id": self.unit_id, "pack_id": self.script.pack, "result": result, "concluded_on": day.isoformat()}
        if result == "failed":
            body["reasons"] = [f"第{index + 1}次终验未通过：性能指标未达合同约定"]
        return body


async def record_review(api: dict[str, Api], flow: Flow, *, timeout: float = 150) -> None:
    """POST the flow's next final review until it is recorded exactly once.

    A request can die with the process or the database; whether it committed is then read back
    from acceptance before trying again, so a retry never records a second review."""
    index = len(flow.event_ids)
    path = f"/projects/{flow.project_id}/final-reviews"
    actor = leader(flow.unit_id)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        recorded = await _recorded(api, flow)
        if recorded is None:  # acceptance or its database away: ask again before anything else
            await asyncio.sleep(0.3)
            continue
        if len(recorded) > index:  # an earlier attempt did commit
            flow.event_ids.append(recorded[index]["event_id"])
            return
        try:
            response = await api["acceptance"].post(path, flow.body(index), as_=actor)
        except httpx.TransportError:
            response = None
        if response is not None and response.status_code == 201:
            flow.event_ids.append(response.json()["event_id"])
            return
        if response is not None and response.status_code < 500:
            raise AssertionError(f"flow {flow.number} ({flow.script.name}): review {index + 1} refused: "
                                 f"{response.status_code} {response.text}")
        await asyncio.sleep(0.3)
    raise AssertionError(f"flow {flow.number}: review {index + 1} not recorded within {timeout}s")


async def _recorded(api: dict[str, Api], flow: Flow) -> list[dict] | None:
    try:
        response = await api["acceptance"].get(f"/projects/{flow.project_id}/final-reviews", as_=leader(flow.unit_id))
    except httpx.TransportError:
        return None
    return response.json() if response.status_code == 200 else None


# ---- messages from outside: copies and poison -------------------------------------------------

async def retrying(what: str, probe, timeout: float = 60):
    """Run ``probe`` until it stops raising (NATS or the database may be restarting)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return await probe()
        except Exception as exc:
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: still failing after {timeout}s: {exc!r}") from exc
            await asyncio.sleep(0.3)


@dataclass
class Copies:
    sent: int = 0
    dropped_by_jetstream: int = 0
    past_jetstream: int = 0


async def duplicate(stack: FaultStack, acceptance: ServiceDatabase, event_id: str, copies: Copies) -> None:
    """Publish a recorded event again: once with its own Nats-Msg-Id (JetStream's de-duplication
    window drops it, or, if the relay has not sent it yet, drops the relay's send instead), once
    under a new Nats-Msg-Id, as a redelivery after the window would arrive: only the inbox stops it."""
    rows = await retrying("reading the outbox", lambda: acceptance.fetch(
        "SELECT subject, headers::text AS headers, payload FROM outbox WHERE event_id = $1", event_id))
    row = rows[0]
    headers = json.loads(row["headers"])
    same = await retrying("publishing a copy", lambda: stack.publish_raw(row["subject"], bytes(row["payload"]), headers))
    copies.dropped_by_jetstream += same
    other = {**headers, "Nats-Msg-Id": str(uuid.uuid4())}
    dropped = await retrying("publishing a copy", lambda: stack.publish_raw(row["subject"], bytes(row["payload"]), other))
    copies.sent += 2
    copies.past_jetstream += not dropped  # dropped only when a retried publish had landed already


POISON_KINDS = ("malformed_json", "schema_mismatch", "unknown_version", "foreign_specversion", "untrusted_source",
                "malformed_time", "failing_handler")


@dataclass
class Poison:
    kind: str
    marker: str
    subject: str
    receivers: frozenset[str]
    """The durable consumers expected to park it."""


def _headers(event_type: str, source: str, marker: str) -> dict[str, str]:
    event_id = f"{marker}-{uuid.uuid4().hex[:8]}"
    return {"ce-specversion": "1.0", "ce-id": event_id, "ce-type": event_type, "ce-source": source, "ce-subject": marker,
            "ce-time": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
            "content-type": "application/json", "Nats-Msg-Id": event_id}


def _failure(marker: str, pack: PackRef | None = None) -> Envelope:
    return Envelope(AcceptanceFailed(
        project_id=marker, unit_id=f"U-{marker}", pack=pack or PackRef(id="BZ", version=PACKS["BZ"]), attempt=1, terminal=False,
        rule_id="BZ-29", concluded_on=date.today() - timedelta(days=3), recorded_at=datetime.now(timezone.utc),
        reasons=["poison"]), source="/services/acceptance")


async def send_poison(stack: FaultStack, kind: str, subject: str, filters: dict[str, list[str]]) -> Poison:
    """Publish one message no consumer can apply, of ``kind``, on ``subject`` (one the platform consumes)."""
    marker = f"POISON-{kind}-{uuid.uuid4().hex[:6]}"
    receivers = frozenset(name for name, subjects in filters.items() if subject in subjects)
    context = subject.split(".", 1)[0]
    headers = _headers(subject, f"/services/{context}", marker)
    body = json.dumps({"poison": marker}).encode()
    if kind == "malformed_json":
        body = b'{"poison": "' + marker.encode() + b'", "project_id": '
    elif kind == "schema_mismatch":
        pass  # valid JSON, none of the type's required fields
    elif kind == "unknown_version":
        headers["ce-type"] = subject.rsplit(".v", 1)[0] + ".v97"
    elif kind == "foreign_specversion":
        headers["ce-specversion"] = "0.3"
    elif kind in ("untrusted_source", "malformed_time"):
        envelope = _failure(marker)
        subject, body = envelope.nats_subject, envelope.body()
        headers = {**envelope.headers(), "ce-id": f"{marker}-{uuid.uuid4().hex[:8]}"}
        headers["Nats-Msg-Id"] = headers["ce-id"]
        if kind == "untrusted_source":
            headers["ce-source"] = "/services/intake"  # only acceptance publishes acceptance outcomes
        else:
            headers["ce-time"] = "yesterday"
        receivers = frozenset(name for name, subjects in filters.items() if subject in subjects)
    elif kind == "failing_handler":
        # Well-formed and from its producer, but under a pack version no service has: every
        # consumer's handler fails on it, retries, then parks it.
        envelope = _failure(marker, PackRef(id="BZ", version="1999.9"))
        subject, body = envelope.nats_subject, envelope.body()
        headers = {**envelope.headers(), "ce-id": f"{marker}-{uuid.uuid4().hex[:8]}"}
        headers["Nats-Msg-Id"] = headers["ce-id"]
        receivers = frozenset(name for name, subjects in filters.items() if subject in subjects)
    else:
        raise ValueError(kind)
    await retrying("publishing poison", lambda: stack.publish_raw(subject, body, headers))
    return Poison(kind, marker, subject, receivers)


# ---- the checker --------------------------------------------------------------------------------

@dataclass
class Verdict:
    flows: int = 0
    lost: int = 0
    duplicated: int = 0
    wrong: int = 0
    parked: int = 0
    poison_sent: int = 0
    findings: list[str] = field(default_factory=list)

    def lose(self, count: int, what: str) -> None:
        if count > 0:
            self.lost += count
            self.findings.append(f"lost {count}: {what}")

    def duplicate(self, count: int, what: str) -> None:
        if count > 0:
            self.duplicated += count
            self.findings.append(f"duplicated {count}: {what}")

    def mismatch(self, what: str) -> None:
        self.wrong += 1
        self.findings.append(f"wrong: {what}")

    @property
    def line(self) -> str:
        return f"flows={self.flows} lost={self.lost} duplicated={self.duplicated} parked={self.parked}"


async def quiesce(stack: FaultStack, dbs: dict[str, ServiceDatabase], timeout: float = 45) -> str:
    """Wait until every outbox is published and every consumer has nothing pending; returns
    what was still outstanding if that did not happen within ``timeout``."""
    await stack.all_ready()
    deadline = time.monotonic() + timeout
    calm_since: float | None = None
    outstanding = ""
    while time.monotonic() < deadline:
        try:
            unpublished = {name: await db.value("SELECT count(*) FROM outbox WHERE published_at IS NULL")
                           for name, db in dbs.items()}
            busy = {name: counts for name, counts in (await stack.pending()).items() if counts != (0, 0)}
        except Exception as exc:  # a server still coming back
            outstanding = repr(exc)
            calm_since = None
            await asyncio.sleep(0.5)
            continue
        outstanding = f"unpublished {unpublished}, consumers with work {busy}"
        if not any(unpublished.values()) and not busy:
            # Calm for a while, so a late redelivery would have landed before the check.
            calm_since = calm_since or time.monotonic()
            if time.monotonic() - calm_since > 3:
                return ""
        else:
            calm_since = None
        await asyncio.sleep(0.3)
    return outstanding


async def check(stack: FaultStack, dbs: dict[str, ServiceDatabase], api: dict[str, Api], flows: list[Flow],
                poisons: list[Poison], filters: dict[str, list[str]]) -> Verdict:
    verdict = Verdict(flows=len(flows), poison_sent=len(poisons))
    projects = [f.project_id for f in flows]
    units = [f.unit_id for f in flows]

    reviews = await dbs["acceptance"].fetch(
        "SELECT c.project_id, r.attempt, r.result, r.terminal, r.event_id FROM final_review r "
        "JOIN acceptance_case c ON c.id = r.case_id WHERE c.project_id = ANY($1::text[]) ORDER BY r.attempt", projects)
    cases = {r["project_id"]: r["terminated"] for r in await dbs["acceptance"].fetch(
        "SELECT project_id, terminated FROM acceptance_case WHERE project_id = ANY($1::text[])", projects)}
    blocks = await dbs["intake"].fetch(
        "SELECT unit_id, scope, rule_ids, project_id, cause_event_id, cause_event_type, lift_event_id FROM unit_block "
        "WHERE unit_id = ANY($1::text[])", units)
    holds = await dbs["procurement"].fetch(
        "SELECT project_id, scope, rule_ids, cause_event_id, cause_event_type, release_event_id FROM finance_hold "
        "WHERE project_id = ANY($1::text[])", projects)
    terminations = await dbs["procurement"].fetch(
        "SELECT project_id, reason, rule_ids, cause_event_id FROM project_termination WHERE project_id = ANY($1::text[])", projects)
    notices = await dbs["notify"].fetch(
        "SELECT unit_id, project_id, event_id, event_type FROM notification WHERE unit_id = ANY($1::text[]) AND audience = 'unit'", units)
    cloud = await dbs["procurement"].fetch(
        "SELECT headers->>'ce-subject' AS project_id FROM outbox WHERE event_type = 'procurement.cloud.resources_blocked.v1' "
        "AND headers->>'ce-subject' = ANY($1::text[])", projects)

    def by(rows, key):
        grouped: dict[str, list] = {}
        for row in rows:
            grouped.setdefault(row[key], []).append(row)
        return grouped

    reviews_of, blocks_of, holds_of = by(reviews, "project_id"), by(blocks, "unit_id"), by(holds, "project_id")
    terminations_of, cloud_of = by(terminations, "project_id"), by(cloud, "project_id")
    notices_of_unit = by(notices, "unit_id")

    for flow in flows:
        name = f"flow {flow.number} {flow.script.name} {flow.project_id}/{flow.unit_id}"
        model = expect(flow.script)
        index_of = {event_id: i for i, event_id in enumerate(flow.event_ids)}

        # acceptance: one review row per review the flow recorded, in order
        got = [(r["attempt"], r["result"], r["terminal"]) for r in reviews_of.get(flow.project_id, [])]
        counted = Counter(got)
        for entry, count in Counter(model.reviews).items():
            verdict.lose(count - counted[entry], f"{name}: review {entry} in acceptance")
            verdict.duplicate(counted[entry] - count, f"{name}: review {entry} in acceptance")
        for entry in set(counted) - set(model.reviews):
            verdict.mismatch(f"{name}: unexpected review {entry}")
        if bool(cases.get(flow.project_id)) != bool(model.terminations):
            (verdict.lose(1, f"{name}: acceptance did not hear of the termination") if model.terminations
             else verdict.mismatch(f"{name}: acceptance case terminated without cause"))

        # intake: the blocks the failures place (BZ-30, BY-22.8), lifted by the pass
        _compare_sanctions(verdict, name, "block", "lift", blocks_of.get(flow.unit_id, []), model.blocks,
                           lambda row: index_of.get(row["cause_event_id"], -1), "lift_event_id", flow,
                           check_project=True)
        # procurement: the holds (BZ-30, DY-24, BY-38b) and the termination (BY-47.3b)
        _compare_sanctions(verdict, name, "hold", "release", holds_of.get(flow.project_id, []), model.holds,
                           lambda row: TERMINATED if row["cause_event_type"] == "ProjectTerminated"
                           else index_of.get(row["cause_event_id"], -1), "release_event_id", flow)
        got_terminations = [(r["reason"], tuple(r["rule_ids"])) for r in terminations_of.get(flow.project_id, [])]
        verdict.lose(len(model.terminations) - len(got_terminations), f"{name}: termination")
        verdict.duplicate(len(got_terminations) - len(model.terminations), f"{name}: termination {got_terminations}")
        if got_terminations and model.terminations and got_terminations[0] != model.terminations[0]:
            verdict.mismatch(f"{name}: termination {got_terminations[0]}")
        got_cloud = len(cloud_of.get(flow.project_id, []))
        verdict.lose(model.cloud_blocks - got_cloud, f"{name}: CloudResourceBlocked (BZ-30)")
        verdict.duplicate(got_cloud - model.cloud_blocks, f"{name}: CloudResourceBlocked (BZ-30)")

        # notify: one notice in the unit's inbox per event that concerns it
        got_notices = Counter(row["event_type"] for row in notices_of_unit.get(flow.unit_id, []))
        wanted = model.notices() + Counter({"UnitStandingChanged": model.standing_changes})
        for event_type in set(wanted) | set(got_notices):
            verdict.lose(wanted[event_type] - got_notices[event_type], f"{name}: {event_type} notice")
            verdict.duplicate(got_notices[event_type] - wanted[event_type], f"{name}: {event_type} notice")

    await _check_delivery(verdict, dbs, filters)
    await _check_parking(verdict, dbs, api, poisons)
    return verdict


def _cause(error: str | None) -> str:
    """The line of a parked message's traceback that says what went wrong."""
    lines = [line for line in (error or "").splitlines() if line.strip() and not line.startswith("(Background")]
    return lines[-1][:300] if lines else ""


def _compare_sanctions(verdict: Verdict, name: str, what: str, ending: str, rows: list, expected: dict,
                       cause_of: Callable[[Any], Any], ended_by: str, flow: Flow, *, check_project: bool = False) -> None:
    """Each block (or hold) against the ones the flow's events require: keyed by the event that
    caused it and its scope, with its rules and what ended it; each present once, none extra."""
    seen: Counter = Counter()
    for row in rows:
        key = (cause_of(row), row["scope"])
        seen[key] += 1
        if key not in expected:
            verdict.mismatch(f"{name}: {what} {row['scope']} {list(row['rule_ids'])} caused by "
                             f"{row['cause_event_type']} {row['cause_event_id']} is not one the events require")
            continue
        if seen[key] > 1:
            verdict.duplicate(1, f"{name}: {what} {key}")
            continue
        rules, lifted_by = expected[key]
        if tuple(row["rule_ids"]) != rules or (check_project and row["project_id"] != flow.project_id):
            verdict.mismatch(f"{name}: {what} {key} has rules {list(row['rule_ids'])}, project {row.get('project_id')}")
        _compare_lift(verdict, name, f"{what} {key}", row[ended_by], lifted_by, flow.event_ids)
    for key, (rules, lifted_by) in expected.items():
        if not seen[key]:
            verdict.lose(1 + (lifted_by is not None), f"{name}: {what} {key} {rules} (placement and {ending})")


def _compare_lift(verdict: Verdict, name: str, what: str, lift_event_id: str | None, lifted_by: int | None,
                  event_ids: list[str]) -> None:
    if lifted_by is None and lift_event_id is not None:
        verdict.mismatch(f"{name}: {what} lifted by {lift_event_id}, though no event lifts it")
    elif lifted_by is not None and lift_event_id is None:
        verdict.lose(1, f"{name}: {what} still in force, though review {lifted_by + 1} ({event_ids[lifted_by]}) lifts it")
    elif lifted_by is not None and lift_event_id != event_ids[lifted_by]:
        verdict.mismatch(f"{name}: {what} lifted by {lift_event_id}, not by review {lifted_by + 1}")


async def _check_delivery(verdict: Verdict, dbs: dict[str, ServiceDatabase], filters: dict[str, list[str]]) -> None:
    """Every event any service committed was published, and is in the inbox of every consumer
    that takes its type: no event lost between the services, whatever its effect."""
    inbox: set[tuple[str, str]] = set()
    for name in dbs:
        inbox |= {(r["consumer"], r["event_id"]) for r in await dbs[name].fetch("SELECT consumer, event_id FROM inbox")}
    for name in dbs:
        rows = await dbs[name].fetch("SELECT event_id, subject, published_at IS NOT NULL AS published FROM outbox")
        verdict.lose(sum(1 for r in rows if not r["published"]), f"{name}: outbox rows never published")
        missing = [(consumer, r["event_id"], r["subject"]) for r in rows for consumer, subjects in filters.items()
                   if r["subject"] in subjects and (consumer, r["event_id"]) not in inbox]
        verdict.lose(len(missing), f"events of {name} never applied by a consumer: {missing[:5]}")


async def _check_parking(verdict: Verdict, dbs: dict[str, ServiceDatabase], api: dict[str, Api],
                         poisons: list[Poison]) -> None:
    """Every poison message parked, once, by each consumer it reached, as an operator sees it
    (``/ops/parked``); nothing else parked."""
    listed = []
    for name in dbs:
        response = await api[name].get("/ops/parked", as_=ADMIN)
        assert response.status_code == 200, response.text
        listed += response.json()
        in_db = await dbs[name].value("SELECT count(*) FROM parked_message")
        if in_db != len(response.json()):
            verdict.mismatch(f"{name}: /ops/parked lists {len(response.json())}, parked_message holds {in_db}")
    per_poison: dict[str, Counter] = {p.marker: Counter() for p in poisons}
    for row in listed:
        marker = next((m for m in per_poison if m in (row["payload"] or "") or m in (row["event_id"] or "")), None)
        if marker is None:
            verdict.mismatch(f"parked though no poison: {row['consumer']} {row['subject']} {row['event_id']} after "
                             f"{row['deliveries']} deliveries: {_cause(row['error'])}")
            continue
        per_poison[marker][row["consumer"]] += 1
    for poison in poisons:
        got = per_poison[poison.marker]
        verdict.duplicate(sum(count - 1 for count in got.values() if count > 1), f"poison {poison.kind} parked more than once")
        for consumer in set(got) - poison.receivers:
            verdict.mismatch(f"poison {poison.kind} parked by {consumer}, which was not to take it")
        if all(got[consumer] >= 1 for consumer in poison.receivers) and poison.receivers:
            verdict.parked += 1
        else:
            absent = sorted(c for c in poison.receivers if not got[c])
            verdict.findings.append(f"not parked: poison {poison.kind} ({poison.marker} on {poison.subject}) by {absent}")
