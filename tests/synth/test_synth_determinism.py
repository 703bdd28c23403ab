"""The same seed, members and as-of date always write the same bytes."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.synth.synth_helpers import tree_digest
from wraparound.synth.writer import OutputNotEmptyError, generate_population

MEMBERS = 300


def test_same_seed_writes_identical_trees(tmp_path: Path) -> None:
    first = generate_population(tmp_path / "a", MEMBERS, 7, progress=False, workers=1)
    second = generate_population(tmp_path / "b", MEMBERS, 7, progress=False, workers=1)

    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")
    assert first.resources == second.resources
    assert first.files == MEMBERS + 1


def test_parallel_workers_write_the_same_bytes_as_one_process(tmp_path: Path) -> None:
    generate_population(tmp_path / "one", 600, 11, progress=False, workers=1)
    generate_population(tmp_path / "two", 600, 11, progress=False, workers=2)
    generate_population(tmp_path / "one.ndjson", 600, 11, ndjson=True, progress=False, workers=1)
    generate_population(tmp_path / "two.ndjson", 600, 11, ndjson=True, progress=False, workers=2)

    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "two")
    assert tree_digest(tmp_path / "one.ndjson") == tree_digest(tmp_path / "two.ndjson")


def test_a_different_seed_writes_a_different_population(tmp_path: Path) -> None:
    generate_population(tmp_path / "a", MEMBERS, 7, progress=False, workers=1)
    generate_population(tmp_path / "b", MEMBERS, 8, progress=False, workers=1)

    assert tree_digest(tmp_path / "a") != tree_digest(tmp_path / "b")
    assert (tmp_path / "a" / "reference.json").read_bytes() == (
        tmp_path / "b" / "reference.json"
    ).read_bytes()


def test_a_member_does_not_depend_on_the_population_size(tmp_path: Path) -> None:
    generate_population(tmp_path / "small", 5, 7, progress=False, workers=1)
    generate_population(tmp_path / "large", 40, 7, progress=False, workers=1)

    member = Path("members/000/member-0000005.json")
    assert (tmp_path / "small" / member).read_bytes() == (tmp_path / "large" / member).read_bytes()


def test_the_as_of_date_moves_the_history(tmp_path: Path) -> None:
    generate_population(tmp_path / "a", 20, 7, as_of=date(2026, 11, 1), progress=False, workers=1)
    generate_population(tmp_path / "b", 20, 7, as_of=date(2025, 6, 1), progress=False, workers=1)

    assert tree_digest(tmp_path / "a") != tree_digest(tmp_path / "b")
    assert b"2026-" not in (tmp_path / "b" / "members/000/member-0000001.json").read_bytes()


def test_refuses_a_non_empty_folder_unless_told_to_overwrite(tmp_path: Path) -> None:
    generate_population(tmp_path, 10, 7, progress=False, workers=1)
    before = tree_digest(tmp_path)

    with pytest.raises(OutputNotEmptyError):
        generate_population(tmp_path, 5, 7, progress=False, workers=1)
    generate_population(tmp_path, 5, 7, progress=False, workers=1, overwrite=True)

    assert before != tree_digest(tmp_path)
    assert len(list((tmp_path / "members").rglob("*.json"))) == 5


def test_output_does_not_depend_on_hash_seed_or_locale(tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path; from wraparound.synth.writer import generate_population; "
        "generate_population(Path(sys.argv[1]), 40, 3, progress=False, workers=1)"
    )
    for name, hash_seed, locale, zone in (("a", "1", "C", "UTC"), ("b", "12345", "C.UTF-8", "Asia/Tokyo")):
        environment = {**os.environ, "PYTHONHASHSEED": hash_seed, "LC_ALL": locale, "TZ": zone}
        subprocess.run([sys.executable, "-c", script, str(tmp_path / name)], check=True, env=environment)

    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")
