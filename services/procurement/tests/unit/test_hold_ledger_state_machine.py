"""The finance hold ledger as a state machine (RULES.md §3.10.1; BY-32b, BY-38b, BY-45d, BY-48d, BY-37.3,
BY-47.3b, DY-24, BZ-30, BZ-32c, BZ-47, YL-19b).

Any order of acceptance, filing, rectification, evaluation, supervision and deadline events, each
possibly delivered twice, must leave on every project exactly the holds the pack's sanction matrix
places, each released when, and only when, its releasing event arrives; a termination places its
recovery hold (BY-47.3b → BY-38b) once.

Procurement decides holds in ``procurement.ledger`` next to its queries, not in a function of its
own; so the machine runs the real path: servicekit's ``Consumer.apply`` (whose inbox turns a
redelivery into a no-op), ``procurement.handlers`` and ``procurement.ledger``, over an in-memory
stand-in for the database that answers the few simple queries they make. The expected ledger comes
from an oracle that reads the pack's sanction rows as data and never calls ``policy.sanctions`` or
the ledger. Which payments a hold binds is asked of the pure ``procurement.domain.clearance.applies``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from contracts.envelope import Envelope
from contracts.events import (
    FinanceHoldPlaced,
    FinanceHoldReleased,
    ProjectTerminated,
)
from policy.packs import get_pack
from procurement.domain.clearance import HoldView, Known, Question, applies
from procurement.handlers import SUBSCRIPTIONS
from procurement.models import ContractRecord, FinanceHold, ProcurementProject, ProjectTermination

from tests.support.memory_platform import (SHANGHAI, START, PACKS, UNITS, PROJECTS, IDLE_FINDING, IDLE_DEADLINE, GRADES, Clock, Service, Events, fits)


BINDS_ONLY_THE_FINAL_PAYMENT = {"final_payment"}
"""BY-45d: the 终验款 waits for the compliance opinion; other payments do not."""
BINDS_EVERY_PAYMENT = {"remaining", "recover_remaining", "no_funding", "no_om_funding"}
"""BY-48d, DY-24 (remaining amounts), BY-38b (recovery), YL-19b (no funds), BZ-30/BZ-32c/BZ-47 (no O&M
funds, asked here of an O&M project)."""

# ---- the oracle -------------------------------------------------------------------------------------------



@dataclass(frozen=True)
class ExpectedHold:
    project_id: str
    unit_id: str
    scope: str
    rule_ids: tuple[str, ...]
    root_event_id: str
    """The delivered event that set the hold off, through the termination it caused where it did."""
    lifted_by: str | None
    expires_on: date | None
    hold_mode: str


@dataclass
class LedgerOracle:
    """The holds the pack's sanction rows place and release, read independently of the code under test.

    A ``finance_hold`` row is placed on the event's project by an event of its trigger whose facts
    fit its condition (a deadline's facts include whether a contract is filed, BY-37.3, A-12); a
    ``terminate_project`` row ends the project or sub-project once, and the termination's own rows
    follow (BY-47.3b → BY-38b). A hold is released by an event of its release type about the same
    project whose facts fit the release condition. A release ``after`` a period leaves the hold in
    the ledger, binding nothing after 31 December of the year after it was placed (BZ-32c; A-18).
    An event about no project holds no payment.
    """

    pack_id: str
    answers_only: set[str] = field(default_factory=set)
    """Releasing events that release only the holds set off by the event they answer (a stricter reading)."""
    active: dict[tuple[str, str], tuple[ExpectedHold, dict, str | None]] = field(default_factory=dict)
    """Each hold with its release condition and the sub-project its cause concerned (BY-47.3b)."""
    terminated: set[tuple[str, str]] = field(default_factory=set)
    contracts: set[str] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)
    answered: dict[str, str] = field(default_factory=dict)

    def deliver(self, envelope: Envelope, today: date) -> None:
        if envelope.id in self.seen:
            return
        self.seen.add(envelope.id)
        event, name = envelope.data, type(envelope.data).__name__
        project, answers = getattr(event, "project_id", None), getattr(event, "cause_event_id", None)
        if answers is not None:
            self.answered[envelope.id] = answers
        if project is None:
            return
        facts = event.model_dump(mode="json")
        if name == "DeadlineElapsed":
            facts["contract_filed"] = project in self.contracts
        sub_project = getattr(event, "sub_project_id", None)
        for key, (hold, when, about) in list(self.active.items()):
            if hold.project_id != project or hold.lifted_by != name or not fits(when, facts):
                continue
            if sub_project is not None and about != sub_project:
                continue
            if name in self.answers_only and answers not in {hold.root_event_id, self.answered.get(hold.root_event_id)}:
                continue
            del self.active[key]
        self._place(name, facts, envelope.id, project, event.unit_id, getattr(event, "sub_project_id", None), today)

    def _place(self, trigger: str, facts: dict, root: str, project: str, unit: str, sub_project: str | None, today: date):
        for row in get_pack(self.pack_id).sanctions:
            if row.trigger != trigger or not fits(dict(row.when), facts):
                continue
            if row.effect == "finance_hold":
                release = row.release
                expires = date(today.year + 1, 12, 31) if release is not None and release.after == "end_of_next_year" else None
                hold = ExpectedHold(project, unit, row.scope, tuple(row.rules), root, release.event if release else None,
                                    expires, row.hold_mode)
                self.active.setdefault((root, row.scope), (hold, dict(release.when) if release else {}, sub_project))
            elif row.effect == "terminate_project" and (project, sub_project or "") not in self.terminated:
                self.terminated.add((project, sub_project or ""))
                reason = "lapsed" if row.scope == "lapsed" else "acceptance_failed"
                self._place("ProjectTerminated", {"reason": reason}, root, project, unit, sub_project, today)

    def holds(self) -> set[ExpectedHold]:
        return {hold for hold, _, _ in self.active.values()}

    def binding(self, project: str, final_payment: bool, today: date) -> set[tuple[str, str]]:
        """The holds that stop a payment of an O&M project today, by (root event, scope)."""
        binding = set()
        for hold in self.holds():
            if hold.project_id != project or (hold.expires_on is not None and today > hold.expires_on):
                continue
            if hold.scope in BINDS_ONLY_THE_FINAL_PAYMENT:
                hit = final_payment
            elif hold.scope in BINDS_EVERY_PAYMENT:
                hit = True
            else:
                raise AssertionError(f"scope {hold.scope} of {hold.rule_ids}: say here which payments it stops")
            if hit:
                binding.add((hold.root_event_id, hold.scope))
        return binding


# ---- the machine ------------------------------------------------------------------------------------------


def named_in_matrix(pack_id: str, trigger: str) -> list[str]:
    """The kinds of finding or timer the pack's rows for ``trigger`` name, so the runs spend their
    steps on events that matter to this pack."""
    kinds: set[str] = set()
    for row in get_pack(pack_id).sanctions:
        named = row.when.get("kind") if row.trigger == trigger else None
        kinds |= set(named) if isinstance(named, (list, tuple)) else {named} if named else set()
    return sorted(kinds)


class LedgerMachine(RuleBasedStateMachine):
    pack_id = "BY"
    answers_only: frozenset[str] = frozenset({"RectificationCompleted"})
    """Lifting events that lift only what the event they answer set off: a rectification answers one
    failure or finding, not every block of its project (BY-22.15, BZ-47, YL-19b)."""

    delivered = Bundle("delivered")
    overdue_causes = Bundle("overdue_causes")
    """What acceptance reports a rectification overdue for: a failed final review, a filing sent back,
    an evaluation, a supervision finding."""
    rectified_causes = Bundle("rectified_causes")
    """What acceptance confirms rectified: an evaluation's findings (BY-53.3), a supervision finding (BZ-43a)."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = Clock(START)
        self.events = Events(self.pack_id, self.clock)
        pack = get_pack(self.pack_id)
        self.procurement = Service("procurement", SUBSCRIPTIONS, self.clock)
        for project, unit in PROJECTS.items():
            self.procurement.memory.rows(ProcurementProject).append(ProcurementProject(
                project_id=project, unit_id=unit, pack_id=pack.id, pack_version=pack.version,
                project_class=pack.scope.project_types[0], authorised_by="approval", authorising_event_id="A-1",
                authorising_rules=[f"{pack.id}-1"], approved_amount_fen=100_000_000, original_amount_fen=100_000_000,
                approved_on=START.date(), status="open", registered_at=START))
        self.oracle = LedgerOracle(self.pack_id, set(self.answers_only))
        self.emitted: dict[str, Envelope] = {}
        self.published: list[Envelope] = []

    def teardown(self) -> None:
        self.procurement.close()

    @property
    def today(self) -> date:
        return self.clock.now().astimezone(SHANGHAI).date()

    def _send(self, envelope: Envelope) -> Envelope:
        self.oracle.deliver(envelope, self.today)
        self.published = self.procurement.deliver(envelope)
        self.emitted.update((published.id, published) for published in self.published)
        return envelope

    @rule(target=overdue_causes, project=st.sampled_from(sorted(PROJECTS)), terminal=st.booleans(),
          sub_project=st.sampled_from([None, "S-1", "S-2"]))
    def acceptance_failed(self, project, terminal, sub_project):
        return self._send(self.events.failed(project, terminal, sub_project))

    @rule(target=delivered, project=st.sampled_from(sorted(PROJECTS)), sub_project=st.sampled_from([None, "S-1", "S-2"]))
    def acceptance_passed(self, project, sub_project):
        return self._send(self.events.passed(project, sub_project))

    @rule(target=overdue_causes, project=st.sampled_from(sorted(PROJECTS)), final=st.booleans())
    def filing_rejected(self, project, final):
        return self._send(self.events.filing_rejected(project, final))

    @rule(target=delivered, project=st.sampled_from(sorted(PROJECTS)))
    def filing_accepted(self, project):
        return self._send(self.events.filed(project))

    @rule(targets=(overdue_causes, rectified_causes), project=st.sampled_from(sorted(PROJECTS)),
          grade=st.sampled_from(GRADES))
    def evaluation_completed(self, project, grade):
        return self._send(self.events.evaluated(project, grade))

    @rule(targets=(overdue_causes, rectified_causes), subject=st.sampled_from(sorted(PROJECTS) + list(UNITS)),
          data=st.data(), severity=st.sampled_from(["general", "serious"]))
    def supervision_finding(self, subject, data, severity):
        kind = data.draw(st.sampled_from(named_in_matrix(self.pack_id, "SupervisionFindingRecorded") + [IDLE_FINDING]))
        return self._send(self.events.finding(subject, kind, severity))

    @rule(target=delivered, project=st.sampled_from(sorted(PROJECTS)), data=st.data())
    def deadline_elapsed(self, project, data):
        kind = data.draw(st.sampled_from(named_in_matrix(self.pack_id, "DeadlineElapsed") + [IDLE_DEADLINE]))
        return self._send(self.events.deadline(project, kind))

    @rule(target=delivered, cause=overdue_causes, reason=st.sampled_from(["overdue", "still_non_compliant", "refused"]))
    def rectification_overdue(self, cause, reason):
        return self._send(self.events.overdue(cause, reason))

    @rule(target=delivered, cause=rectified_causes)
    def rectification_completed(self, cause):
        return self._send(self.events.rectified(cause))

    @rule(target=delivered, project=st.sampled_from(sorted(PROJECTS)))
    def data_aggregation_confirmed(self, project):
        return self._send(self.events.aggregated(project))

    @rule(target=delivered, project=st.sampled_from(sorted(PROJECTS)), consent=st.booleans())
    def compliance_opinion(self, project, consent):
        return self._send(self.events.opinion(project, consent))

    @rule(project=st.sampled_from(sorted(PROJECTS)))
    def contract_filed(self, project):
        """A filed contract keeps an expiring approval from lapsing the project (BY-37.3)."""
        if project not in self.oracle.contracts:
            self.oracle.contracts.add(project)
            self.procurement.memory.rows(ContractRecord).append(ContractRecord(project_id=project, unit_id=PROJECTS[project]))

    @rule(envelope=st.one_of(delivered, overdue_causes))
    def redelivered(self, envelope):
        """At-least-once delivery: the same event again, after whatever came in between."""
        before = self.actual()
        self._send(envelope)
        assert self.published == [], "a redelivery published again"
        assert self.actual() == before

    @rule(days=st.sampled_from([1, 40, 200, 400]))
    def time_passes(self, days):
        self.clock.instant += timedelta(days=days)

    def _root(self, hold: FinanceHold) -> str:
        if hold.cause_event_type == "ProjectTerminated":
            return self.emitted[hold.cause_event_id].data.cause_event_id
        return hold.cause_event_id

    def actual(self) -> set[ExpectedHold]:
        return {ExpectedHold(hold.project_id, hold.unit_id, hold.scope, tuple(hold.rule_ids), self._root(hold), hold.lifted_by,
                             hold.expires_on, hold.hold_mode)
                for hold in self.procurement.memory.rows(FinanceHold) if hold.released_at is None}

    @invariant()
    def holds_are_those_the_matrix_requires(self):
        actual, expected = self.actual(), self.oracle.holds()
        assert actual == expected, f"missing {expected - actual}; extra {actual - expected}"

    @invariant()
    def each_project_or_sub_project_ends_once(self):
        ended = [(row.project_id, row.sub_project_key) for row in self.procurement.memory.rows(ProjectTermination)]
        assert sorted(ended) == sorted(self.oracle.terminated)
        terminated = {event.data.project_id for event in self.emitted.values()
                      if isinstance(event.data, ProjectTerminated) and event.data.sub_project_id is None}
        assert terminated == {row.project_id for row in self.procurement.memory.rows(ProcurementProject)
                              if row.status == "terminated"}

    @invariant()
    def finance_hears_of_every_placement_and_release_once(self):
        placed = Counter(e.data.hold_id for e in self.emitted.values() if isinstance(e.data, FinanceHoldPlaced))
        released = Counter(e.data.hold_id for e in self.emitted.values() if isinstance(e.data, FinanceHoldReleased))
        rows = self.procurement.memory.rows(FinanceHold)
        assert placed == Counter(str(hold.id) for hold in rows)
        assert released == Counter(str(hold.id) for hold in rows if hold.released_at is not None)

    @invariant()
    def a_payment_is_stopped_by_exactly_the_holds_that_bind_it(self):
        known = Known(authorised=True, gate_rules=(), project_class="operation_maintenance", contract=None,
                      contract_rules=(), compliance=None, compliance_rules=(), unapplied_events=0)
        for project in PROJECTS:
            rows = [hold for hold in self.procurement.memory.rows(FinanceHold)
                    if hold.project_id == project and hold.released_at is None]
            for milestone in ("progress", "final_payment"):
                question = Question(project, None, milestone, 1, self.today)
                stopping = {(self._root(hold), hold.scope) for hold in rows if applies(
                    HoldView(str(hold.id), hold.scope, tuple(hold.rule_ids), hold.contract_id, hold.hold_mode,
                             hold.message_en, hold.message_zh, hold.expires_on), question, known)}
                assert stopping == self.oracle.binding(project, milestone == "final_payment", self.today), (project, milestone)


EXAMPLES = {"BY": 100, "BZ": 100, "DY": 50, "YL": 50, "YF": 10}
"""YF's matrix is empty: a few runs show that nothing holds; the busy matrices get the most."""


def run_settings(pack_id: str) -> settings:
    return settings(max_examples=EXAMPLES[pack_id], stateful_step_count=35, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def machine_for(pack_id: str, **overrides) -> Callable[[], LedgerMachine]:
    return type(f"LedgerMachine{pack_id}", (LedgerMachine,), {"pack_id": pack_id, **overrides})  # type: ignore[return-value]


@pytest.mark.parametrize("pack_id", PACKS)
def test_any_order_of_events_leaves_exactly_the_holds_of_the_sanction_matrix(pack_id):
    """BY-38b, BY-45d, BY-48d, DY-24, BZ-30, BZ-32c, BZ-47, YL-19b: placed by their trigger, released by
    their release for the same project, once per termination (BY-47.3b, BY-37.3), unchanged by redelivery."""
    run_state_machine_as_test(machine_for(pack_id), settings=run_settings(pack_id))


# ---- orders the machine found --------------------------------------------------------------------------------


@pytest.fixture
def ledger():
    machines: list[LedgerMachine] = []

    def start(pack_id: str) -> LedgerMachine:
        machines.append(machine_for(pack_id)())
        return machines[-1]

    yield start
    for machine in machines:
        machine.teardown()


def test_by_47_3b_a_redelivered_terminal_failure_ends_the_project_once_with_one_by_38b_recovery(ledger):
    machine = ledger("BY")
    failed = machine._send(machine.events.failed("P-1", True, None))
    machine._send(machine.events.deadline("P-1", "approval_validity"))
    machine._send(failed)
    assert [(hold.rule_ids, hold.root_event_id) for hold in machine.actual()] == [(("BY-38b",), failed.id)]
    assert [row.sub_project_key for row in machine.procurement.memory.rows(ProjectTermination)] == [""]


def test_dy_24_a_pass_releases_the_holds_of_its_own_project_only(ledger):
    machine = ledger("DY")
    machine._send(machine.events.failed("P-1", False, None))
    other = machine._send(machine.events.failed("P-2", False, None))
    machine._send(machine.events.passed("P-1"))
    assert [(hold.rule_ids, hold.root_event_id) for hold in machine.actual()] == [(("DY-24",), other.id)]


def test_by_47_3b_a_sub_projects_pass_releases_only_that_sub_projects_hold(ledger):
    """DY-24 holds on two failed sub-projects of one project: one passing leaves the other's payments
    stopped; the whole project passing releases them."""
    machine = ledger("DY")
    machine._send(machine.events.failed("P-1", False, "S-1"))
    other = machine._send(machine.events.failed("P-1", False, "S-2"))
    machine._send(machine.events.passed("P-1", "S-1"))
    assert [(hold.rule_ids, hold.root_event_id) for hold in machine.actual()] == [(("DY-24",), other.id)]
    assert [hold.sub_project_id for hold in machine.procurement.memory.rows(FinanceHold) if hold.released_at is None] == ["S-2"]
    machine._send(machine.events.passed("P-1"))
    assert machine.actual() == set()


@pytest.mark.parametrize(("pack_id", "first_kind", "second_kind", "rule_id"),
                         [("BZ", "security", "security", "BZ-47"), ("YL", "cloud_usage", "xinchuang", "YL-19b")])
def test_bz_47_yl_19b_a_rectification_releases_only_the_hold_of_the_finding_it_answers(ledger, pack_id, first_kind,
                                                                                       second_kind, rule_id):
    """Two findings on one project; the first is rectified, the second still stops the funds (BZ-47: until
    remedied; YL-19b: 整改到位前不安排资金)."""
    machine = ledger(pack_id)
    first = machine._send(machine.events.finding("P-1", first_kind, "major"))
    second = machine._send(machine.events.finding("P-1", second_kind, "major"))
    machine._send(machine.events.rectified(first))
    assert [(hold.rule_ids, hold.root_event_id) for hold in machine.actual()] == [((rule_id,), second.id)]


def test_bz_32c_a_finding_handled_after_new_year_still_stops_the_funds_of_the_year_after_it(ledger):
    """BZ-32c 次年度: no O&M funds in the year after the finding (A-18), even when procurement catches up in January."""
    machine = ledger("BZ")
    machine.clock.instant = datetime(2026, 12, 30, 2, 0, tzinfo=timezone.utc)
    finding = machine.events.finding("P-1", "data_sharing", "major")
    machine.clock.instant = datetime(2027, 1, 4, 2, 0, tzinfo=timezone.utc)
    machine.procurement.deliver(finding)
    assert [(hold.rule_ids, hold.expires_on) for hold in machine.actual()] == [(("BZ-32c",), date(2027, 12, 31))]
