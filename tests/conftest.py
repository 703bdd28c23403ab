"""Shared fixtures.  Public test data is read from ../shared/data beside the repository, never copied."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


@pytest.fixture
def steady_session_clock(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """For tests comparing the queries of requests made seconds apart.

    A request writes the session's clock when the last one it recorded is more than a few seconds
    old (``accounts.sessions.touch``), so on a slow machine one of the compared requests would
    carry that write and the counts differ.  Here the clock is never due; idle sign-out too."""
    from wraparound.accounts import sessions

    monkeypatch.setattr(sessions, "LAST_SEEN_RESOLUTION", 10**9)
    settings.SESSION_IDLE_SECONDS = 10**9
