"""Value sets the project owns, built from public expansions and shipped as data.

``sud_codes``: the substance-use-disorder codes that 42 CFR Part 2
segmentation looks for (diagnoses, treatment procedures and encounter types,
medications for SUD), built from VSAC expansions (eCQM 2024, CC0) by
``build_sud_valueset`` and kept in ``core/data/sud-valueset.json`` with the
OIDs and versions it came from.  ``scripts/build-valuesets.py`` rebuilds it;
a test checks the shipped file against a fresh build from ../shared/data.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
SUD_VALUESET_FILE = DATA_DIR / "sud-valueset.json"

# VSAC value sets (OID: why) whose codes mark a record as about substance use disorder.
SUD_VALUE_SETS = {
    "2.16.840.1.113883.3.464.1003.106.12.1001": "Substance Use Disorder (diagnoses, SNOMED CT and ICD-10-CM)",
    "2.16.840.1.113762.1.4.1111.171": "Opioid Use Disorder",
    "2.16.840.1.113883.3.464.1003.105.12.1209": "Alcohol Withdrawal",
    "2.16.840.1.113762.1.4.1029.320": "Substance Abuse (ICD-10-CM)",
    "2.16.840.1.113883.3.464.1003.106.12.1005": "Substance Use Disorder Treatment",
    "2.16.840.1.113762.1.4.1111.177": "Opioid Medication Assisted Treatment (MAT)",
    "2.16.840.1.113762.1.4.1046.269": "Medications for Opioid Use Disorder (MOUD)",
    "2.16.840.1.113883.3.464.1003.1149": "Substance Use Disorder Long Acting Medication",
    "2.16.840.1.113883.3.464.1003.1150": "Substance Use Disorder Short Acting Medication",
}

# Codes the value sets above miss that Synthea-shaped data uses for the same disorders,
# each reviewed: SNOMED CT disorders (not findings such as "misuses drugs").
SUD_ADDITIONS = {
    "http://snomed.info/sct": {
        "6525002": "Dependent drug abuse (disorder)",
        "7200002": "Alcoholism (disorder)",
        "5602001": "Opioid abuse (disorder)",
        "55054005": "Drug dependence (disorder)",
    }
}


def build_sud_valueset(expansions_folder: Path) -> dict[str, Any]:
    """The shipped file's content, from a folder of VSAC ValueSet JSON expansions."""
    codes: dict[str, set[str]] = {}
    sources = []
    by_oid = {}
    for path in sorted(expansions_folder.glob("valueset-*.json")):
        oid = path.stem.removeprefix("valueset-")
        if oid in SUD_VALUE_SETS:
            by_oid[oid] = json.loads(path.read_text(encoding="utf-8"))
    missing = sorted(set(SUD_VALUE_SETS) - set(by_oid))
    if missing:
        raise FileNotFoundError(f"{expansions_folder}: value sets not found: {', '.join(missing)}")
    for oid in sorted(by_oid):
        valueset = by_oid[oid]
        sources.append(
            {"oid": oid, "title": valueset.get("title", ""), "version": valueset.get("version", "")}
        )
        for concept in valueset.get("expansion", {}).get("contains", []):
            codes.setdefault(concept["system"], set()).add(concept["code"])
    for system, additions in SUD_ADDITIONS.items():
        codes.setdefault(system, set()).update(additions)
    return {
        "description": "Substance-use-disorder codes for 42 CFR Part 2 segmentation (see core/valuesets.py)",
        "sources": sources,
        "additions": {system: dict(sorted(a.items())) for system, a in SUD_ADDITIONS.items()},
        "codes": {system: sorted(values) for system, values in sorted(codes.items())},
    }


@functools.cache
def sud_codes() -> frozenset[tuple[str, str]]:
    """(system, code) pairs that mark a record as about substance use disorder."""
    data = json.loads(SUD_VALUESET_FILE.read_text(encoding="utf-8"))
    return frozenset((system, code) for system, values in data["codes"].items() for code in values)


def is_sud_coding(codings: Any) -> bool:
    """Whether any coding of a CodeableConcept (or list of them) is in the SUD value set."""
    wanted = sud_codes()
    stack = [codings]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if "coding" in item:
                stack.append(item["coding"])
            elif (item.get("system"), item.get("code")) in wanted:
                return True
    return False
