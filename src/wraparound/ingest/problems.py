"""Import problems: stable codes, and messages that name the file, record and element.

Codes are never reused; docs/import.md lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Code(StrEnum):
    UNREADABLE = "E100"  # the file or archive member could not be read
    EMPTY = "E101"  # the file is empty
    NOT_UTF8 = "E102"  # the bytes are not UTF-8
    BAD_JSON = "E103"  # not well-formed JSON (truncated, a stray character...)
    NOT_FHIR = "E104"  # JSON, but not a FHIR resource or Bundle
    BUNDLE_TYPE = "E105"  # a Bundle type that cannot be imported (history, responses)
    UNKNOWN_TYPE = "E110"  # resourceType is not a FHIR R4 resource type
    INVALID = "E111"  # structurally invalid resource (wrong type, format, cardinality...)
    NO_ID = "E112"  # neither id nor fullUrl: the resource has no identity
    UNRESOLVED = "E120"  # a reference to a resource that is neither in the unit nor stored
    AMBIGUOUS = "E121"  # a conditional reference that matches more than one resource
    DUPLICATE = "E122"  # the same resource twice in one unit with different content
    METHOD = "E130"  # a transaction entry whose request method cannot be imported
    CSV = "E140"  # a Synthea CSV problem (missing column, unparseable value)
    DATABASE = "E199"  # the database refused the write


@dataclass(frozen=True)
class ImportProblem:
    code: Code
    file: str
    message: str
    where: str = ""  # entry[12] / line 34 / conditions.csv row 17
    element: str = ""  # entry[12].resource.period.start
    resource_type: str = ""
    resource_id: str = ""

    def __str__(self) -> str:
        parts = [f"{self.code} {self.file}"]
        if self.where:
            parts.append(self.where)
        if self.resource_type:
            parts.append(
                f"{self.resource_type}/{self.resource_id}" if self.resource_id else self.resource_type
            )
        head = ", ".join(parts)
        element = f" at {self.element}" if self.element else ""
        return f"{head}{element}: {self.message}"


class UnitRejected(Exception):
    """Raised inside a unit's transaction: the unit writes nothing."""

    def __init__(self, problem: ImportProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem
