"""Shared fixtures.  Public test data is read from ../shared/data beside the repository, never copied."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(
            f"the shared test data is missing: expected a folder 'shared/data' beside the repository ({SHARED_DATA})"
        )
    return SHARED_DATA
