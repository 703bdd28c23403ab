from __future__ import annotations

from django.apps import AppConfig


class CliConfig(AppConfig):
    """The command line's own commands (`wraparound demo`, `wraparound serve`): an interface app."""

    name = "wraparound.cli"
    label = "cli"
