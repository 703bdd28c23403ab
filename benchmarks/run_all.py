"""``make bench``: every benchmark, on SQLite and on a throwaway PostgreSQL, figures and ratios printed.

Environment knobs (for a quicker look): BENCH_MEMBERS (generated members imported, default
10,000), BENCH_GENERATE_MEMBERS (members generated for the generation benchmark, default
1,000,000), BENCH_POPULATION_MEMBERS (members for eligibility + risk on SQLite, default
1,000,000) and BENCH_POPULATION_PG_MEMBERS (the same on PostgreSQL, default 100,000).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable


def _run(arguments: list[str], environment: dict[str, str] | None = None) -> None:
    print(f"\n$ {' '.join(arguments)}", flush=True)
    subprocess.run(arguments, check=True, env={**os.environ, **(environment or {})})


def main() -> None:
    members = os.environ.get("BENCH_MEMBERS", "10000")
    generate_members = os.environ.get("BENCH_GENERATE_MEMBERS", "1000000")
    with tempfile.TemporaryDirectory(prefix="wraparound-bench-") as folder:
        sqlite_url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        _run([PYTHON, str(HERE / "bench_import.py"), "--members", members], {"DATABASE_URL": sqlite_url})
        summary_url = f"sqlite:///{Path(folder) / 'summary.sqlite3'}"
        _run([PYTHON, str(HERE / "bench_summary.py")], {"DATABASE_URL": summary_url})
        population_url = f"sqlite:///{Path(folder) / 'population.sqlite3'}"
        population = os.environ.get("BENCH_POPULATION_MEMBERS", "1000000")
        _run(
            [PYTHON, str(HERE / "bench_population.py"), "--members", population],
            {"DATABASE_URL": population_url},
        )
        Path(folder, "population.sqlite3").unlink()
        mllp_url = f"sqlite:///{Path(folder) / 'mllp.sqlite3'}"
        _run([PYTHON, str(HERE / "bench_mllp.py")], {"DATABASE_URL": mllp_url})
        alerts_url = f"sqlite:///{Path(folder) / 'alerts.sqlite3'}"
        _run([PYTHON, str(HERE / "bench_alerts.py")], {"DATABASE_URL": alerts_url})
    _run(
        [
            PYTHON,
            "-m",
            "wraparound.devtools.pgtemp",
            "--",
            PYTHON,
            str(HERE / "bench_import.py"),
            "--members",
            members,
        ]
    )
    _run([PYTHON, "-m", "wraparound.devtools.pgtemp", "--", PYTHON, str(HERE / "bench_summary.py")])
    _run([PYTHON, "-m", "wraparound.devtools.pgtemp", "--", PYTHON, str(HERE / "bench_workspace.py")])
    population_pg = os.environ.get("BENCH_POPULATION_PG_MEMBERS", "100000")
    pgtemp = [PYTHON, "-m", "wraparound.devtools.pgtemp", "--", PYTHON]
    _run([*pgtemp, str(HERE / "bench_population.py"), "--members", population_pg])
    # Intake is about commits that survive a crash: this cluster keeps fsync and synchronous commit on.
    durable_pg = [PYTHON, "-m", "wraparound.devtools.pgtemp", "--durable", "--", PYTHON]
    _run([*durable_pg, str(HERE / "bench_mllp.py")])
    _run([*durable_pg, str(HERE / "bench_alerts.py")])
    _run([PYTHON, str(HERE / "bench_generate.py"), "--members", generate_members, "--quiet"])


if __name__ == "__main__":
    main()
