"""What to import: paths → units, and units → entries.

A unit is what imports atomically: one FHIR Bundle (or single-resource JSON
file), one NDJSON file, or one Synthea CSV folder.  Units can be read twice
(the importer indexes a unit before it stores it), so each carries an
``open`` function rather than an open stream.  Archives (.zip, .tar.gz,
.tgz) are read member by member without unpacking them to disk.
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import ijson  # type: ignore[import-untyped]
import orjson

from wraparound.ingest.problems import Code, ImportProblem, UnitRejected
from wraparound.ingest.synthea_csv import CsvFormatError, is_synthea_csv_folder, iter_csv_resources

# Bundles larger than this are streamed entry by entry (two passes over the
# file) instead of parsed whole, so memory stays bounded whatever their size.
STREAM_THRESHOLD_BYTES = 64 * 1024 * 1024

# Resource types a dependency-ordered import stores first (NDJSON file sets).
TYPE_ORDER = (
    "Organization",
    "Location",
    "Practitioner",
    "PractitionerRole",
    "Patient",
    "Coverage",
    "Encounter",
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One resource in a unit, with where it stands there (for messages)."""

    where: str  # "entry[12]", "line 34", "conditions.csv row 17"
    element_prefix: str  # "entry[12].resource", "" for NDJSON lines
    resource: Any
    full_url: str = ""
    method: str = ""
    url: str = ""
    if_none_exist: str = ""


@dataclass
class Unit:
    """One unit to import.  Picklable, so a worker process can read and prepare it."""

    name: str  # what the user recognizes: a path, or "archive.tar.gz:member.json"
    kind: str  # "json" | "ndjson" | "csv"
    size: int
    path: Path | None = None  # the file, the zip archive, or the CSV folder
    member: str | None = None  # the member of a zip archive
    data: bytes | None = None  # the bytes of a tar member (tar archives cannot be reopened at a member)
    bundle_type: str = ""

    def open(self) -> IO[bytes]:
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        if self.member is not None:
            return zipfile.ZipFile(self.path).open(self.member)
        return self.path.open("rb")

    @property
    def folder(self) -> Path | None:
        return self.path if self.kind == "csv" else None

    @property
    def streams(self) -> bool:
        """Read entry by entry (large bundles, NDJSON, CSV) rather than parsed whole."""
        return self.kind != "json" or self.size > STREAM_THRESHOLD_BYTES

    def problem(self, code: Code, message: str, **where: str) -> UnitRejected:
        return UnitRejected(ImportProblem(code=code, file=self.name, message=message, **where))


# --- discovery -------------------------------------------------------------------


def discover(paths: list[Path]) -> Iterator[Unit]:
    for path in paths:
        if path.is_dir():
            yield from _folder_units(path)
        elif _is_archive(path.name):
            yield from _archive_units(path)
        else:
            yield _file_unit(path)


def count_units(paths: list[Path]) -> int | None:
    """How many units ``discover`` will yield, when that is cheap to know; None when an archive
    would have to be opened (a progress bar then shows no total rather than read it twice)."""
    total = 0
    for path in paths:
        if _is_archive(path.name):
            return None
        if not path.is_dir() or is_synthea_csv_folder(path):
            total += 1
            continue
        inside = count_units(
            [c for c in path.iterdir() if c.is_dir() or _kind(c.name) or _is_archive(c.name)]
        )
        if inside is None:
            return None
        total += inside
    return total


def _is_archive(name: str) -> bool:
    return name.endswith((".zip", ".tar.gz", ".tgz", ".tar"))


def _kind(name: str) -> str | None:
    if name.endswith(".ndjson") or name.endswith(".ndjson.gz"):
        return "ndjson"
    if name.endswith(".json"):
        return "json"
    return None


def _file_unit(path: Path) -> Unit:
    kind = _kind(path.name) or "json"
    return Unit(name=str(path), kind=kind, size=path.stat().st_size, path=path)


def _folder_units(folder: Path) -> Iterator[Unit]:
    """A folder's own files first (reference data leading), then its sub-folders, each in order."""
    if is_synthea_csv_folder(folder):
        yield Unit(name=str(folder), kind="csv", size=0, path=folder)
        return
    children = sorted(folder.iterdir())
    files = [
        child for child in children if child.is_file() and (_kind(child.name) or _is_archive(child.name))
    ]
    for child in sorted(files, key=_file_order):
        yield from _archive_units(child) if _is_archive(child.name) else [_file_unit(child)]
    for child in children:
        if child.is_dir():
            yield from _folder_units(child)


# Synthea writes the organizations and practitioners its patient bundles
# reference into these files; they import first.
REFERENCE_DATA_PREFIXES = ("hospitalInformation", "practitionerInformation", "reference")


def _file_order(path: Path) -> tuple[int, str]:
    """Reference data first, NDJSON sets in dependency order (Patient before Encounter...), else by name."""
    if path.name.startswith(REFERENCE_DATA_PREFIXES):
        return -1, path.name
    stem = path.name.split(".", 1)[0]
    rank = TYPE_ORDER.index(stem) if stem in TYPE_ORDER else len(TYPE_ORDER)
    return rank, path.name


def _archive_units(path: Path) -> Iterator[Unit]:
    if path.name.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir() and _kind(m.filename)]
        for zipped in sorted(members, key=lambda m: _file_order(Path(m.filename))):
            yield Unit(
                name=f"{path}:{zipped.filename}",
                kind=_kind(zipped.filename) or "json",
                size=zipped.file_size,
                path=path,
                member=zipped.filename,
            )
        return
    with tarfile.open(path, "r|*") as archive:
        for member in archive:
            kind = _kind(member.name)
            if not member.isfile() or kind is None:
                continue
            stream = archive.extractfile(member)
            data = stream.read() if stream else b""
            yield Unit(name=f"{path}:{member.name}", kind=kind, size=len(data), data=data)


# --- reading entries ---------------------------------------------------------------


def read_entries(unit: Unit) -> tuple[list[Entry] | None, Callable[[], Iterator[Entry]]]:
    """The unit's entries: a list when it was small enough to parse whole, and a re-iterable reader.

    Problems with the file as a whole (empty, not UTF-8, not JSON, not FHIR)
    raise UnitRejected.
    """
    if unit.kind == "csv":
        return None, lambda: _csv_entries(unit)
    if unit.kind == "ndjson":
        return None, lambda: _ndjson_entries(unit)
    if unit.size == 0:
        raise unit.problem(Code.EMPTY, "the file is empty")
    if unit.size > STREAM_THRESHOLD_BYTES:
        _check_streamed_bundle(unit)
        return None, lambda: _streamed_bundle_entries(unit)
    with unit.open() as stream:
        data = stream.read()
    document = _parse_json(unit, data, "")
    entries = list(_document_entries(unit, document))
    return entries, lambda: iter(entries)


def _parse_json(unit: Unit, data: bytes, where: str) -> Any:
    if not data.strip():
        raise unit.problem(Code.EMPTY, "empty" + (" line" if where else " file"), where=where)
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as error:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as decode_error:
            raise unit.problem(
                Code.NOT_UTF8,
                f"not UTF-8 text (byte {decode_error.start}: {data[decode_error.start : decode_error.start + 1]!r});"
                " FHIR JSON must be UTF-8",
                where=where,
            ) from None
        raise unit.problem(Code.BAD_JSON, f"not well-formed JSON: {error}", where=where) from None


IMPORTABLE_BUNDLE_TYPES = frozenset(
    {"transaction", "batch", "collection", "searchset", "document", "message"}
)


def _document_entries(unit: Unit, document: Any) -> Iterator[Entry]:
    if not isinstance(document, dict) or not isinstance(document.get("resourceType"), str):
        raise unit.problem(
            Code.NOT_FHIR, "expected a FHIR resource or Bundle: a JSON object with resourceType"
        )
    if document["resourceType"] != "Bundle":
        yield Entry(where="resource", element_prefix="", resource=document)
        return
    bundle_type = document.get("type")
    if bundle_type not in IMPORTABLE_BUNDLE_TYPES:
        raise unit.problem(
            Code.BUNDLE_TYPE,
            f"Bundle.type {bundle_type!r} cannot be imported; expected one of {', '.join(sorted(IMPORTABLE_BUNDLE_TYPES))}",
        )
    unit.bundle_type = str(bundle_type)
    entries = document.get("entry") or []
    if not isinstance(entries, list):
        raise unit.problem(Code.NOT_FHIR, "Bundle.entry must be an array", element="entry")
    for index, entry in enumerate(entries):
        yield _bundle_entry(unit, index, entry)


def _bundle_entry(unit: Unit, index: int, entry: Any) -> Entry:
    where = f"entry[{index}]"
    if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
        raise unit.problem(
            Code.NOT_FHIR,
            "a Bundle entry must hold a resource object",
            where=where,
            element=f"{where}.resource",
        )
    request = entry.get("request") or {}
    return Entry(
        where=where,
        element_prefix=f"{where}.resource",
        resource=entry["resource"],
        full_url=str(entry.get("fullUrl", "")),
        method=str(request.get("method", "")).upper() if isinstance(request, dict) else "",
        url=str(request.get("url", "")) if isinstance(request, dict) else "",
        if_none_exist=str(request.get("ifNoneExist", "")) if isinstance(request, dict) else "",
    )


def _ndjson_entries(unit: Unit) -> Iterator[Entry]:
    with unit.open() as stream:
        seen_any = False
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            seen_any = True
            where = f"line {number}"
            resource = _parse_json(unit, line, where)
            if not isinstance(resource, dict):
                raise unit.problem(
                    Code.NOT_FHIR, "each NDJSON line must be a FHIR resource object", where=where
                )
            yield Entry(where=where, element_prefix="", resource=resource)
    if not seen_any:
        raise unit.problem(Code.EMPTY, "the file is empty")


def _csv_entries(unit: Unit) -> Iterator[Entry]:
    assert unit.folder is not None
    try:
        for record in iter_csv_resources(unit.folder):
            yield Entry(where=record.location, element_prefix="", resource=record.resource)
    except CsvFormatError as error:
        raise unit.problem(Code.CSV, str(error)) from None
    except UnicodeDecodeError as error:
        raise unit.problem(Code.NOT_UTF8, f"a CSV file is not UTF-8 text: {error}") from None


def _check_streamed_bundle(unit: Unit) -> None:
    with unit.open() as stream:
        try:
            resource_type = next(ijson.items(stream, "resourceType"), None)
        except ijson.JSONError as error:
            raise unit.problem(Code.BAD_JSON, f"not well-formed JSON: {error}") from None
    if resource_type != "Bundle":
        raise unit.problem(Code.NOT_FHIR, "a file this large must be a FHIR Bundle")
    with unit.open() as stream:
        bundle_type = next(ijson.items(stream, "type"), None)
    if bundle_type not in IMPORTABLE_BUNDLE_TYPES:
        raise unit.problem(Code.BUNDLE_TYPE, f"Bundle.type {bundle_type!r} cannot be imported")
    unit.bundle_type = str(bundle_type)


def _streamed_bundle_entries(unit: Unit) -> Iterator[Entry]:
    with unit.open() as stream:
        try:
            for index, entry in enumerate(ijson.items(stream, "entry.item", use_float=True)):
                yield _bundle_entry(unit, index, entry)
        except ijson.JSONError as error:
            raise unit.problem(Code.BAD_JSON, f"not well-formed JSON: {error}") from None
        except UnicodeDecodeError as error:
            raise unit.problem(Code.NOT_UTF8, f"not UTF-8 text: {error}") from None
