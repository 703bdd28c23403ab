"""Resolving FHIR references during an import.

A reference resolves, in order, to a resource in the same unit (by fullUrl,
by ``Type/id`` or by a conditional ``Type?identifier=system|value``), then to
a resource already stored from the same source.  References that point
outside the system (absolute URLs to other servers, contained ``#id``) are
left alone; a local reference that resolves nowhere rejects its unit.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote

from wraparound.core.fhirschema import known_resource_types
from wraparound.core.identity import resource_key
from wraparound.registry.models import MODEL_BY_TYPE, Identifier, RawResource

# orjson's output: no spaces, and a reference never holds a quote or backslash worth resolving
REFERENCE_PATTERN = re.compile(r'"reference":"([^"\\]*)"')
RELATIVE = re.compile(r"^(?:(?:https?://\S+?/)?)([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(?:/_history/\S+)?$")

Target = tuple[str, str]


class Ambiguous(Exception):
    pass


@dataclass
class UnitIndex:
    """What a unit holds, gathered in a first pass so forward references resolve."""

    by_full_url: dict[str, Target] = field(default_factory=dict)
    by_local_id: dict[tuple[str, str], str] = field(default_factory=dict)
    by_identifier: dict[tuple[str, str, str], set[str]] = field(default_factory=dict)
    # entries (by position) whose ifNoneExist matched a stored resource: not created again
    existing_elsewhere: set[str] = field(default_factory=set)


def references_in(json_text: str) -> list[str]:
    return REFERENCE_PATTERN.findall(json_text)


@functools.lru_cache(maxsize=65536)
def conditional_query(reference: str) -> tuple[str, str, str] | None:
    """(type, system, value) of ``Type?identifier=system|value``; None for other searches."""
    resource_type, _, query = reference.partition("?")
    values = parse_qs(query).get("identifier")
    if not values or len(values) != 1:
        return None
    system, bar, value = unquote(values[0]).rpartition("|")
    return resource_type, system if bar else "", value


def is_local(reference: str, index: UnitIndex) -> bool:
    """Whether a reference points inside this system (and so must resolve), not to another server."""
    if reference.startswith(("urn:uuid:", "urn:oid:")):
        return True
    if reference.startswith("#"):
        return False
    if "?" in reference:
        return reference.split("?", 1)[0] in known_resource_types()
    match = RELATIVE.match(reference)
    if not match or match.group(1) not in known_resource_types():
        return False
    return not reference.startswith(("http://", "https://")) or reference in index.by_full_url


class ReferenceResolver:
    """Resolves the references of one import run; caches what the database answered."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._stored: dict[tuple[str, str], str | None] = {}
        self._identified: dict[tuple[str, str, str], str | None] = {}
        self._ambiguous: set[tuple[str, str, str]] = set()
        self.index = UnitIndex()

    def begin_unit(self, index: UnitIndex) -> None:
        self.index = index

    def prefetch(self, references: Iterable[str]) -> None:
        """Ask the database, in bulk, about the references this unit does not hold itself."""
        relative: dict[str, list[tuple[str, str]]] = {}
        conditional: list[tuple[str, str, str]] = []
        for reference in references:
            if reference in self.index.by_full_url:
                continue
            if "?" in reference:
                query = conditional_query(reference)
                if query and query not in self.index.by_identifier and query not in self._identified:
                    conditional.append(query)
                continue
            match = RELATIVE.match(reference)
            if match:
                key = (match.group(1), match.group(2))
                if key not in self.index.by_local_id and key not in self._stored:
                    relative.setdefault(key[0], []).append(key)
        for resource_type, keys in relative.items():
            self._fetch_stored(resource_type, keys)
        if conditional:
            self._fetch_identified(conditional)

    def _fetch_stored(self, resource_type: str, keys: list[tuple[str, str]]) -> None:
        wanted = {resource_key(self.source, t, i): (t, i) for t, i in keys}
        found: set[str] = set()
        model = MODEL_BY_TYPE.get(resource_type)
        ids = list(wanted)
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            if model is not None:
                found.update(
                    pk.hex for pk in model._default_manager.filter(pk__in=batch).values_list("pk", flat=True)
                )
            found.update(
                pk.hex for pk in RawResource.objects.filter(pk__in=batch).values_list("pk", flat=True)
            )
        for pk, key in wanted.items():
            self._stored[key] = pk if pk in found else None

    def _fetch_identified(self, queries: list[tuple[str, str, str]]) -> None:
        """One query per resource type and batch of values, not one per reference."""
        owners: dict[tuple[str, str, str], set[str]] = {query: set() for query in queries}
        by_type: dict[str, list[str]] = {}
        for resource_type, _, value in queries:
            by_type.setdefault(resource_type, []).append(value)
        for resource_type, values in by_type.items():
            for start in range(0, len(values), 500):
                rows = Identifier.objects.filter(
                    resource_type=resource_type, value__in=values[start : start + 500]
                ).values_list("system", "value", "resource_id")
                for system, value, pk in rows:
                    for key in ((resource_type, system, value), (resource_type, "", value)):
                        if key in owners:
                            owners[key].add(pk.hex)
        for query, found in owners.items():
            self._identified[query] = next(iter(found)) if len(found) == 1 else None
            if len(found) > 1:
                self._ambiguous.add(query)

    def resolve(self, reference: str) -> Target | None:
        """The target of a local reference, or None when it resolves nowhere."""
        index = self.index
        target = index.by_full_url.get(reference)
        if target is not None:
            return target
        if "?" in reference:
            return self._resolve_conditional(reference)
        match = RELATIVE.match(reference)
        if not match:
            return None
        key = (match.group(1), match.group(2))
        local = index.by_local_id.get(key)
        if local is not None:
            return key[0], local
        stored = self._stored.get(key)
        return (key[0], stored) if stored is not None else None

    def _resolve_conditional(self, reference: str) -> Target | None:
        query = conditional_query(reference)
        if query is None:
            return None
        local = self.index.by_identifier.get(query)
        if local:
            if len(local) > 1:
                raise Ambiguous(reference)
            return query[0], next(iter(local))
        if query in self._ambiguous:
            raise Ambiguous(reference)
        stored = self._identified.get(query)
        return (query[0], stored) if stored is not None else None

    def remember(self, index: UnitIndex) -> None:
        """After a unit commits, what it stored can be found by later units without a query."""
        for (resource_type, local_id), pk in index.by_local_id.items():
            self._stored[(resource_type, local_id)] = pk
        for query, owners in index.by_identifier.items():
            if len(owners) == 1 and self._identified.get(query) is None and query not in self._ambiguous:
                self._identified[query] = next(iter(owners))
