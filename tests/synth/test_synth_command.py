"""``wraparound generate`` writes a population and refuses to clobber one."""

from __future__ import annotations

import os
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from tests.synth.synth_helpers import tree_digest
from wraparound.synth.writer import generate_population


@pytest.fixture(autouse=True)
def django_settings() -> None:
    if not settings.configured:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.config.settings")
        django.setup()


def test_generate_writes_the_same_tree_as_the_function(tmp_path: Path) -> None:
    call_command("generate", "--members", "25", "--seed", "9", "--out", str(tmp_path / "cli"), "--quiet")
    generate_population(tmp_path / "api", 25, 9, progress=False)

    assert tree_digest(tmp_path / "cli") == tree_digest(tmp_path / "api")


def test_generate_ndjson_with_an_as_of_date_and_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command(
        "generate",
        "--members",
        "10",
        "--seed",
        "9",
        "--out",
        str(tmp_path),
        "--ndjson",
        "--as-of",
        "2025-01-15",
    )

    assert (tmp_path / "Patient.ndjson").read_bytes().count(b"\n") == 10
    assert "Wrote 10 members" in capsys.readouterr().out


def test_generate_refuses_a_non_empty_folder_without_force(tmp_path: Path) -> None:
    call_command("generate", "--members", "3", "--out", str(tmp_path), "--quiet")

    with pytest.raises(CommandError, match="not empty"):
        call_command("generate", "--members", "3", "--out", str(tmp_path), "--quiet")
    call_command("generate", "--members", "4", "--out", str(tmp_path), "--quiet", "--force")

    assert len(list((tmp_path / "members").rglob("*.json"))) == 4


def test_generate_rejects_a_bad_date(tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command("generate", "--members", "3", "--out", str(tmp_path), "--as-of", "next tuesday")
