"""Every resource the generator writes is valid FHIR R4 (checked with fhir.resources' R4B models,
which match R4 for these resource types) and every reference resolves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

from tests.synth.synth_helpers import Population

SAMPLE = 50


def walk_references(value: Any) -> Iterator[dict[str, Any]]:
    """Every FHIR Reference (a dict with ``reference`` or a logical ``identifier`` reference) inside."""
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str) or (
            set(value) <= {"identifier", "display", "type"} and isinstance(value.get("identifier"), dict)
        ):
            yield value
        for child in value.values():
            yield from walk_references(child)
    elif isinstance(value, list):
        for child in value:
            yield from walk_references(child)


def empty_values(value: Any, path: str = "") -> Iterator[str]:
    """FHIR JSON forbids nulls, empty strings, empty arrays and empty objects."""
    if value is None or value == "" or value == [] or value == {}:
        yield path
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from empty_values(child, f"{path}.{key}")
    elif isinstance(value, list):
        for position, child in enumerate(value):
            yield from empty_values(child, f"{path}[{position}]")


def validate(resource: dict[str, Any]) -> None:
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def test_reference_bundle_is_a_valid_batch(population: Population) -> None:
    bundle = population.reference()

    validate(bundle)
    assert bundle["type"] == "batch"
    types = {entry["resource"]["resourceType"] for entry in bundle["entry"]}
    assert types == {"Organization", "Location", "Practitioner", "PractitionerRole"}
    for entry in bundle["entry"]:
        validate(entry["resource"])
        assert entry["request"]["method"] == "POST"


def test_a_sample_of_member_bundles_is_valid_fhir(population: Population) -> None:
    checked = 0
    for bundle in population.bundles(SAMPLE):
        validate(bundle)
        assert bundle["type"] == "transaction"
        for entry in bundle["entry"]:
            resource = entry["resource"]
            validate(resource)
            assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
            assert entry["request"] == {"method": "POST", "url": resource["resourceType"]}
            assert list(empty_values(resource)) == []
            checked += 1
    assert checked > SAMPLE * 20


@pytest.mark.parametrize("resource_type", ["Patient", "Encounter", "Condition", "Observation", "Claim"])
def test_a_sample_of_ndjson_resources_is_valid_fhir(
    ndjson_population: Population, resource_type: str
) -> None:
    resources = ndjson_population.ndjson(resource_type)

    assert resources
    for resource in resources[:300]:
        validate(resource)


def _reference_index(population: Population) -> set[str]:
    """Conditional-reference targets and logical identifiers the shared resources answer to."""
    index: set[str] = set()
    for entry in population.reference()["entry"]:
        resource = entry["resource"]
        for identifier in resource.get("identifier", []):
            index.add(f"{resource['resourceType']}?identifier={identifier['system']}|{identifier['value']}")
            index.add(f"{identifier['system']}|{identifier['value']}")
    return index


def test_every_bundle_reference_resolves_in_the_bundle_or_reference_json(population: Population) -> None:
    shared = _reference_index(population)
    for entry in population.reference()["entry"]:
        for reference in walk_references(entry["resource"]):
            identifier = reference["identifier"]
            assert f"{identifier['system']}|{identifier['value']}" in shared

    for bundle in population.bundles(200):
        local = {entry["fullUrl"] for entry in bundle["entry"]}
        for entry in bundle["entry"]:
            for reference in walk_references(entry["resource"]):
                target = reference["reference"]
                if target.startswith("urn:uuid:"):
                    assert target in local, target
                else:
                    assert target in shared, target


def test_every_ndjson_reference_resolves(ndjson_population: Population) -> None:
    stats = ndjson_population.stats
    known: set[str] = set()
    for resource_type in stats.resources:
        known.update(
            f"{resource_type}/{resource['id']}" for resource in ndjson_population.ndjson(resource_type)
        )

    for resource_type in stats.resources:
        for resource in ndjson_population.ndjson(resource_type):
            for reference in walk_references(resource):
                assert reference["reference"] in known, reference


def test_ndjson_mode_writes_the_same_resources_as_bundle_mode(
    population: Population, ndjson_population: Population
) -> None:
    assert ndjson_population.stats.resources == population.stats.resources
    for resource_type, count in population.stats.resources.items():
        assert len(ndjson_population.ndjson(resource_type)) == count
    bundle_ids = {entry["resource"]["id"] for bundle in population.bundles() for entry in bundle["entry"]}
    ndjson_ids = {
        resource["id"]
        for resource_type in population.stats.resources
        for resource in ndjson_population.ndjson(resource_type)
    }
    assert bundle_ids == ndjson_ids - {entry["resource"]["id"] for entry in population.reference()["entry"]}
