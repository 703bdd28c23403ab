"""Counting what a source holds, independently of the importer (plain json/tarfile, no project code)."""

from __future__ import annotations

import json
import tarfile
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any


def _bundle_resources(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if document.get("resourceType") == "Bundle":
        for entry in document.get("entry", []):
            yield entry["resource"]
    else:
        yield document


def distinct_counts(documents: Iterable[dict[str, Any]]) -> Counter[str]:
    """Resources per type, a resource that appears in several bundles (same type and id) counted once."""
    seen: set[tuple[str, str]] = set()
    for document in documents:
        for resource in _bundle_resources(document):
            seen.add((resource["resourceType"], resource["id"]))
    return Counter(resource_type for resource_type, _ in seen)


def json_files(folder: Path) -> Iterator[dict[str, Any]]:
    for path in sorted(folder.rglob("*.json")):
        with path.open(encoding="utf-8") as handle:
            yield json.load(handle)


def tar_json_members(archive: Path) -> Iterator[dict[str, Any]]:
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            if member.isfile() and member.name.endswith(".json"):
                handle = tar.extractfile(member)
                assert handle is not None
                yield json.load(handle)
