"""An in-memory stand-in for a service's database and the servicekit path around it, for the
state-machine tests of unit standing (intake) and the hold ledger (procurement): the real
``Consumer.apply`` and handlers run over it, and it answers the few simple queries they make,
raising on any query shape it does not know so nothing passes by being ignored."""


import asyncio
import itertools
from collections import defaultdict
from datetime import date, datetime, timezone
from functools import partial
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

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
)
from policy.packs import get_pack
from servicekit.consumer import Consumer, ConsumerPolicy
from servicekit.db import UnitOfWork

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai: the same business day

PACKS = ("BY", "YF", "BZ", "DY", "YL")
UNITS = ("U-1", "U-2")
PROJECTS = {"P-1": "U-1", "P-2": "U-1", "P-3": "U-2"}
"""Two projects of one unit, so the first project's sanctions must leave the second's, and a second unit."""

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

    def passed(self, project: str, sub_project: str | None = None) -> Envelope:
        return self._envelope(AcceptancePassed(project_id=project, unit_id=PROJECTS[project], sub_project_id=sub_project,
                                               pack=self.ref, attempt=1,
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


def fits(when: dict[str, Any], facts: dict[str, Any]) -> bool:
    """A row's condition holds when every fact it names has the stated value, or one of the listed ones."""
    return all(key in facts and (facts[key] in value if isinstance(value, (list, tuple)) else facts[key] == value)
               for key, value in when.items())

