"""``wraparound demo``: a database with a synthetic population and demo users, then the web app."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from wraparound.cli.demo import (
    DEMO_PASSWORD,
    DemoUser,
    ensure_demo_caseloads,
    ensure_demo_organizations_and_users,
    ensure_demo_transitions,
    ensure_demo_workspace,
    load_population,
    population_is_loaded,
)
from wraparound.ingest.pipeline import UnitResult
from wraparound.ingest.tasks import recompute
from wraparound.risk.models import RiskProfile


class Command(BaseCommand):
    help = "Build (once) a demo database with a synthetic population and demo users, then serve the web app."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--members", type=int, default=2000, help="synthetic members (default 2,000)")
        parser.add_argument("--seed", type=int, default=1945, help="generator seed (default 1945)")
        parser.add_argument(
            "--reset", action="store_true", help="delete the demo database and build it again"
        )
        parser.add_argument("--no-serve", action="store_true", help="build the database only")
        parser.add_argument("--port", type=int, default=settings.PORT)

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console()
        if options["reset"]:
            self._reset()
        call_command("migrate", verbosity=0)
        if not population_is_loaded():
            self._load(console, options["members"], options["seed"])
        users = ensure_demo_organizations_and_users()
        linked = ensure_demo_caseloads()
        if linked:
            console.print(f"Linked {linked:,} patients to the demo agencies' care teams.")
        if not RiskProfile.objects.exists():
            with console.status("Deciding eligibility and risk…"):
                done = recompute(None)
            console.print(
                f"Eligibility decisions: {done['decisions']:,}; risk profiles: {done['risk_profiles']:,}."
            )
        with console.status("Filling the care managers' workspace…"):
            added = ensure_demo_workspace()
        if added:
            console.print(f"Workspace: {added:,} care plans, tasks, alerts, contacts and outreach attempts.")
        with console.status("Sending the demo hospital's ADT messages…"):
            feed = ensure_demo_transitions()
        if feed.messages:
            console.print(
                f"Hospital feed: {feed.messages:,} ADT messages received and processed into {feed.stays:,} "
                f"stays; {feed.history_steps:,} follow-up steps of older discharges done."
            )
        _print_login(console, users, options["port"])
        if not options["no_serve"]:
            call_command("serve", port=options["port"])

    def _reset(self) -> None:
        database = settings.DATABASES["default"]
        if database["ENGINE"] != "django.db.backends.sqlite3":
            raise CommandError("--reset only rebuilds the embedded SQLite demo database")
        from django.db import connection

        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database['NAME']}{suffix}").unlink(missing_ok=True)
        shutil.rmtree(settings.VAR_DIR / "demo-population", ignore_errors=True)

    def _load(self, console: Console, members: int, seed: int) -> None:
        folder = settings.VAR_DIR / "demo-population"
        shutil.rmtree(folder, ignore_errors=True)
        console.print(f"Generating {members:,} synthetic members (seed {seed}) and importing them…")
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("importing", total=members + 1)

            def on_unit(result: UnitResult) -> None:
                progress.update(task, advance=1)

            report = load_population(folder, members, seed, dt.date.today(), on_unit=on_unit)
        if report.rejected:
            for unit in report.rejected:
                console.print(f"[red]rejected[/red] {unit.problem}")
            raise CommandError("the synthetic population did not import cleanly")
        console.print(f"Imported {report.count('created'):,} resources in {report.units_ok:,} bundles.")


def _print_login(console: Console, users: list[DemoUser], port: int) -> None:
    table = Table(
        title="Demo users (password for all: " + DEMO_PASSWORD + ")",
        caption="Then the code: wraparound totp USERNAME prints it",
    )
    table.add_column("Username")
    table.add_column("Role")
    table.add_column("Organization")
    for user in users:
        table.add_row(user.username, user.role, user.organization)
    console.print(table)
    console.print(
        f"\nOpen [bold]http://127.0.0.1:{port}/[/bold] and sign in as [bold]caremanager[/bold] "
        f"with password [bold]{DEMO_PASSWORD}[/bold].  Stop with Ctrl-C.\n"
    )
    console.print(
        "After the password every demo user enters a code from an authenticator app (multi-factor "
        "sign-in is on): [bold].venv/bin/wraparound totp caremanager[/bold] prints the current one "
        "(any demo user name), and the demo key to add to an app on your phone.\n"
    )
