"""``wraparound totp USERNAME``: the current sign-in code of a demo user (demo only)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wraparound.accounts import otp
from wraparound.cli.demo import DEMO_USERNAMES
from wraparound.cli.demo_totp import demo_device


class Command(BaseCommand):
    help = "Print the current authenticator code of a demo user (made by `wraparound demo`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="a demo user name, e.g. caremanager")

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        if username not in DEMO_USERNAMES.values():
            raise CommandError(
                f"{username!r} is not a demo user; codes are printed for the demo users only "
                f"({', '.join(sorted(DEMO_USERNAMES.values()))})."
            )
        user = get_user_model().objects.filter(username=username).first()
        device = demo_device(user.pk, username) if user is not None else None
        if device is None:
            raise CommandError(f"{username!r} has no demo authenticator here; run `wraparound demo` first.")
        code, seconds_left = otp.current_code(device)
        following, _ = otp.current_code(device, steps_ahead=1)
        self.stdout.write(code)
        self.stderr.write(
            f"valid for {seconds_left} more seconds (then {following}); each code works once.\n"
            f"Demo authenticator key for an app on your phone: {otp.base32_secret(device)}"
        )
