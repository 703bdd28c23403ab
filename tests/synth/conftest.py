"""Shared populations for the synthetic-population tests (generated once per test session)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.synth.synth_helpers import AS_OF, MEMBERS, SEED, Population
from wraparound.synth.writer import generate_population


@pytest.fixture(scope="session")
def population(tmp_path_factory: pytest.TempPathFactory) -> Population:
    """2,000 members as transaction bundles."""
    path = tmp_path_factory.mktemp("bundles")
    stats = generate_population(path, MEMBERS, SEED, as_of=AS_OF, progress=False, workers=1, overwrite=True)
    return Population(path, stats)


@pytest.fixture(scope="session")
def ndjson_population(tmp_path_factory: pytest.TempPathFactory) -> Population:
    """The same 2,000 members as Bulk FHIR NDJSON."""
    path = tmp_path_factory.mktemp("ndjson")
    stats = generate_population(
        path, MEMBERS, SEED, ndjson=True, as_of=AS_OF, progress=False, workers=1, overwrite=True
    )
    return Population(path, stats)


@pytest.fixture(scope="session")
def members(population: Population) -> list[list[dict[str, Any]]]:
    """Each member's resources, in bundle order."""
    return [[entry["resource"] for entry in bundle["entry"]] for bundle in population.bundles()]
