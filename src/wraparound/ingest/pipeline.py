"""The importer: units in, registry rows out — exact, atomic per unit, idempotent, streaming.

For each unit (a Bundle, an NDJSON file, a Synthea CSV folder) two passes
run (``prepare.py``): the first indexes identities (fullUrls, ids, business
identifiers) so that references to entries later in the unit resolve; the
second validates, serializes and maps each entry.  The importer then resolves
what only the database can answer (references to stored resources,
``ifNoneExist``) and stores the items in chunks inside one savepoint.  Any
problem raises ``UnitRejected``: a rejected unit writes nothing, the other
units still import.

Preparation needs no database, so on a machine with more than one core a
worker process prepares the next small units while this process stores the
current one.  Large bundles, NDJSON files and CSV folders are prepared here,
chunk by chunk, so that memory stays bounded.
"""

from __future__ import annotations

import collections
import datetime as dt
import gc
import multiprocessing
import os
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult
from pathlib import Path

import orjson
from django.db import DatabaseError, transaction

from wraparound.core.fhirschema import warm_up
from wraparound.ingest.prepare import (
    PendingReference,
    PreparedItem,
    PreparedUnit,
    Preparer,
    UnitPlan,
    plan_unit,
    prepare_whole_unit,
    unresolved_problem,
)
from wraparound.ingest.problems import Code, ImportProblem, UnitRejected
from wraparound.ingest.references import Ambiguous, ReferenceResolver, UnitIndex
from wraparound.ingest.sources import Unit, discover, read_entries
from wraparound.registry.fhirmap import MAPPERS
from wraparound.registry.store import RegistryWriter, model_for

GROUP_SECONDS = 2.0  # a commit group closes after this long...
GROUP_RESOURCES = 50_000  # ...or this many resources
CHUNK_SIZE = 2000  # entries stored per batch...
CHUNK_BYTES = 16 * 1024 * 1024  # ...or fewer, when they are large (scanned documents)
WORKER_NICENESS = 10
LOOKAHEAD_UNITS = 256  # units handed to the workers ahead of the one being stored...
LOOKAHEAD_BYTES = 48 * 1024 * 1024  # ...and at most this much of their input


def default_workers(vendor: str) -> int:
    """Preparing processes beside the storing one: IMPORT_WORKERS, else one per core
    (SQLite, which stores in this process) or per core beyond the one the PostgreSQL server
    needs.  0 prepares everything in this process, as on a machine with one core.
    """
    configured = os.environ.get("IMPORT_WORKERS", "")
    if configured:
        return int(configured)
    cores = os.cpu_count() or 1
    if cores == 1:
        return 0
    return cores if vendor == "sqlite" else cores - 1


@dataclass
class UnitResult:
    name: str
    ok: bool
    resources: int = 0
    problem: ImportProblem | None = None


@dataclass
class ImportReport:
    units: list[UnitResult] = field(default_factory=list)
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)
    touched_patients: set[uuid.UUID] = field(default_factory=set)  # records created or changed

    @property
    def units_ok(self) -> int:
        return sum(1 for unit in self.units if unit.ok)

    @property
    def rejected(self) -> list[UnitResult]:
        return [unit for unit in self.units if not unit.ok]

    def count(self, outcome: str) -> int:
        return sum(n for (_, kind), n in self.outcomes.items() if kind == outcome)


class Importer:
    """Imports paths into the registry for one source system."""

    def __init__(
        self,
        source: str = "import",
        on_unit: Callable[[UnitResult], None] | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        workers: int | None = None,
    ) -> None:
        self.source = source
        self.writer = RegistryWriter(source)
        self.resolver = ReferenceResolver(source)
        self.on_unit = on_unit or (lambda result: None)
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.workers = default_workers(self.writer.vendor) if workers is None else workers
        self.report = ImportReport()

    def run(self, paths: Iterable[Path]) -> ImportReport:
        # Parsed bundles are large graphs of small objects that never form cycles: the
        # cyclic garbage collector would scan them again and again for nothing.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            deferred: list[Unit] = []
            self._in_groups(self._prepared(discover(list(paths))), deferred)
            # Units whose references arrive in a later unit get one more try, at the end.
            self._in_groups(((unit, None) for unit in deferred), None)
        finally:
            if gc_was_enabled:
                gc.enable()
        self.report.touched_patients = {uuid.UUID(str(key)) for key in self.writer.touched_patients}
        return self.report

    def _prepared(self, units: Iterator[Unit]) -> Iterator[tuple[Unit, PreparedUnit | None]]:
        """Units in order, each with its preparation when a worker made it (None: prepare here)."""
        if self.workers <= 0:
            yield from ((unit, None) for unit in units)
            return
        warm_up(MAPPERS)  # compiled once here, inherited by the forked workers
        lookahead: collections.deque[tuple[Unit, AsyncResult[PreparedUnit]]] = collections.deque()
        in_flight = 0  # bytes of input the workers hold or have prepared, not yet stored
        # The storing process is the one everything waits for: the workers yield the CPU to it.
        with multiprocessing.get_context("fork").Pool(self.workers, _lower_priority) as pool:
            for unit in units:
                if unit.streams:
                    while lookahead:
                        done, future = lookahead.popleft()
                        yield done, future.get()
                    in_flight = 0
                    yield unit, None
                    continue
                lookahead.append(
                    (unit, pool.apply_async(prepare_whole_unit, (unit, self.source, self.writer.vendor)))
                )
                in_flight += unit.size
                # Enough work queued that the workers keep busy while this process writes a
                # batch, whether units are many small bundles or a few large ones; bounded in
                # bytes, so memory stays bounded too.
                while len(lookahead) > LOOKAHEAD_UNITS or in_flight > LOOKAHEAD_BYTES:
                    done, future = lookahead.popleft()
                    in_flight -= done.size
                    yield done, future.get()
            while lookahead:
                done, future = lookahead.popleft()
                yield done, future.get()

    def _in_groups(
        self, units: Iterator[tuple[Unit, PreparedUnit | None]], deferred: list[Unit] | None
    ) -> None:
        """Store units in commit groups: each unit atomic, each group one transaction.

        A rejected unit leaves no trace; a group commits after GROUP_SECONDS or
        GROUP_RESOURCES, so the cost of a commit is shared by many small bundles
        without holding a transaction open long.  Units a worker prepared are
        checked whole before anything is written, so their rows can be written
        together (``_Batch``): one statement per table for many small bundles.
        """
        exhausted = False
        while not exhausted:
            group = _Group()
            started = time.monotonic()
            try:
                with transaction.atomic():
                    batch = _Batch()
                    while time.monotonic() - started < GROUP_SECONDS and group.resources < GROUP_RESOURCES:
                        following = next(units, None)
                        if following is None:
                            exhausted = True
                            break
                        self._take(following, batch, group, deferred)
                    self._flush(batch, group)
            except DatabaseError as error:  # the group's commit failed: none of its units was stored
                group.fail(error)
                self.resolver = ReferenceResolver(self.source)  # forget what those units would have stored
            self.report.outcomes.update(group.outcomes)
            for result in group.results:
                self._finish(result)

    def _take(
        self,
        following: tuple[Unit, PreparedUnit | None],
        batch: _Batch,
        group: _Group,
        deferred: list[Unit] | None,
    ) -> None:
        unit, prepared = following
        if prepared is None:  # prepared here, chunk by chunk, and written as it goes
            self._flush(batch, group)
            result, outcomes = self.import_unit(unit)
        else:
            result, incoming, outcomes = self._accept(unit, prepared)
            if result.ok:
                if batch.collides(incoming) or batch.full:
                    self._flush(batch, group)
                batch.add(result, incoming)
                group.outcomes.update(outcomes)
                return
        if deferred is not None and result.problem and result.problem.code == Code.UNRESOLVED:
            deferred.append(unit)  # its references may come in a later unit
            return
        group.add(result, outcomes)

    def _accept(
        self, unit: Unit, prepared: PreparedUnit
    ) -> tuple[UnitResult, list[PreparedItem], Counter[tuple[str, str]]]:
        """Check a prepared unit against the database and resolve its keys, writing nothing yet."""
        outcomes: Counter[tuple[str, str]] = Counter()
        try:
            if prepared.problem is not None:
                raise UnitRejected(prepared.problem)
            assert prepared.plan is not None and prepared.items is not None
            plan = prepared.plan
            self._apply_conditional_creates(plan)
            self.resolver.begin_unit(plan.index)
            items = []
            for item in prepared.items:
                if item.where in plan.index.existing_elsewhere:
                    outcomes[(item.resource_type, "unchanged")] += 1
                else:
                    items.append(item)
            incoming = self._incoming(unit, items)
        except UnitRejected as rejected:
            return UnitResult(unit.name, ok=False, problem=rejected.problem), [], Counter()
        self.resolver.remember(plan.index)
        return UnitResult(unit.name, ok=True, resources=len(prepared.items)), incoming, outcomes

    def _flush(self, batch: _Batch, group: _Group) -> None:
        """Write the batch's rows; if the database refuses, each unit on its own, to name the culprit."""
        if not batch.units:
            return
        try:
            with transaction.atomic():
                group.outcomes.update(self.writer.write(batch.incoming(), self.clock()))
            for result, _ in batch.units:
                group.add(result, Counter())
        except DatabaseError:
            self.resolver = ReferenceResolver(self.source)
            for result, incoming in batch.units:
                try:
                    with transaction.atomic():
                        group.add(result, self.writer.write(incoming, self.clock()))
                except DatabaseError as error:
                    group.add(_failed_commit(result, error), Counter())
        batch.clear()

    def _finish(self, result: UnitResult) -> None:
        self.report.units.append(result)
        self.on_unit(result)

    def import_unit(self, unit: Unit) -> tuple[UnitResult, Counter[tuple[str, str]]]:
        """One unit prepared here, chunk by chunk, and written as it goes, atomically (a savepoint)."""
        outcomes: Counter[tuple[str, str]] = Counter()
        try:
            entries, reader = read_entries(unit)
            plan = plan_unit(unit, entries if entries is not None else reader(), self.source)
            preparer = Preparer(unit, plan, self.source, self.writer.vendor)
            items = (item for entry in reader() if (item := preparer.prepare(entry)) is not None)
            with transaction.atomic():
                self._apply_conditional_creates(plan)
                self.resolver.begin_unit(plan.index)
                self._store(unit, items, plan, outcomes)
        except UnitRejected as rejected:
            return UnitResult(unit.name, ok=False, problem=rejected.problem), Counter()
        except DatabaseError as error:
            problem = ImportProblem(Code.DATABASE, unit.name, f"the database refused the write: {error}")
            return UnitResult(unit.name, ok=False, problem=problem), Counter()
        except OSError as error:
            problem = ImportProblem(Code.UNREADABLE, unit.name, str(error))
            return UnitResult(unit.name, ok=False, problem=problem), Counter()
        self.resolver.remember(plan.index)
        return UnitResult(unit.name, ok=True, resources=sum(outcomes.values())), outcomes

    def _apply_conditional_creates(self, plan: UnitPlan) -> None:
        """``ifNoneExist``: when a stored resource already matches, point the entry's fullUrl at it."""
        if not plan.creates:
            return
        self.resolver.begin_unit(UnitIndex())  # only what is stored counts, not the unit itself
        queries = [f"{t}?identifier={s}|{v}" for t, s, v in (create.query for create in plan.creates)]
        self.resolver.prefetch(queries)
        for create, query in zip(plan.creates, queries, strict=True):
            existing = self.resolver.resolve(query)
            if existing is not None and existing[1] != create.id:
                plan.index.by_full_url[create.full_url] = existing
                plan.index.existing_elsewhere.add(create.where)

    def _store(
        self, unit: Unit, items: Iterator[PreparedItem], plan: UnitPlan, outcomes: Counter[tuple[str, str]]
    ) -> None:
        chunk: list[PreparedItem] = []
        chunk_bytes = 0
        for item in items:
            if item.where in plan.index.existing_elsewhere:
                outcomes[(item.resource_type, "unchanged")] += 1
                continue
            chunk.append(item)
            chunk_bytes += item.size
            if len(chunk) >= CHUNK_SIZE or chunk_bytes >= CHUNK_BYTES:
                outcomes.update(self._store_chunk(unit, chunk))
                chunk, chunk_bytes = [], 0
        if chunk:
            outcomes.update(self._store_chunk(unit, chunk))

    def _store_chunk(self, unit: Unit, chunk: list[PreparedItem]) -> Counter[tuple[str, str]]:
        return self.writer.write(self._incoming(unit, chunk), self.clock())

    def _incoming(self, unit: Unit, items: list[PreparedItem]) -> list[PreparedItem]:
        """Items with every key resolved, ready to write; raises UnitRejected for a dangling reference."""
        self.resolver.prefetch(reference for item in items for reference in item.pending)
        for item in items:
            if item.pending:
                self._resolve_pending(unit, item)
        return items

    def _resolve_pending(self, unit: Unit, item: PreparedItem) -> None:
        """Resolve against the database what the unit could not, and fill in the keys."""
        resolved: dict[str, str] = {}
        for reference in item.pending:
            try:
                target = self.resolver.resolve(reference)
            except Ambiguous:
                target, code = None, Code.AMBIGUOUS
            else:
                code = Code.UNRESOLVED
            if target is None:
                table = self.writer.table(model_for(item.resource_type, item.raw))
                resource = orjson.loads(item.row[table.position["resource"]])
                raise unresolved_problem(
                    unit,
                    item.where,
                    item.element_prefix,
                    resource,
                    item.resource_type,
                    item.source_id,
                    reference,
                    code,
                )
            resolved[reference] = target[1]
        for position, value in enumerate(item.row):
            if isinstance(value, PendingReference):
                item.row[position] = resolved[value.reference]


def _lower_priority() -> None:
    os.nice(WORKER_NICENESS)


@dataclass
class _Group:
    """What one commit group did: results in order, outcomes, resources."""

    results: list[UnitResult] = field(default_factory=list)
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)
    resources: int = 0

    def add(self, result: UnitResult, outcomes: Counter[tuple[str, str]]) -> None:
        self.results.append(result)
        self.outcomes.update(outcomes)
        self.resources += result.resources

    def fail(self, error: DatabaseError) -> None:
        self.results = [_failed_commit(result, error) for result in self.results]
        self.outcomes = Counter()


@dataclass
class _Batch:
    """Accepted units whose rows are written together; no resource twice in one batch."""

    units: list[tuple[UnitResult, list[PreparedItem]]] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    rows: int = 0

    @property
    def full(self) -> bool:
        return self.rows >= CHUNK_SIZE

    def collides(self, incoming: list[PreparedItem]) -> bool:
        return any(item.id in self.ids for item in incoming)

    def add(self, result: UnitResult, incoming: list[PreparedItem]) -> None:
        self.units.append((result, incoming))
        self.ids.update(item.id for item in incoming)
        self.rows += len(incoming)

    def incoming(self) -> list[PreparedItem]:
        return [item for _, incoming in self.units for item in incoming]

    def clear(self) -> None:
        self.units, self.ids, self.rows = [], set(), 0


def _failed_commit(result: UnitResult, error: DatabaseError) -> UnitResult:
    if not result.ok:
        return result
    problem = ImportProblem(Code.DATABASE, result.name, f"the database refused to commit: {error}")
    return UnitResult(result.name, ok=False, problem=problem)
