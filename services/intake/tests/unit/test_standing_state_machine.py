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

import asyncio
import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import partial
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import PrimaryKeyConstraint, UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import BindParameter, BooleanClauseList, False_, Null, True_, UnaryExpression

from contracts.base import PackRef
from contracts.envelope import Envelope
from contracts.events import (
    AcceptanceFailed,
    AcceptanceFiled,
    AcceptanceFilingRejected,
    AcceptancePassed,
    ComplianceOpinionIssued,
    DataAggregationConfirmed,
    DeadlineElapsed,
    EvaluationCompleted,
    RectificationCompleted,
    RectificationOverdue,
    SupervisionFindingRecorded,
    UnitStandingChanged,
)
from intake.domain.standing import DeclarationFacts, refusing_blocks
from intake.handlers import SUBSCRIPTIONS, as_block
from intake.models import Declaration, UnitBlock
from policy.packs import get_pack
from servicekit.consumer import Consumer, ConsumerPolicy
from servicekit.db import UnitOfWork

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai: the same business day

PACKS = ("BY", "YF", "BZ", "DY", "YL")
UNITS = ("U-1", "U-2")
PROJECTS = {"P-1": "U-1", "P-2": "U-1", "P-3": "U-2"}
"""Two projects of one unit, so lifting one project's block must leave the other's, and a second unit."""

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

IDLE_FINDING, IDLE_DEADLINE = "quality", "warranty_end"
"""A finding and a timer no matrix attaches anything to, drawn beside those the pack names."""
SOURCE_OF = {AcceptanceFailed: "final_acceptance", AcceptanceFilingRejected: "acceptance_filing",
             EvaluationCompleted: "evaluation", SupervisionFindingRecorded: "supervision"}
"""A rectification's source follows what it rectifies, as acceptance reports it (BY-47.3a, BY-48c, BY-53.3, BZ-43a)."""
GRADES = (None, "excellent", "qualified", "basically_qualified", "unqualified")


# ---- an in-memory database that answers the handlers' queries --------------------------------------------


class Scalars:
    def __init__(self, values: list):
        self._values = values

    def first(self):
        return self._values[0] if self._values else None

    def all(self):
        return list(self._values)

    def __iter__(self):
        return iter(self._values)


class Rows(Scalars):
    """A result: rows of one column or one entity each."""

    def scalars(self) -> Scalars:
        return Scalars([row[0] for row in self._values])

    def scalar_one_or_none(self):
        if len(self._values) > 1:
            raise AssertionError(f"more than one row: {self._values}")
        return self._values[0][0] if self._values else None


def _operand(element) -> Any:
    if isinstance(element, BindParameter):
        return element.effective_value
    if isinstance(element, Null):
        return None
    if isinstance(element, (True_, False_)):
        return isinstance(element, True_)
    raise NotImplementedError(f"operand {element!r}")


def _holds(clause, row) -> bool:
    """Whether ``row`` satisfies a WHERE clause of equalities and IS NULLs joined by AND / OR; anything
    else fails loudly, so a query this stand-in cannot answer never passes silently."""
    if clause is None:
        return True
    if isinstance(clause, BooleanClauseList):
        parts = [_holds(part, row) for part in clause.clauses]
        return all(parts) if clause.operator is operators.and_ else any(parts)
    actual, expected = getattr(row, clause.left.key), _operand(clause.right)
    if clause.operator in (operators.eq, operators.is_):
        return actual == expected
    if clause.operator in (operators.ne, operators.is_not):
        return actual != expected
    raise NotImplementedError(f"operator {clause.operator!r}")


def _fields(row) -> dict[str, Any]:
    return {k: v for k, v in vars(row).items() if not k.startswith("_sa_")}


class Memory:
    """Committed rows by table name."""

    def __init__(self) -> None:
        self.tables: dict[str, list] = defaultdict(list)

    def rows(self, model) -> list:
        return self.tables[model.__tablename__]


class MemorySession:
    """What the handlers and ``UnitOfWork`` use of an ``AsyncSession``, with a transaction that a
    failure rolls back, and the tables' primary keys and unique constraints enforced."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.sync_session = Session()  # UnitOfWork hangs its audit listener here; nothing flushes it
        self._undo: tuple[dict[str, list], list[tuple[Any, dict]]] | None = None

    async def begin(self) -> None:
        tables = {name: list(rows) for name, rows in self.memory.tables.items()}
        self._undo = (tables, [(row, _fields(row)) for rows in tables.values() for row in rows])

    def in_transaction(self) -> bool:
        return self._undo is not None

    async def rollback(self) -> None:
        tables, rows = self._undo
        self.memory.tables.clear()
        self.memory.tables.update({name: list(kept) for name, kept in tables.items()})
        for row, saved in rows:
            row.__dict__.update(saved)
        self._undo = None

    async def commit(self) -> None:
        self._undo = None

    async def close(self) -> None:
        pass

    async def flush(self) -> None:
        pass

    def _insert(self, table, row) -> bool:
        rows = self.memory.tables[table.name]
        for constraint in table.constraints:
            if not isinstance(constraint, (PrimaryKeyConstraint, UniqueConstraint)):
                continue
            keys = [column.key for column in constraint.columns]
            if any(getattr(row, key) is None for key in keys):
                continue
            if any(all(getattr(other, key) == getattr(row, key) for key in keys) for other in rows):
                return False
        rows.append(row)
        return True

    def add(self, row) -> None:
        if not self._insert(row.__table__, row):
            raise IntegrityError(f"INSERT INTO {row.__tablename__}", {}, Exception("duplicate key"))

    async def get(self, model, key, **_):
        (column,) = model.__table__.primary_key.columns
        return next((row for row in self.memory.rows(model) if getattr(row, column.key) == key), None)

    async def execute(self, statement, *_):
        if isinstance(statement, Insert):
            values = {getattr(key, "key", key): _operand(value) for key, value in statement._values.items()}
            row = SimpleNamespace(**{column.key: values.get(column.key) for column in statement.table.columns})
            if not self._insert(statement.table, row):
                if statement._post_values_clause is None:
                    raise IntegrityError(f"INSERT INTO {statement.table.name}", values, Exception("duplicate key"))
                return Rows([])
            return Rows([tuple(getattr(row, column.key) for column in statement._returning)])
        (described,) = statement.column_descriptions
        model = described["entity"]
        rows = [row for row in self.memory.rows(model) if _holds(statement.whereclause, row)]
        for clause in reversed(statement._order_by_clauses):
            descending = isinstance(clause, UnaryExpression) and clause.modifier is operators.desc_op
            column = clause.element if isinstance(clause, UnaryExpression) else clause
            rows.sort(key=lambda row: getattr(row, column.key), reverse=descending)
        if statement._limit is not None:
            rows = rows[: statement._limit]
        if described["expr"] is model:
            return Rows([(row,) for row in rows])
        return Rows([(getattr(row, described["name"]),) for row in rows])


class Clock:
    def __init__(self, instant: datetime) -> None:
        self.instant = instant

    def now(self) -> datetime:
        return self.instant


class Service:
    """A service's consumers over the in-memory database, one event loop for the whole run."""

    def __init__(self, name: str, subscriptions, clock: Clock) -> None:
        self.memory = Memory()
        self.clock = clock
        self.name = name
        self.loop = asyncio.new_event_loop()
        self._opened: list[UnitOfWork] = []
        broker = None  # Consumer.apply, all the runs use, never reaches the broker
        self.consumers = [Consumer(name, sub, broker, self._unit_of_work, ConsumerPolicy())  # type: ignore[arg-type]
                          for sub in subscriptions]

    def _unit_of_work(self) -> UnitOfWork:
        sessions = partial(MemorySession, self.memory)
        uow = UnitOfWork(sessions, f"/services/{self.name}", self.clock, lambda: None)  # type: ignore[arg-type]
        self._opened.append(uow)
        return uow

    def deliver(self, envelope: Envelope) -> list[Envelope]:
        """Deliver ``envelope`` to every consumer that takes its type; returns what the applying
        transactions emitted (none for a redelivery the inbox recognises)."""
        emitted: list[Envelope] = []
        for consumer in self.consumers:
            if envelope.type not in consumer.handlers:
                continue
            self._opened.clear()
            if self.loop.run_until_complete(consumer.apply(envelope)):
                emitted += [event for uow in self._opened for event in uow.emitted]
        return emitted

    def close(self) -> None:
        self.loop.close()


# ---- events -----------------------------------------------------------------------------------------------


class Events:
    """Events of one pack, as acceptance and notify publish them, with ids that read well in a report."""

    def __init__(self, pack_id: str, clock: Clock) -> None:
        pack = get_pack(pack_id)
        self.ref = PackRef(id=pack.id, version=pack.version)
        self.rule = f"{pack.id}-1"
        self.clock = clock
        self._ids = itertools.count(1)

    def _envelope(self, event, source: str = "/services/acceptance") -> Envelope:
        number = next(self._ids)
        return Envelope(event, source=source, id=f"e{number}-{type(event).__name__}", time=self.clock.now())

    @property
    def _now(self) -> datetime:
        return self.clock.now()

    @property
    def _today(self) -> date:
        return self._now.astimezone(SHANGHAI).date()

    def failed(self, project: str, terminal: bool, sub_project: str | None) -> Envelope:
        return self._envelope(AcceptanceFailed(
            project_id=project, unit_id=PROJECTS[project], sub_project_id=sub_project, pack=self.ref,
            attempt=2 if terminal else 1, terminal=terminal, rule_id=self.rule, concluded_on=self._today, recorded_at=self._now))

    def passed(self, project: str) -> Envelope:
        return self._envelope(AcceptancePassed(project_id=project, unit_id=PROJECTS[project], pack=self.ref, attempt=1,
                                               concluded_on=self._today, recorded_at=self._now))

    def filing_rejected(self, project: str, final: bool) -> Envelope:
        return self._envelope(AcceptanceFilingRejected(
            project_id=project, filing_id="F-1", unit_id=PROJECTS[project], pack=self.ref, attempt=2 if final else 1,
            final=final, rule_ids=[self.rule], rejected_at=self._now))

    def filed(self, project: str) -> Envelope:
        return self._envelope(AcceptanceFiled(project_id=project, filing_id="F-1", unit_id=PROJECTS[project], pack=self.ref,
                                              filed_on=self._today, rule_ids=[self.rule], filed_at=self._now))

    def evaluated(self, project: str, grade: str | None) -> Envelope:
        return self._envelope(EvaluationCompleted(
            project_id=project, evaluation_id="EV-1", unit_id=PROJECTS[project], pack=self.ref, kind="third_party",
            grade=grade, rule_ids=[self.rule], completed_on=self._today, completed_at=self._now))

    def finding(self, subject: str, kind: str, severity: str) -> Envelope:
        project = subject if subject in PROJECTS else None
        return self._envelope(SupervisionFindingRecorded(
            finding_id="SF-1", project_id=project, unit_id=PROJECTS.get(subject, subject), pack=self.ref, kind=kind,
            severity=severity, authority="data_bureau", description="发现", rule_ids=[self.rule], recorded_at=self._now))

    def deadline(self, project: str, kind: str) -> Envelope:
        return self._envelope(DeadlineElapsed(
            deadline_id="D-1", kind=kind, project_id=project, unit_id=PROJECTS[project], pack=self.ref,
            rule_ids=[self.rule], due_at=self._now), source="/services/notify")

    def overdue(self, cause: Envelope, reason: str) -> Envelope:
        return self._envelope(RectificationOverdue(
            project_id=cause.data.project_id, unit_id=cause.data.unit_id, pack=self.ref, source=SOURCE_OF[type(cause.data)],
            reason=reason, cause_event_id=cause.id, rule_ids=[self.rule], detected_at=self._now))

    def rectified(self, cause: Envelope) -> Envelope:
        return self._envelope(RectificationCompleted(
            project_id=cause.data.project_id, unit_id=cause.data.unit_id, pack=self.ref, source=SOURCE_OF[type(cause.data)],
            cause_event_id=cause.id, rule_ids=[self.rule], completed_on=self._today, confirmed_at=self._now))

    def aggregated(self, project: str) -> Envelope:
        return self._envelope(DataAggregationConfirmed(project_id=project, unit_id=PROJECTS[project], pack=self.ref,
                                                       confirmed_on=self._today, rule_ids=[self.rule], confirmed_at=self._now))

    def opinion(self, project: str, consent: bool) -> Envelope:
        return self._envelope(ComplianceOpinionIssued(project_id=project, opinion_id="O-1", unit_id=PROJECTS[project],
                                                      pack=self.ref, consent=consent, rule_ids=[self.rule], issued_at=self._now))


# ---- the oracle -------------------------------------------------------------------------------------------


def fits(when: dict[str, Any], facts: dict[str, Any]) -> bool:
    """A row's condition holds when every fact it names has the stated value, or one of the listed ones."""
    return all(key in facts and (facts[key] in value if isinstance(value, (list, tuple)) else facts[key] == value)
               for key, value in when.items())


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
    active: dict[tuple[str, str], tuple[ExpectedBlock, dict]] = field(default_factory=dict)
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
        for key, (block, when) in list(self.active.items()):
            if block.unit_id != unit or block.lifted_by != name or not fits(when, facts):
                continue
            set_off_by = {block.cause_event_id, self.answered.get(block.cause_event_id)}
            same_project = block.project_id is not None and block.project_id == project
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
            self.active.setdefault((envelope.id, scope), (block, dict(release.when) if release else {}))

    def blocks(self) -> set[ExpectedBlock]:
        return {block for block, _ in self.active.values()}

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
          sub_project=st.sampled_from([None, "S-1"]))
    def acceptance_failed(self, project, terminal, sub_project):
        return self._send(self.events.failed(project, terminal, sub_project))

    @rule(target=delivered, project=st.sampled_from(sorted(PROJECTS)))
    def acceptance_passed(self, project):
        return self._send(self.events.passed(project))

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
