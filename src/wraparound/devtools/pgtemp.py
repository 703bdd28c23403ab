"""Run a command against a throwaway PostgreSQL cluster: ``python -m wraparound.devtools.pgtemp [--durable] -- CMD...``.

The cluster lives in a temporary directory, listens on 127.0.0.1 on a free
port below 32768, and is stopped and removed when the command ends (also when
it fails).  As root (CI), PostgreSQL runs as the ``postgres`` user, which it
requires.  ``DATABASE_URL`` is set for the command.  When the server binaries
are missing and we are root, they are installed with apt-get; otherwise this
fails loudly: the PostgreSQL half of the suite must never be skipped.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

SEARCH = [
    Path("/usr/lib/postgresql/15/bin"),
    Path("/usr/lib/postgresql/16/bin"),
    Path("/usr/lib/postgresql/17/bin"),
]


def _binaries() -> Path:
    for folder in SEARCH:
        if (folder / "initdb").exists():
            return folder
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    if os.geteuid() == 0:
        print("pgtemp: PostgreSQL server binaries missing; installing with apt-get", file=sys.stderr)
        subprocess.run(["apt-get", "update", "-q"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "postgresql"], check=True)
        return _binaries()
    raise SystemExit(
        "pgtemp: initdb not found; install PostgreSQL 15+ server binaries (apt-get install postgresql)"
    )


def _free_port() -> int:
    for port in range(25432, 32000, 7):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("pgtemp: no free port below 32768")


def _as_owner(command: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *command] if owner else command


@contextlib.contextmanager
def cluster(*, durable: bool = False) -> Iterator[str]:
    """A throwaway cluster.  Tests run it without fsync (nothing there must survive a crash);
    ``durable`` keeps PostgreSQL's defaults, fsync and synchronous commit, for benchmarks whose
    subject is a commit that survives one."""
    binaries = _binaries()
    owner = "postgres" if os.geteuid() == 0 else None
    if owner:
        try:
            pwd.getpwnam(owner)
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", owner], check=True)
    directory = Path(tempfile.mkdtemp(prefix="wraparound-pg-"))
    data = directory / "data"
    if owner:
        shutil.chown(directory, owner)
    port = _free_port()
    run = {"check": True, "stdout": subprocess.DEVNULL}
    subprocess.run(
        _as_owner(
            [
                str(binaries / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "wraparound",
                "-E",
                "UTF8",
                "--no-locale",
            ],
            owner,
        ),
        **run,
    )  # type: ignore[call-overload]
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1"
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off"
    subprocess.run(
        _as_owner(
            [
                str(binaries / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(directory / "log"),
                "-w",
                "start",
            ],
            owner,
        ),
        **run,
    )  # type: ignore[call-overload]
    try:
        subprocess.run(
            _as_owner(
                [
                    str(binaries / "createdb"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "-U",
                    "wraparound",
                    "wraparound",
                ],
                owner,
            ),
            **run,
        )  # type: ignore[call-overload]
        yield f"postgres://wraparound@127.0.0.1:{port}/wraparound"
    finally:
        subprocess.run(
            _as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], owner),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(directory, ignore_errors=True)


def main() -> None:
    arguments = sys.argv[1:]
    durable = arguments[:1] == ["--durable"]
    if durable:
        arguments = arguments[1:]
    if arguments[:1] == ["--"]:
        arguments = arguments[1:]
    if not arguments:
        raise SystemExit("usage: python -m wraparound.devtools.pgtemp [--durable] -- COMMAND [ARGS...]")
    with cluster(durable=durable) as url:
        print(f"pgtemp: PostgreSQL at {url}", file=sys.stderr)
        completed = subprocess.run(arguments, env={**os.environ, "DATABASE_URL": url})
    sys.exit(completed.returncode)


if __name__ == "__main__":
    main()
