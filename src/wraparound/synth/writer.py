"""Writing a population to disk: one transaction Bundle per member, or Bulk FHIR NDJSON.

Members are built and written in chunks, one chunk at a time per worker process, so memory
stays flat however large the population.  Output is byte-identical for the same members,
seed and as-of date whatever the number of workers: every member has its own generator and
NDJSON chunks are written back in member order.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path
from typing import IO

import orjson
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from wraparound.synth.codes import FhirJson
from wraparound.synth.network import Network, build_network
from wraparound.synth.population import Window
from wraparound.synth.record import member_resources
from wraparound.synth.reference import reference_bundle, reference_resources

DEFAULT_AS_OF = date(2026, 11, 1)
MEMBERS_PER_FOLDER = 1_000
CHUNK_SIZE = 250
PARALLEL_THRESHOLD = 5_000
REFERENCE_FILE = "reference.json"
MEMBERS_FOLDER = "members"

__all__ = ["DEFAULT_AS_OF", "GenerationStats", "OutputNotEmptyError", "generate_population", "member_path"]


class OutputNotEmptyError(FileExistsError):
    """The output folder already holds files and overwriting was not asked for."""


@dataclass
class GenerationStats:
    """What a run wrote: members, files, resources per type, bytes and the time it took."""

    out_dir: Path
    ndjson: bool
    members: int = 0
    files: int = 0
    bytes_written: int = 0
    seconds: float = 0.0
    resources: dict[str, int] = field(default_factory=dict)

    @property
    def total_resources(self) -> int:
        return sum(self.resources.values())

    @property
    def members_per_second(self) -> float:
        return self.members / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class Job:
    out_dir: str
    seed: int
    as_of: date
    ndjson: bool


@dataclass
class ChunkResult:
    members: int
    files: int
    bytes_written: int
    resources: Counter[str]
    lines: dict[str, bytes] = field(default_factory=dict)


def member_path(out_dir: Path, number: int) -> Path:
    """Where member ``number`` (1-based) is written in bundle mode."""
    return (
        out_dir / MEMBERS_FOLDER / f"{(number - 1) // MEMBERS_PER_FOLDER:03d}" / f"member-{number:07d}.json"
    )


# --- worker side -----------------------------------------------------------------------------

_worker: tuple[Job, Network, Window] | None = None


def _start_worker(job: Job) -> None:
    global _worker
    _worker = (job, build_network(relative=job.ndjson), Window.ending(job.as_of))


def _bundle(resources: list[FhirJson]) -> FhirJson:
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": f"urn:uuid:{resource['id']}",
                "resource": resource,
                "request": {"method": "POST", "url": resource["resourceType"]},
            }
            for resource in resources
        ],
    }


def _write_bundles(job: Job, network: Network, window: Window, first: int, stop: int) -> ChunkResult:
    result = ChunkResult(stop - first, 0, 0, Counter())
    out_dir = Path(job.out_dir)
    made: set[Path] = set()
    for index in range(first, stop):
        resources = member_resources(job.seed, index, network, window)
        result.resources.update(resource["resourceType"] for resource in resources)
        data = orjson.dumps(_bundle(resources))
        path = member_path(out_dir, index + 1)
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        with open(path, "wb") as handle:
            handle.write(data)
        result.files += 1
        result.bytes_written += len(data)
    return result


def _ndjson_lines(job: Job, network: Network, window: Window, first: int, stop: int) -> ChunkResult:
    result = ChunkResult(stop - first, 0, 0, Counter())
    lines: dict[str, list[bytes]] = {}
    for index in range(first, stop):
        for resource in member_resources(job.seed, index, network, window):
            resource_type = resource["resourceType"]
            lines.setdefault(resource_type, []).append(orjson.dumps(resource))
    for resource_type, encoded in lines.items():
        result.resources[resource_type] = len(encoded)
        encoded.append(b"")
        result.lines[resource_type] = b"\n".join(encoded)
    return result


def run_chunk(bounds: tuple[int, int]) -> ChunkResult:
    """Build members ``bounds[0]`` to ``bounds[1] - 1`` in this worker."""
    if _worker is None:
        raise RuntimeError("the generator worker was not started")
    job, network, window = _worker
    if job.ndjson:
        return _ndjson_lines(job, network, window, *bounds)
    return _write_bundles(job, network, window, *bounds)


# --- coordinator side ------------------------------------------------------------------------


def _prepare(out_dir: Path, overwrite: bool) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    if not any(out_dir.iterdir()):
        return
    if not overwrite:
        raise OutputNotEmptyError(
            f"{out_dir} is not empty; ask to overwrite (--force) to replace generated output"
        )
    shutil.rmtree(out_dir / MEMBERS_FOLDER, ignore_errors=True)
    for path in [out_dir / REFERENCE_FILE, *out_dir.glob("*.ndjson")]:
        path.unlink(missing_ok=True)


class NdjsonFiles:
    """One append-only file per resource type, opened on first use."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.handles: dict[str, IO[bytes]] = {}

    def write(self, resource_type: str, data: bytes) -> None:
        handle = self.handles.get(resource_type)
        if handle is None:
            handle = open(self.out_dir / f"{resource_type}.ndjson", "wb")  # noqa: SIM115 - closed in close()
            self.handles[resource_type] = handle
        handle.write(data)

    def close(self) -> None:
        for handle in self.handles.values():
            handle.close()


def _write_reference(
    out_dir: Path, network: Network, stats: GenerationStats, files: NdjsonFiles | None
) -> None:
    resources = reference_resources(network)
    stats.resources.update(Counter(resource["resourceType"] for resource in resources))
    if files is None:
        data = orjson.dumps(reference_bundle(network))
        (out_dir / REFERENCE_FILE).write_bytes(data)
        stats.files += 1
        stats.bytes_written += len(data)
        return
    for resource in resources:
        data = orjson.dumps(resource) + b"\n"
        files.write(resource["resourceType"], data)
        stats.bytes_written += len(data)


def _chunks(members: int) -> list[tuple[int, int]]:
    return [(first, min(first + CHUNK_SIZE, members)) for first in range(0, members, CHUNK_SIZE)]


@contextmanager
def _results(job: Job, members: int, workers: int) -> Iterator[Iterator[ChunkResult]]:
    chunks = _chunks(members)
    if workers <= 1:
        _start_worker(job)
        yield (run_chunk(bounds) for bounds in chunks)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_start_worker, initargs=(job,)) as pool:
        yield _in_order(pool, chunks, in_flight=2 * workers)


def _in_order(pool: Pool, chunks: list[tuple[int, int]], in_flight: int) -> Iterator[ChunkResult]:
    """Chunk results in member order, with at most ``in_flight`` chunks queued or held in memory."""
    pending: deque[AsyncResult[ChunkResult]] = deque()
    for bounds in chunks:
        pending.append(pool.apply_async(run_chunk, (bounds,)))
        if len(pending) >= in_flight:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


def _default_workers(members: int) -> int:
    if members < PARALLEL_THRESHOLD:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


class RateColumn(ProgressColumn):
    """Members per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} members/s" if speed else "", style="progress.data.speed")


@contextmanager
def _progress_bar(enabled: bool, members: int) -> Iterator[Callable[[int], None]]:
    if not enabled:
        yield lambda advance: None
        return
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns) as bar:
        task = bar.add_task("Generating members", total=members)
        yield lambda advance: bar.advance(task, advance)


def _collect(stats: GenerationStats, result: ChunkResult, files: NdjsonFiles | None) -> None:
    stats.members += result.members
    stats.files += result.files
    stats.bytes_written += result.bytes_written
    for resource_type, count in result.resources.items():
        stats.resources[resource_type] = stats.resources.get(resource_type, 0) + count
    if files is not None:
        for resource_type, data in result.lines.items():
            files.write(resource_type, data)
            stats.bytes_written += len(data)


def generate_population(
    out_dir: Path,
    members: int,
    seed: int,
    ndjson: bool = False,
    as_of: date = DEFAULT_AS_OF,
    progress: bool = True,
    *,
    workers: int | None = None,
    overwrite: bool = False,
) -> GenerationStats:
    """Generate ``members`` members with ``seed`` into ``out_dir``.

    Bundle mode writes ``reference.json`` and ``members/NNN/member-NNNNNNN.json``; NDJSON mode
    writes one ``<ResourceType>.ndjson`` per type.  ``workers`` defaults to one process for
    small populations and to the CPU count otherwise; the output does not depend on it.
    Raises ``OutputNotEmptyError`` when ``out_dir`` holds files, unless ``overwrite``.
    """
    if members < 0:
        raise ValueError("members must be zero or more")
    started = time.perf_counter()
    out_dir = Path(out_dir)
    _prepare(out_dir, overwrite)
    stats = GenerationStats(out_dir=out_dir, ndjson=ndjson)
    job = Job(str(out_dir), seed, as_of, ndjson)
    files = NdjsonFiles(out_dir) if ndjson else None
    try:
        _write_reference(out_dir, build_network(relative=ndjson), stats, files)
        process_count = workers if workers is not None else _default_workers(members)
        with _progress_bar(progress, members) as advance, _results(job, members, process_count) as results:
            for result in results:
                _collect(stats, result, files)
                advance(result.members)
    finally:
        if files is not None:
            files.close()
    if files is not None:
        stats.files = len(files.handles)
    stats.resources = dict(sorted(stats.resources.items()))
    stats.seconds = time.perf_counter() - started
    return stats
