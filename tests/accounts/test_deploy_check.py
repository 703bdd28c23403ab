"""`wraparound check --deploy` is clean with production settings, and fails with the security core off."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest


def deploy_check(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "DEBUG", "SECRET_KEY", "HTTPS", "SECURE_", "AUDIT_", "AUTHORIZATION_")
        )
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "wraparound.config.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "HTTPS": "true",
            "ALLOWED_HOSTS": "wraparound.example.org",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
            "WRAPAROUND_HOME": str(tmp_path),
            **extra,
        }
    )
    command = [sys.executable, "-m", "wraparound.config.cli", "check", "--deploy", "--fail-level", "WARNING"]
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=120, check=False)


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    result = deploy_check(tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(("setting", "code"), [("AUDIT_ENABLED", "E001"), ("AUTHORIZATION_ENABLED", "E002")])
def test_the_security_core_switched_off_fails_it(tmp_path: Path, setting: str, code: str) -> None:
    result = deploy_check(tmp_path, **{setting: "false"})
    assert result.returncode != 0
    assert f"wraparound.{code}" in result.stderr
