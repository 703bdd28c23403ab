"""The importer: units in, registry rows out — exact, atomic per unit, idempotent, streaming.

For each unit (a Bundle, an NDJSON file, a Synthea CSV folder) it makes two
passes: the first indexes identities (fullUrls, ids, business identifiers) so
that references to entries later in the unit resolve; the second validates,
resolves, maps and stores the entries in chunks, all inside one transaction.
Any problem raises ``UnitRejected`` and the transaction rolls back: a rejected
unit writes nothing, the other units still import.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from django.db import DatabaseError, transaction

from wraparound.core.fhirschema import FhirValidationError, known_resource_types, validate_resource
from wraparound.core.identity import resource_key
from wraparound.ingest.problems import Code, ImportProblem, UnitRejected
from wraparound.ingest.references import (
    Ambiguous,
    ReferenceResolver,
    UnitIndex,
    conditional_query,
    references_in,
)
from wraparound.ingest.sources import Entry, Unit, discover, read_entries
from wraparound.registry.fhirmap import MAPPERS, PATIENT_ELEMENT, RAW_PATIENT_ELEMENTS, identifier_rows
from wraparound.registry.store import IDENTIFIED_TYPES, Incoming, RegistryWriter

GROUP_SECONDS = 2.0  # a commit group closes after this long...
GROUP_RESOURCES = 50_000  # ...or this many resources
CHUNK_SIZE = 2000  # entries stored per batch...
CHUNK_BYTES = 16 * 1024 * 1024  # ...or fewer, when they are large (scanned documents)
IMPORTABLE_METHODS = frozenset({"", "POST", "PUT"})


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

    @property
    def units_ok(self) -> int:
        return sum(1 for unit in self.units if unit.ok)

    @property
    def rejected(self) -> list[UnitResult]:
        return [unit for unit in self.units if not unit.ok]

    def count(self, outcome: str) -> int:
        return sum(n for (_, kind), n in self.outcomes.items() if kind == outcome)


@dataclass(slots=True)
class _Prepared:
    entry: Entry
    resource_type: str
    id: str
    source_id: str
    json_text: str
    content_hash: str
    references: list[str]


class Importer:
    """Imports paths into the registry for one source system."""

    def __init__(
        self,
        source: str = "import",
        on_unit: Callable[[UnitResult], None] | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.source = source
        self.writer = RegistryWriter(source)
        self.resolver = ReferenceResolver(source)
        self.on_unit = on_unit or (lambda result: None)
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.report = ImportReport()

    def run(self, paths: Iterable[Path]) -> ImportReport:
        # Parsed bundles are large graphs of small objects that never form cycles: the
        # cyclic garbage collector would scan them again and again for nothing.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            self._run(paths)
        finally:
            if gc_was_enabled:
                gc.enable()
        return self.report

    def _run(self, paths: Iterable[Path]) -> None:
        deferred: list[Unit] = []
        self._in_groups(iter(discover(list(paths))), deferred)
        # Units whose references arrived later in the run get one more try.
        self._in_groups(iter(deferred), None)

    def _in_groups(self, units: Iterator[Unit], deferred: list[Unit] | None) -> None:
        """Import units in commit groups: each unit is a savepoint, each group one transaction.

        A rejected unit rolls back to its savepoint and leaves no trace; a group
        commits after GROUP_SECONDS or GROUP_RESOURCES, so the cost of a commit
        is shared by many small bundles without holding a transaction open long.
        """
        exhausted = False
        while not exhausted:
            pending: list[tuple[UnitResult, Counter[tuple[str, str]]]] = []
            started, resources = time.monotonic(), 0
            try:
                with transaction.atomic():
                    while time.monotonic() - started < GROUP_SECONDS and resources < GROUP_RESOURCES:
                        unit = next(units, None)
                        if unit is None:
                            exhausted = True
                            break
                        result, outcomes = self.import_unit(unit)
                        if deferred is not None and result.problem and result.problem.code == Code.UNRESOLVED:
                            deferred.append(unit)  # its references may come in a later unit
                            continue
                        pending.append((result, outcomes))
                        resources += result.resources
            except DatabaseError as error:  # the group's commit failed: none of its units was stored
                pending = [(_failed_commit(result, error), Counter()) for result, _ in pending]
            for result, outcomes in pending:
                self.report.outcomes.update(outcomes)
                self._finish(result)

    def _finish(self, result: UnitResult) -> None:
        self.report.units.append(result)
        self.on_unit(result)

    def import_unit(self, unit: Unit) -> tuple[UnitResult, Counter[tuple[str, str]]]:
        """One unit, atomically (a savepoint inside the caller's transaction, or its own transaction)."""
        outcomes: Counter[tuple[str, str]] = Counter()
        try:
            entries, reader = read_entries(unit)
            index = self._index(unit, entries if entries is not None else reader())
            with transaction.atomic():
                self._store(unit, reader(), index, outcomes)
        except UnitRejected as rejected:
            return UnitResult(unit.name, ok=False, problem=rejected.problem), Counter()
        except DatabaseError as error:
            problem = ImportProblem(Code.DATABASE, unit.name, f"the database refused the write: {error}")
            return UnitResult(unit.name, ok=False, problem=problem), Counter()
        except OSError as error:
            problem = ImportProblem(Code.UNREADABLE, unit.name, str(error))
            return UnitResult(unit.name, ok=False, problem=problem), Counter()
        self.resolver.remember(index)
        return UnitResult(unit.name, ok=True, resources=sum(outcomes.values())), outcomes

    # --- pass 1: identities ----------------------------------------------------------

    def _index(self, unit: Unit, entries: Iterable[Entry]) -> UnitIndex:
        index = UnitIndex()
        conditional_creates: list[tuple[Entry, str, str, tuple[str, str, str]]] = []
        for entry in entries:
            resource_type, source_id = self._identity(unit, entry)
            pk = resource_key(self.source, resource_type, source_id)
            if entry.full_url:
                index.by_full_url[entry.full_url] = (resource_type, pk)
            index.by_local_id[(resource_type, source_id)] = pk
            if resource_type in IDENTIFIED_TYPES:
                for system, value, _ in identifier_rows(entry.resource):
                    index.by_identifier.setdefault((resource_type, system, value), set()).add(pk)
                    index.by_identifier.setdefault((resource_type, "", value), set()).add(pk)
            if entry.if_none_exist:
                query = conditional_query(f"{resource_type}?{entry.if_none_exist}")
                if query:
                    conditional_creates.append((entry, resource_type, pk, query))
        self._apply_conditional_creates(index, conditional_creates)
        return index

    def _apply_conditional_creates(
        self, index: UnitIndex, creates: list[tuple[Entry, str, str, tuple[str, str, str]]]
    ) -> None:
        """``ifNoneExist``: when a stored resource already matches, point the entry's fullUrl at it."""
        if not creates:
            return
        self.resolver.begin_unit(UnitIndex())
        self.resolver.prefetch(f"{t}?identifier={s}|{v}" for _, _, _, (t, s, v) in creates)
        for entry, _, pk, (t, s, v) in creates:
            existing = self.resolver.resolve(f"{t}?identifier={s}|{v}")
            if existing is not None and existing[1] != pk:
                index.by_full_url[entry.full_url] = existing
                index.existing_elsewhere.add(entry.where)

    def _identity(self, unit: Unit, entry: Entry) -> tuple[str, str]:
        resource = entry.resource
        resource_type = resource.get("resourceType") if isinstance(resource, dict) else None
        if not isinstance(resource_type, str) or resource_type not in known_resource_types():
            raise unit.problem(
                Code.UNKNOWN_TYPE,
                f"resourceType {resource_type!r} is not a FHIR R4 resource type",
                where=entry.where,
                element=_join(entry.element_prefix, "resourceType"),
            )
        if entry.method not in IMPORTABLE_METHODS:
            raise unit.problem(
                Code.METHOD,
                f"request.method {entry.method} cannot be imported; expected POST or PUT",
                where=entry.where,
                resource_type=resource_type,
            )
        source_id = resource.get("id")
        if not source_id and entry.full_url.startswith("urn:uuid:"):
            source_id = entry.full_url.removeprefix("urn:uuid:")
        if not source_id and entry.method == "PUT" and "/" in entry.url:
            source_id = entry.url.split("?")[0].rsplit("/", 1)[1]
        if not isinstance(source_id, str) or not source_id:
            raise unit.problem(
                Code.NO_ID,
                "the resource has neither an id nor a urn:uuid fullUrl, so it cannot be imported idempotently",
                where=entry.where,
                resource_type=resource_type,
                element=_join(entry.element_prefix, "id"),
            )
        return resource_type, source_id

    # --- pass 2: validate, resolve, map, store ----------------------------------------------

    def _store(
        self, unit: Unit, entries: Iterator[Entry], index: UnitIndex, outcomes: Counter[tuple[str, str]]
    ) -> None:
        self.resolver.begin_unit(index)
        seen: dict[str, tuple[str, str]] = {}
        chunk: list[_Prepared] = []
        chunk_bytes = 0
        for entry in entries:
            if entry.where in index.existing_elsewhere:
                resource_type = entry.resource["resourceType"]
                outcomes[(resource_type, "unchanged")] += 1
                continue
            prepared = self._prepare(unit, entry, seen)
            if prepared is not None:
                chunk.append(prepared)
                chunk_bytes += len(prepared.json_text)
            if len(chunk) >= CHUNK_SIZE or chunk_bytes >= CHUNK_BYTES:
                outcomes.update(self._store_chunk(unit, chunk))
                chunk, chunk_bytes = [], 0
        if chunk:
            outcomes.update(self._store_chunk(unit, chunk))

    def _prepare(self, unit: Unit, entry: Entry, seen: dict[str, tuple[str, str]]) -> _Prepared | None:
        resource_type, source_id = self._identity(unit, entry)
        if resource_type in MAPPERS:
            try:
                validate_resource(entry.resource)
            except FhirValidationError as error:
                issue = error.issues[0]
                raise unit.problem(
                    Code.INVALID,
                    issue.message + (f" (and {len(error.issues) - 1} more)" if len(error.issues) > 1 else ""),
                    where=entry.where,
                    resource_type=resource_type,
                    resource_id=source_id,
                    element=_join(entry.element_prefix, issue.path),
                ) from None
        json_bytes = orjson.dumps(entry.resource)
        content_hash = hashlib.blake2b(json_bytes, digest_size=16).hexdigest()
        json_text = json_bytes.decode()
        pk = self.resolver.index.by_local_id.get((resource_type, source_id)) or resource_key(
            self.source, resource_type, source_id
        )
        if pk in seen:
            if seen[pk][1] == content_hash:
                return None
            raise unit.problem(
                Code.DUPLICATE,
                f"{resource_type}/{source_id} appears twice in this unit with different content"
                f" (first at {seen[pk][0]})",
                where=entry.where,
                resource_type=resource_type,
                resource_id=source_id,
            )
        seen[pk] = (entry.where, content_hash)
        references = [r for r in references_in(json_text) if self.resolver.is_local(r)]
        return _Prepared(entry, resource_type, pk, source_id, json_text, content_hash, references)

    def _store_chunk(self, unit: Unit, chunk: list[_Prepared]) -> Counter[tuple[str, str]]:
        self.resolver.prefetch(reference for item in chunk for reference in item.references)
        incoming = [self._incoming(unit, item) for item in chunk]
        return self.writer.write(incoming, self.clock())

    def _incoming(self, unit: Unit, item: _Prepared) -> Incoming:
        resolved: dict[str, tuple[str, str]] = {}
        for reference in item.references:
            try:
                target = self.resolver.resolve(reference)
            except Ambiguous:
                raise self._reference_problem(unit, item, reference, Code.AMBIGUOUS) from None
            if target is None:
                raise self._reference_problem(unit, item, reference, Code.UNRESOLVED)
            resolved[reference] = target

        def resolve(reference: Any) -> tuple[str, str] | None:
            if not isinstance(reference, dict):
                return None
            return resolved.get(reference.get("reference", ""))

        resource = item.entry.resource
        mapper = MAPPERS.get(item.resource_type)
        columns = mapper(resource, resolve) if mapper else {}
        raw = mapper is None
        patient_element = PATIENT_ELEMENT.get(item.resource_type)
        if patient_element is not None:
            patient = resolve(resource.get(patient_element))
            columns["patient_id"] = patient[1] if patient and patient[0] == "Patient" else None
            raw = columns["patient_id"] is None  # about no patient we know: kept whole, unmapped
        if raw:
            columns = {"patient_id": _raw_patient(resource, resolve)}
        return Incoming(
            resource_type=item.resource_type,
            id=item.id,
            source_id=item.source_id,
            json_text=item.json_text,
            content_hash=item.content_hash,
            columns=columns,
            identifiers=identifier_rows(resource) if item.resource_type in IDENTIFIED_TYPES else [],
            raw=raw,
        )

    def _reference_problem(self, unit: Unit, item: _Prepared, reference: str, code: Code) -> UnitRejected:
        path = _path_of_reference(item.entry.resource, reference) or "reference"
        message = (
            f"reference {reference!r} does not resolve: no such resource in this unit or already stored"
            if code == Code.UNRESOLVED
            else f"conditional reference {reference!r} matches more than one resource"
        )
        return unit.problem(
            code,
            message,
            where=item.entry.where,
            resource_type=item.resource_type,
            resource_id=item.source_id,
            element=_join(item.entry.element_prefix, path),
        )


def _failed_commit(result: UnitResult, error: DatabaseError) -> UnitResult:
    if not result.ok:
        return result
    problem = ImportProblem(Code.DATABASE, result.name, f"the database refused to commit: {error}")
    return UnitResult(result.name, ok=False, problem=problem)


def _raw_patient(resource: dict[str, Any], resolve: Callable[[Any], tuple[str, str] | None]) -> Any:
    for element in RAW_PATIENT_ELEMENTS:
        target = resolve(resource.get(element))
        if target and target[0] == "Patient":
            return target[1]
    return None


def _join(prefix: str, path: str) -> str:
    if not prefix:
        return path
    return f"{prefix}.{path}" if path else prefix


def _path_of_reference(node: Any, reference: str, path: str = "") -> str | None:
    """Where in a resource a reference string stands, e.g. ``subject.reference`` (the slow path of errors)."""
    if isinstance(node, dict):
        if node.get("reference") == reference:
            return _join(path, "reference")
        for key, value in node.items():
            found = _path_of_reference(value, reference, _join(path, key))
            if found:
                return found
    elif isinstance(node, list):
        for position, value in enumerate(node):
            found = _path_of_reference(value, reference, f"{path}[{position}]")
            if found:
                return found
    return None
