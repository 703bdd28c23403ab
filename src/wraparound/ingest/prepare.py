"""Preparing a unit for storage: everything an import does that needs no database.

Identities and the unit index (pass 1), then for each entry: structural
validation, serialization, content hash, duplicate check, the references it
makes, and its typed columns (pass 2).  References that the unit itself
resolves become primary keys here; the rest (to stored resources, or to
entries whose ``ifNoneExist`` may match a stored resource) stay as
``PendingReference`` values for the importer to resolve against the database.

Nothing here touches the database, so a worker process can prepare the next
units while the importer stores the current one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import orjson

from wraparound.core.fhirschema import FhirValidationError, known_resource_types, validate_resource
from wraparound.core.identity import resource_key
from wraparound.ingest.problems import Code, ImportProblem, UnitRejected
from wraparound.ingest.references import (
    RELATIVE,
    Target,
    UnitIndex,
    conditional_query,
    is_local,
    references_in,
)
from wraparound.ingest.sources import Entry, Unit, read_entries
from wraparound.registry.fhirmap import MAPPERS, PATIENT_ELEMENT, RAW_PATIENT_ELEMENTS, identifier_rows
from wraparound.registry.store import IDENTIFIED_TYPES, RowMaker

IMPORTABLE_METHODS = frozenset({"", "POST", "PUT"})


class PendingReference(NamedTuple):
    """A reference the unit cannot resolve by itself: the importer asks the database."""

    reference: str


class PreparedItem(NamedTuple):
    """One entry ready to store (a ``registry.store.Incoming``).

    A tuple, because workers send hundreds of thousands of them to the storing
    process, and tuples cross a pipe several times faster than objects.
    """

    where: str
    element_prefix: str
    resource_type: str
    source_id: str
    id: str
    content_hash: str
    row: list[Any]  # the database row; PendingReference where a key awaits the database
    size: int  # bytes of JSON
    raw: bool
    identifiers: list[tuple[str, str, str]]
    pending: list[str]  # references to resolve against the database


@dataclass(frozen=True, slots=True)
class ConditionalCreate:
    where: str
    full_url: str
    id: str
    query: tuple[str, str, str]


@dataclass
class UnitPlan:
    """Pass 1's result: the index, and the conditional creates the importer must check."""

    index: UnitIndex
    creates: list[ConditionalCreate] = field(default_factory=list)
    deferred_full_urls: frozenset[str] = frozenset()


@dataclass
class PreparedUnit:
    """A whole unit prepared by a worker: the plan and every item, or the problem that rejects it."""

    plan: UnitPlan | None = None
    items: list[PreparedItem] | None = None
    problem: ImportProblem | None = None


def join_path(prefix: str, path: str) -> str:
    if not prefix:
        return path
    return f"{prefix}.{path}" if path else prefix


def identity(unit: Unit, entry: Entry) -> tuple[str, str]:
    """(resource type, id in the source) of an entry, or the problem that makes it unimportable."""
    resource = entry.resource
    resource_type = resource.get("resourceType") if isinstance(resource, dict) else None
    if not isinstance(resource_type, str) or resource_type not in known_resource_types():
        raise unit.problem(
            Code.UNKNOWN_TYPE,
            f"resourceType {resource_type!r} is not a FHIR R4 resource type",
            where=entry.where,
            element=join_path(entry.element_prefix, "resourceType"),
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
            element=join_path(entry.element_prefix, "id"),
        )
    return resource_type, source_id


def plan_unit(unit: Unit, entries: Iterator[Entry] | list[Entry], source: str) -> UnitPlan:
    """Pass 1: the identities a unit holds, so that references to later entries resolve."""
    index = UnitIndex()
    creates: list[ConditionalCreate] = []
    for entry in entries:
        resource_type, source_id = identity(unit, entry)
        pk = resource_key(source, resource_type, source_id)
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
                creates.append(ConditionalCreate(entry.where, entry.full_url, pk, query))
    deferred = frozenset(create.full_url for create in creates if create.full_url)
    return UnitPlan(index=index, creates=creates, deferred_full_urls=deferred)


class Preparer:
    """Pass 2 for one unit: entries in, prepared items out."""

    def __init__(self, unit: Unit, plan: UnitPlan, source: str, vendor: str) -> None:
        self.unit = unit
        self.plan = plan
        self.source = source
        self.rows = RowMaker(source, vendor)
        self.seen: dict[str, tuple[str, str]] = {}
        self._targets: dict[str, Target | None] = {}  # references repeat within a unit: resolve each once

    def prepare(self, entry: Entry) -> PreparedItem | None:
        """The item to store, or None for an exact repeat of an entry earlier in the unit."""
        unit = self.unit
        resource_type, source_id = identity(unit, entry)
        if resource_type in MAPPERS:
            _validate(unit, entry, resource_type, source_id)
        json_bytes = orjson.dumps(entry.resource)
        content_hash = hashlib.blake2b(json_bytes, digest_size=16).hexdigest()
        json_text = json_bytes.decode()
        index = self.plan.index
        pk = index.by_local_id.get((resource_type, source_id)) or resource_key(
            self.source, resource_type, source_id
        )
        first = self.seen.get(pk)
        if first is not None:
            if first[1] == content_hash:
                return None
            raise unit.problem(
                Code.DUPLICATE,
                f"{resource_type}/{source_id} appears twice in this unit with different content (first at {first[0]})",
                where=entry.where,
                resource_type=resource_type,
                resource_id=source_id,
            )
        self.seen[pk] = (entry.where, content_hash)
        resolved, pending = self._references(entry, json_text, resource_type, source_id)
        columns, raw = _columns(entry.resource, resource_type, resolved)
        return PreparedItem(
            where=entry.where,
            element_prefix=entry.element_prefix,
            resource_type=resource_type,
            source_id=source_id,
            id=pk,
            content_hash=content_hash,
            row=self.rows.row(resource_type, raw, pk, source_id, json_text, content_hash, columns),
            size=len(json_bytes),
            raw=raw,
            identifiers=identifier_rows(entry.resource) if resource_type in IDENTIFIED_TYPES else [],
            pending=pending,
        )

    def _references(
        self, entry: Entry, json_text: str, resource_type: str, source_id: str
    ) -> tuple[dict[str, tuple[str, Any]], list[str]]:
        resolved: dict[str, tuple[str, Any]] = {}
        pending: list[str] = []
        index = self.plan.index
        for reference in references_in(json_text):
            if reference in resolved or not is_local(reference, index):
                continue
            if reference in self.plan.deferred_full_urls:  # its ifNoneExist may point it at a stored resource
                resolved[reference] = (index.by_full_url[reference][0], PendingReference(reference))
                pending.append(reference)
                continue
            if reference in self._targets:
                target = self._targets[reference]
            else:
                target = self._targets[reference] = self._in_unit(reference)
            if target is not None:
                resolved[reference] = target
                continue
            if reference.startswith(("urn:uuid:", "urn:oid:")):
                raise unresolved_problem(
                    self.unit,
                    entry.where,
                    entry.element_prefix,
                    entry.resource,
                    resource_type,
                    source_id,
                    reference,
                    Code.UNRESOLVED,
                )
            target_type = reference.split("?", 1)[0].split("/", 1)[0]
            match = RELATIVE.match(reference)
            if match:
                target_type = match.group(1)
            resolved[reference] = (target_type, PendingReference(reference))
            pending.append(reference)
        return resolved, pending

    def _in_unit(self, reference: str) -> Target | None:
        index = self.plan.index
        target = index.by_full_url.get(reference)
        if target is not None:
            return target
        if "?" in reference:
            query = conditional_query(reference)
            if query is None:
                return None
            owners = index.by_identifier.get(query)
            return (query[0], next(iter(owners))) if owners and len(owners) == 1 else None
        match = RELATIVE.match(reference)
        if match and not reference.startswith(("http://", "https://")):
            local = index.by_local_id.get((match.group(1), match.group(2)))
            if local is not None:
                return match.group(1), local
        return None


def _validate(unit: Unit, entry: Entry, resource_type: str, source_id: str) -> None:
    try:
        validate_resource(entry.resource)
    except FhirValidationError as error:
        issue = error.issues[0]
        more = f" (and {len(error.issues) - 1} more)" if len(error.issues) > 1 else ""
        raise unit.problem(
            Code.INVALID,
            issue.message + more,
            where=entry.where,
            resource_type=resource_type,
            resource_id=source_id,
            element=join_path(entry.element_prefix, issue.path),
        ) from None


def _columns(
    resource: dict[str, Any], resource_type: str, resolved: dict[str, tuple[str, Any]]
) -> tuple[dict[str, Any], bool]:
    """Typed columns, and whether the resource is kept raw (an unmapped type, or about no patient)."""

    def resolve(reference: Any) -> tuple[str, Any] | None:
        if not isinstance(reference, dict):
            return None
        return resolved.get(reference.get("reference", ""))

    mapper = MAPPERS.get(resource_type)
    columns = mapper(resource, resolve) if mapper else {}
    raw = mapper is None
    patient_element = PATIENT_ELEMENT.get(resource_type)
    if patient_element is not None:
        patient = resolve(resource.get(patient_element))
        columns["patient_id"] = patient[1] if patient and patient[0] == "Patient" else None
        raw = columns["patient_id"] is None
    if raw:
        columns = {"patient_id": None}
        for element in RAW_PATIENT_ELEMENTS:
            target = resolve(resource.get(element))
            if target and target[0] == "Patient":
                columns["patient_id"] = target[1]
                break
    return columns, raw


def unresolved_problem(
    unit: Unit,
    where: str,
    element_prefix: str,
    resource: Any,
    resource_type: str,
    source_id: str,
    reference: str,
    code: Code,
) -> UnitRejected:
    path = path_of_reference(resource, reference) or "reference"
    message = (
        f"reference {reference!r} does not resolve: no such resource in this unit or already stored"
        if code == Code.UNRESOLVED
        else f"conditional reference {reference!r} matches more than one resource"
    )
    return unit.problem(
        code,
        message,
        where=where,
        resource_type=resource_type,
        resource_id=source_id,
        element=join_path(element_prefix, path),
    )


def path_of_reference(node: Any, reference: str, path: str = "") -> str | None:
    """Where in a resource a reference string stands, e.g. ``subject.reference`` (the slow path of errors)."""
    if isinstance(node, dict):
        if node.get("reference") == reference:
            return join_path(path, "reference")
        for key, value in node.items():
            found = path_of_reference(value, reference, join_path(path, key))
            if found:
                return found
    elif isinstance(node, list):
        for position, value in enumerate(node):
            found = path_of_reference(value, reference, f"{path}[{position}]")
            if found:
                return found
    return None


def prepare_whole_unit(unit: Unit, source: str, vendor: str) -> PreparedUnit:
    """Everything a worker process does for one unit that is small enough to hold whole."""
    try:
        entries, reader = read_entries(unit)
        plan = plan_unit(unit, entries if entries is not None else reader(), source)
        preparer = Preparer(unit, plan, source, vendor)
        items = [item for entry in reader() if (item := preparer.prepare(entry)) is not None]
    except UnitRejected as rejected:
        return PreparedUnit(problem=rejected.problem)
    except OSError as error:
        return PreparedUnit(problem=ImportProblem(Code.UNREADABLE, unit.name, str(error)))
    return PreparedUnit(plan=plan, items=items)
