"""The ``wraparound`` command: every Django management command, plus the project's own."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.config.settings")
    from django.core.management import execute_from_command_line

    arguments = list(sys.argv if argv is None else argv)
    arguments[0] = "wraparound"
    execute_from_command_line(arguments)


if __name__ == "__main__":
    main()
