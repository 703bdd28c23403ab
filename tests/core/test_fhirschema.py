"""The fast validator agrees with fhir.resources: it accepts what the models accept on real data,
and rejects everything the models reject, on real resources and on mutations of them.

Where it is stricter than fhir.resources, it is so on purpose (FHIR JSON forbids nulls and
empty arrays; booleans and numbers must not be strings); those cases are listed below.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

from wraparound.core.fhirschema import FhirValidationError, validate_resource
from wraparound.registry.fhirmap import MAPPERS

Resource = dict[str, Any]


def _reference_accepts(resource: Resource) -> bool:
    try:
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    except Exception:
        return False
    return True


def _ours_accepts(resource: Resource) -> bool:
    try:
        validate_resource(resource)
    except FhirValidationError:
        return False
    return True


def _corpus(shared_data: Path) -> Iterator[Resource]:
    """Mapped resources from Synthea (two generations) and the US Core examples."""
    for path in sorted((shared_data / "synthea" / "ca-2025" / "fhir").glob("*.json"))[:6]:
        for entry in json.loads(path.read_text(encoding="utf-8"))["entry"]:
            if entry["resource"]["resourceType"] in MAPPERS:
                yield entry["resource"]
    for path in sorted((shared_data / "fhir-conformance" / "us-core-9.0.0-examples").rglob("*.json")):
        resource = json.loads(path.read_text(encoding="utf-8"))
        if resource.get("resourceType") in MAPPERS:
            yield resource


def test_accepts_what_fhir_resources_accepts_on_real_data(shared_data: Path) -> None:
    checked = 0
    for resource in _corpus(shared_data):
        assert _ours_accepts(resource) == _reference_accepts(resource), (
            resource["resourceType"],
            resource.get("id"),
        )
        checked += 1
    assert checked > 900


Mutation = Callable[[Resource], bool]


def _walk(node: Any) -> Iterator[tuple[dict[str, Any], str]]:
    if isinstance(node, dict):
        for key in list(node):
            yield node, key
            yield from _walk(node[key])
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _first(resource: Resource, test: Callable[[str, Any], bool]) -> tuple[dict[str, Any], str] | None:
    return next(((o, k) for o, k in _walk(resource) if test(k, o[k])), None)


def _set(resource: Resource, test: Callable[[str, Any], bool], value: Callable[[Any], Any]) -> bool:
    found = _first(resource, test)
    if found is None:
        return False
    holder, key = found
    holder[key] = value(holder[key])
    return True


def _is_date(key: str, value: Any) -> bool:
    return isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[:4].isdigit()


MUTATIONS: dict[str, Mutation] = {
    "unknown element": lambda r: r.__setitem__("colour", "blue") is None,
    "impossible calendar date": lambda r: _set(r, _is_date, lambda v: "2023-02-30" + v[10:]),
    "date in the wrong format": lambda r: _set(r, _is_date, lambda v: v[:4] + "/" + v[5:7] + "/" + v[8:10]),
    "month 13": lambda r: _set(r, _is_date, lambda v: v[:5] + "13" + v[7:]),
    "time without a zone": lambda r: _set(r, lambda k, v: _is_date(k, v) and "T" in v, lambda v: v[:19]),
    "object where a string is expected": lambda r: _set(r, lambda k, v: k == "status", lambda v: {"code": v}),
    "number where a code is expected": lambda r: _set(r, lambda k, v: k == "status", lambda v: 17),
    "code with leading space": lambda r: _set(r, lambda k, v: k == "status", lambda v: " " + str(v)),
    "single value where a list is expected": lambda r: _set(
        r,
        lambda k, v: k in ("category", "identifier", "name", "coding") and isinstance(v, list),
        lambda v: v[0],
    ),
    "list where a single value is expected": lambda r: _set(
        r,
        lambda k, v: k in ("code", "subject", "period", "valueQuantity") and isinstance(v, dict),
        lambda v: [v],
    ),
    "two values for a choice element": lambda r: (
        _set(r, lambda k, v: k.startswith("value") and k != "value" and isinstance(v, dict), lambda v: v)
        and r.setdefault("valueString", "also") == "also"
        and "valueQuantity" in r
    ),
    "missing required code": lambda r: (
        r.pop("code", None) is not None and r["resourceType"] in ("Observation",)
    ),
    "bad id characters": lambda r: r.__setitem__("id", "has space!") is None,
    "reference that is not a string": lambda r: _set(r, lambda k, v: k == "reference", lambda v: {"id": v}),
    "quantity value as text": lambda r: _set(
        r,
        lambda k, v: k == "value" and isinstance(v, int | float) and not isinstance(v, bool),
        lambda v: "abc",
    ),
    "unknown element in a nested type": lambda r: _set(
        r, lambda k, v: k == "coding" and isinstance(v, list), lambda v: [{**v[0], "colour": "blue"}]
    ),
}

# Stricter than fhir.resources on purpose, per the FHIR JSON format.
STRICTER: dict[str, Mutation] = {
    "null value": lambda r: _set(r, lambda k, v: k == "status", lambda v: None),
    "empty array": lambda r: _set(r, lambda k, v: isinstance(v, list) and k != "given", lambda v: []),
    "boolean as a string": lambda r: _set(
        r, lambda k, v: isinstance(v, bool), lambda v: "true" if v else "false"
    ),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_rejects_every_mutation_fhir_resources_rejects(name: str, shared_data: Path) -> None:
    mutate = MUTATIONS[name]
    rejected_by_reference = 0
    for resource in _corpus(shared_data):
        mutated = copy.deepcopy(resource)
        if not mutate(mutated) or mutated == resource:
            continue
        if not _reference_accepts(mutated):
            rejected_by_reference += 1
            assert not _ours_accepts(mutated), (name, mutated["resourceType"], mutated.get("id"))
    assert rejected_by_reference > 0, f"the mutation {name!r} never produced a resource the models reject"


@pytest.mark.parametrize("name", sorted(STRICTER))
def test_stricter_rules_reject(name: str, shared_data: Path) -> None:
    rejected = 0
    for resource in list(_corpus(shared_data))[:300]:
        mutated = copy.deepcopy(resource)
        if STRICTER[name](mutated):
            assert not _ours_accepts(mutated), (name, mutated["resourceType"], mutated.get("id"))
            rejected += 1
    assert rejected > 0


def test_errors_name_the_element_and_what_was_expected() -> None:
    encounter = {
        "resourceType": "Encounter",
        "id": "e1",
        "status": "finished",
        "class": {"code": "IMP"},
        "period": {"start": "2023-02-30T10:00:00Z"},
        "location": [{"location": {"reference": "Location/1"}}, {"location": {"reference": 5}}],
    }
    with pytest.raises(FhirValidationError) as raised:
        validate_resource(encounter)
    paths = {issue.path: issue.message for issue in raised.value.issues}
    assert "calendar date" in paths["period.start"]
    assert "location[1].location.reference" in paths
