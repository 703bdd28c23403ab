"""Synthetic population generation: wall time, members per second and peak memory.

Usage: python benchmarks/bench_generate.py [--members 1000000] [--seed 7] [--ndjson] [--workers N]
                                           [--dir PARENT] [--keep]

Generates N members into a temporary folder (under --dir, default the system temp folder),
prints the time, members/s, milliseconds per member, bytes written and the peak resident
memory of the coordinating process and of the largest worker, then deletes the folder unless
--keep.  Bundle mode writes about 60 KiB per member, so check the free space first: the
script refuses to start when the estimate does not fit.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
from pathlib import Path

BYTES_PER_MEMBER = {"bundles": 64 * 1024, "ndjson": 56 * 1024}


def _peak_rss_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def _cpu_seconds() -> float:
    """User and system time of this process and of its finished worker processes."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--ndjson", action="store_true")
    parser.add_argument("--workers", type=int, default=None, help="default: one per CPU")
    parser.add_argument("--dir", type=Path, default=None, help="where to make the temporary folder")
    parser.add_argument("--keep", action="store_true", help="keep the generated folder")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    arguments = parser.parse_args()

    from wraparound.synth.writer import generate_population

    parent = arguments.dir or Path(tempfile.gettempdir())
    mode = "ndjson" if arguments.ndjson else "bundles"
    needed = arguments.members * BYTES_PER_MEMBER[mode]
    free = shutil.disk_usage(parent).free
    if needed > 0.9 * free:
        print(
            f"about {needed / 2**30:.1f} GiB needed, {free / 2**30:.1f} GiB free under {parent}",
            file=sys.stderr,
        )
        return 2
    workers = arguments.workers or os.cpu_count() or 1
    folder = Path(tempfile.mkdtemp(prefix="wraparound-generate-", dir=parent))
    cpu_before = _cpu_seconds()
    try:
        stats = generate_population(
            folder,
            arguments.members,
            arguments.seed,
            ndjson=arguments.ndjson,
            progress=not arguments.quiet,
            workers=workers,
        )
        cpu = _cpu_seconds() - cpu_before
    finally:
        if not arguments.keep:
            shutil.rmtree(folder, ignore_errors=True)

    print(f"generated {stats.members:,} members ({mode}, seed {arguments.seed}, {workers} worker processes)")
    print(f"  time            {stats.seconds:,.1f} s")
    print(f"  members/s       {stats.members_per_second:,.0f}")
    per_member = 1000 / max(stats.members, 1)
    print(
        f"  per member      {stats.seconds * per_member:.3f} ms wall, {cpu * per_member:.3f} ms CPU (all processes)"
    )
    print(
        f"  resources       {stats.total_resources:,} ({stats.total_resources / max(stats.members, 1):.1f} per member)"
    )
    print(f"  written         {stats.bytes_written / 2**30:,.2f} GiB in {stats.files:,} files")
    print(
        f"  peak RSS        {_peak_rss_mib(resource.RUSAGE_SELF):,.0f} MiB coordinator, "
        f"{_peak_rss_mib(resource.RUSAGE_CHILDREN):,.0f} MiB largest worker"
    )
    if arguments.keep:
        print(f"  kept in         {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
