"""Unit standing as a state machine (RULES.md §3.10.1; BY-22.6, BY-22.7, BY-22.8, BY-22.9, BY-22.15,
BY-48d, BY-53.2, BY-53.3, BZ-11a, BZ-30, BZ-32c, BZ-47).

Any order of acceptance, filing, rectification, evaluation, supervision and deadline events, each
possibly delivered twice, must leave on every unit exactly the blocks the pack's sanction matrix
places, each lifted when, and only when, its lifting event arrives.

Which blocks an event places or lifts is decided inside intake's event handlers, next to their
queries, not in a function of its own; so the machine runs the real path: servicekit's
``Consumer.apply`` (whose inbox turns a redelivery into a no-op) and intake's ``SUBSCRIPTIONS``
handlers, over an in-memory stand-in for the database that answers the few simple queries they
make. The expected standing comes from an oracle that reads the pack's sanction rows as data and
never calls ``policy.sanctions`` or ``intake.domain.standing``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from contracts.envelope import Envelope
from contracts.events import (
    UnitStandingChanged,
)
from intake.domain.standing import DeclarationFacts, refusing_blocks
from intake.handlers import SUBSCRIPTIONS, as_block
from intake.models import Declaration, UnitBlock
from policy.packs import get_pack

from tests.support.memory_platform import (SHANGHAI, START, PACKS, UNITS, PROJECTS, IDLE_FINDING, IDLE_DEADLINE, GRADES, Clock, Service, Events, fits)


BLOCK_EFFECTS = {"unit_block": None, "review_suspension": "reviews_suspended"}
"""The effects intake keeps (§3.10.1 'Effect owner: intake'); a suspension is kept under its own scope."""

REFUSES_EVERY_DECLARATION = {"all_new_projects", "information_systems", "other_systems_next_year"}
"""BY-22.6/.7/.15, BZ-11a, BZ-30 (不予立项); BZ-47 (no new, rebuilt or expanded information system);
BZ-32c (no other system next year)."""
REFUSES_THE_SAME_CLASS = {"same_type", "same_type_next_year"}
"""BY-22.9, BY-53.2, BY-53.3: the same BY-4 class (A-6)."""
REFUSES_AN_UPGRADE = {"upgrade_of_project"}
"""BY-22.8: an upgrade of the project that has not passed."""
REFUSES_NOTHING = {"reviews_suspended"}
"""BY-48d pauses reviews; it does not refuse the declaration itself."""

# ---- the oracle -------------------------------------------------------------------------------------------



@dataclass(frozen=True)
class ExpectedBlock:
    unit_id: str
    scope: str
    rule_ids: tuple[str, ...]
    project_id: str | None
    cause_event_id: str
    lifted_by: str | None
    until: date | None
    project_class: str | None


@dataclass
class StandingOracle:
    """The blocks the pack's sanction rows place and lift, read independently of the code under test.

    A row whose effect intake keeps is placed by an event of its trigger whose facts fit its
    condition; it is lifted by an event of its release type whose facts fit the release condition
    and which is about the same project, or which answers the event that placed it. A release
    ``after`` a period leaves the block standing until 31 December of the year after it was placed
    (BY-53.2, BZ-32c; A-18).
    """

    pack_id: str
    classes: dict[str, str]
    answers_only: set[str] = field(default_factory=set)
    """Lifting events that lift only the blocks set off by the event they answer (a stricter reading)."""
    active: dict[tuple[str, str], tuple[ExpectedBlock, dict, str | None]] = field(default_factory=dict)
    """Each block with its release condition and the sub-project its cause concerned (BY-47.3b)."""
    seen: set[str] = field(default_factory=set)
    answered: dict[str, str] = field(default_factory=dict)
    """For an event that answers another (RectificationOverdue), the event it answers."""

    def deliver(self, envelope: Envelope, today: date) -> None:
        if envelope.id in self.seen:
            return
        self.seen.add(envelope.id)
        event, name = envelope.data, type(envelope.data).__name__
        facts = event.model_dump(mode="json")
        project, unit, answers = getattr(event, "project_id", None), event.unit_id, getattr(event, "cause_event_id", None)
        if answers is not None:
            self.answered[envelope.id] = answers
        sub_project = getattr(event, "sub_project_id", None)
        for key, (block, when, about) in list(self.active.items()):
            if block.unit_id != unit or block.lifted_by != name or not fits(when, facts):
                continue
            set_off_by = {block.cause_event_id, self.answered.get(block.cause_event_id)}
            same_project = (block.project_id is not None and block.project_id == project
                            and (sub_project is None or about == sub_project))
            if (answers is not None and answers in set_off_by) or (same_project and name not in self.answers_only):
                del self.active[key]
        if getattr(event, "pack", None) is None:
            return
        for row in get_pack(self.pack_id).sanctions:
            if row.trigger != name or row.effect not in BLOCK_EFFECTS or not fits(dict(row.when), facts):
                continue
            scope = BLOCK_EFFECTS[row.effect] or row.scope
            release = row.release
            until = date(today.year + 1, 12, 31) if release is not None and release.after == "end_of_next_year" else None
            block = ExpectedBlock(unit, scope, tuple(row.rules), project, envelope.id, release.event if release else None,
                                  until, self.classes.get(project) if project else None)
            self.active.setdefault((envelope.id, scope), (block, dict(release.when) if release else {}, sub_project))

    def blocks(self) -> set[ExpectedBlock]:
        return {block for block, _, _ in self.active.values()}

    def refusing_rules(self, unit: str, project_class: str, upgrade_of: str | None, today: date) -> set[str]:
        refusing = set()
        for block in self.blocks():
            if block.unit_id != unit or (block.until is not None and today > block.until):
                continue
            if block.scope in REFUSES_EVERY_DECLARATION:
                hit = True
            elif block.scope in REFUSES_THE_SAME_CLASS:
                hit = block.project_class is None or block.project_class == project_class
            elif block.scope in REFUSES_AN_UPGRADE:
                hit = upgrade_of is not None and upgrade_of == block.project_id
            elif block.scope in REFUSES_NOTHING:
                hit = False
            else:
                raise AssertionError(f"scope {block.scope} of {block.rule_ids}: say here what it refuses")
            if hit:
                refusing |= set(block.rule_ids)
        return refusing


# ---- the machine ------------------------------------------------------------------------------------------


def named_in_matrix(pack_id: str, trigger: str) -> list[str]:
    """The kinds of finding or timer the pack's rows for ``trigger`` name, so the runs spend their
    steps on events that matter to this pack."""
    kinds: set[str] = set()
    for row in get_pack(pack_id).sanctions:
        named = row.when.get("kind") if row.trigger == trigger else None
        kinds |= set(named) if isinstance(named, (list, tuple)) else {named} if named else set()
    return sorted(kinds)


def pack_classes(pack_id: str) -> dict[str, str]:
    """P-1 and P-3 share a class and P-2 has another, so same-type bans are told apart (A-6)."""
    types = get_pack(pack_id).scope.project_types
    return {"P-1": types[0], "P-2": types[1], "P-3": types[0]}


class StandingMachine(RuleBasedStateMachine):
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
        self.classes = pack_classes(self.pack_id)
        self.intake = Service("intake", SUBSCRIPTIONS, self.clock)
        for project, project_class in self.classes.items():
            self.intake.memory.rows(Declaration).append(
                Declaration(project_id=project, unit_id=PROJECTS[project], project_class=project_class))
        self.oracle = StandingOracle(self.pack_id, self.classes, set(self.answers_only))
        self.published: list[Envelope] = []

    def teardown(self) -> None:
        self.intake.close()

    @property
    def today(self) -> date:
        return self.clock.now().astimezone(SHANGHAI).date()

    def _send(self, envelope: Envelope) -> Envelope:
        self.oracle.deliver(envelope, self.today)
        self.published = self.intake.deliver(envelope)
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

    @rule(envelope=st.one_of(delivered, overdue_causes))
    def redelivered(self, envelope):
        """At-least-once delivery: the same event again, after whatever came in between."""
        before = self.actual()
        self._send(envelope)
        assert self.published == [], "a redelivery published a standing change"
        assert self.actual() == before

    @rule(days=st.sampled_from([1, 40, 200, 400]))
    def time_passes(self, days):
        self.clock.instant += timedelta(days=days)

    def actual(self) -> set[ExpectedBlock]:
        return {ExpectedBlock(row.unit_id, row.scope, tuple(row.rule_ids), row.project_id, row.cause_event_id, row.lifted_by,
                              row.until, row.project_class)
                for row in self.intake.memory.rows(UnitBlock) if row.lifted_at is None}

    @invariant()
    def blocks_are_those_the_matrix_requires(self):
        actual, expected = self.actual(), self.oracle.blocks()
        assert actual == expected, f"missing {expected - actual}; extra {actual - expected}"

    @invariant()
    def a_declaration_is_refused_by_exactly_the_blocks_that_refuse_it(self):
        for unit in UNITS:
            rows = [as_block(row) for row in self.intake.memory.rows(UnitBlock) if row.unit_id == unit and row.lifted_at is None]
            for project_class in set(self.classes.values()):
                for upgrade_of in [None, *sorted(PROJECTS)]:
                    refused = refusing_blocks(rows, DeclarationFacts(unit, upgrade_of, project_class, self.today))
                    expected = self.oracle.refusing_rules(unit, project_class, upgrade_of, self.today)
                    assert {rule for block in refused for rule in block.rule_ids} == expected, (unit, project_class, upgrade_of)

    @invariant()
    def the_published_standing_is_the_ledger(self):
        for envelope in self.published:
            assert isinstance(envelope.data, UnitStandingChanged)
            standing = envelope.data
            active = {(tuple(b.rule_ids), b.cause_event_id, b.project_id) for b in standing.blocks}
            ledger = {(b.rule_ids, b.cause_event_id, b.project_id) for b in self.oracle.blocks() if b.unit_id == standing.unit_id}
            assert active == ledger
            assert standing.reviews_suspended == any(
                b.scope == "reviews_suspended" for b in self.oracle.blocks() if b.unit_id == standing.unit_id)
            assert standing.changed_blocks, "a standing change names what changed"


EXAMPLES = {"BY": 100, "BZ": 100, "DY": 50, "YL": 50, "YF": 10}
"""YF's matrix is empty: a few runs show that nothing blocks; the busy matrices get the most."""


def run_settings(pack_id: str) -> settings:
    return settings(max_examples=EXAMPLES[pack_id], stateful_step_count=35, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def machine_for(pack_id: str, **overrides) -> Callable[[], StandingMachine]:
    return type(f"StandingMachine{pack_id}", (StandingMachine,), {"pack_id": pack_id, **overrides})  # type: ignore[return-value]


@pytest.mark.parametrize("pack_id", PACKS)
def test_any_order_of_events_leaves_exactly_the_blocks_of_the_sanction_matrix(pack_id):
    """BY-22.6–22.9, BY-22.15, BY-48d, BY-53.2/.3, BZ-11a, BZ-30, BZ-32c, BZ-47: placed by their trigger,
    lifted by their release for the same project or the event it answers, unchanged by redelivery."""
    run_state_machine_as_test(machine_for(pack_id), settings=run_settings(pack_id))


# ---- orders the machine found, and what the text says that the pack does not ----------------------------


def active_rules(machine: StandingMachine, project: str | None = None) -> list[tuple[str, ...]]:
    return sorted(block.rule_ids for block in machine.actual() if project is None or block.project_id == project)


@pytest.fixture
def standing():
    machines: list[StandingMachine] = []

    def start(pack_id: str) -> StandingMachine:
        machines.append(machine_for(pack_id)())
        return machines[-1]

    yield start
    for machine in machines:
        machine.teardown()


def test_by_22_8_a_pass_lifts_the_block_of_its_own_project_only_and_a_redelivered_failure_changes_nothing(standing):
    machine = standing("BY")
    failed_1 = machine._send(machine.events.failed("P-1", False, None))
    machine._send(machine.events.failed("P-2", False, None))
    machine._send(machine.events.passed("P-1"))
    machine._send(failed_1)
    assert active_rules(machine) == [("BY-22.8",)] and active_rules(machine, "P-2") == [("BY-22.8",)]


def test_by_47_3b_a_sub_projects_pass_lifts_only_that_sub_projects_block(standing):
    """BY-22.8 on two failed sub-projects of one project: the pass of one leaves the other's block and
    the whole project's; a pass of the whole project lifts whatever of it is left."""
    machine = standing("BY")
    machine._send(machine.events.failed("P-1", False, "S-1"))
    other = machine._send(machine.events.failed("P-1", False, "S-2"))
    whole = machine._send(machine.events.failed("P-1", False, None))
    machine._send(machine.events.passed("P-1", "S-1"))
    assert {row.cause_event_id for row in machine.intake.memory.rows(UnitBlock) if row.lifted_at is None} == {other.id, whole.id}
    assert {row.sub_project_id for row in machine.intake.memory.rows(UnitBlock) if row.lifted_at is None} == {"S-2", None}
    machine._send(machine.events.passed("P-1"))
    assert active_rules(machine) == []


@pytest.mark.parametrize(("pack_id", "rule_id"), [("BY", "BY-22.15"), ("BZ", "BZ-47")])
def test_by_22_15_bz_47_a_rectification_lifts_only_the_block_of_the_finding_it_answers(standing, pack_id, rule_id):
    """Two security findings on one project; the first is rectified, the second still stands (BY-22.15:
    存在重大安全隐患未完成整改; RectificationCompleted 'clears the blocks it caused')."""
    machine = standing(pack_id)
    first = machine._send(machine.events.finding("P-1", "security", "major"))
    second = machine._send(machine.events.finding("P-1", "security", "major"))
    machine._send(machine.events.rectified(first))
    assert {(block.rule_ids, block.cause_event_id) for block in machine.actual()} == {((rule_id,), second.id)}


def test_by_22_7_a_filing_left_unrectified_refuses_new_projects(standing):
    """BY-22.7: 验收备案不符合要求且未完成整改 → 不予立项 (RULES.md §3 BY-22.7 reacts to RectificationOverdue);
    BY-48d suspends the unit's reviews as well."""
    machine = standing("BY")
    sent_back = machine._send(machine.events.filing_rejected("P-1", final=False))
    machine._send(machine.events.overdue(sent_back, "overdue"))
    assert active_rules(machine) == [("BY-22.7",), ("BY-48d",)]


def test_by_53_2_a_grade_handled_after_new_year_still_bans_the_year_after_the_grading(standing):
    """BY-53.2 下一年度, read as the calendar year after the grading (A-18): a grade of 30 December 2026
    bans the class through 2027, even when intake catches up with it in January."""
    machine = standing("BY")
    machine.clock.instant = datetime(2026, 12, 30, 2, 0, tzinfo=timezone.utc)
    graded = machine.events.evaluated("P-1", "unqualified")
    machine.clock.instant = datetime(2027, 1, 4, 2, 0, tzinfo=timezone.utc)
    machine.intake.deliver(graded)
    assert [(block.rule_ids, block.until) for block in machine.actual()] == [(("BY-53.2",), date(2027, 12, 31))]
