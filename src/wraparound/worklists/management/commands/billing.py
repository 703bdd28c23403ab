"""``wraparound billing --organization NAME --month 2026-03 [--export FILE.csv]``: an agency's billing month."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wraparound.audit.actions import Actor, record
from wraparound.audit.models import Action
from wraparound.core.models import CareOrganization
from wraparound.worklists.billing.locks import parse_month
from wraparound.worklists.billing.report import build_report, report_csv
from wraparound.worklists.billing.rulepacks import NoPackInEffect


class Command(BaseCommand):
    help = (
        "Show an agency's member-month billing for a month (locked months as submitted), or export it as CSV."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", required=True, help="the agency's name")
        parser.add_argument("--month", required=True, metavar="YYYY-MM", help="the month, e.g. 2026-03")
        parser.add_argument("--export", type=Path, metavar="FILE.csv", help="write the report's table as CSV")

    def handle(self, *args: Any, **options: Any) -> None:
        month = parse_month(options["month"])
        if month is None:
            raise CommandError(f"--month: expected YYYY-MM, got {options['month']!r}")
        organization = CareOrganization.objects.filter(name=options["organization"]).first()
        if organization is None:
            raise CommandError(f"--organization: no organization named {options['organization']!r}")
        try:
            report = build_report(organization.pk, month)
        except NoPackInEffect as error:
            raise CommandError(str(error)) from error
        state = f"locked {report.lock.locked_at:%Y-%m-%d}" if report.lock else "open"
        total = f", total {report.total}" if report.total is not None else ""
        self.stdout.write(
            f"{organization.name} {month:%Y-%m} ({report.pack_name} {report.pack_version}, {state}): "
            f"{report.billable_count} billable, {report.not_billable_count} not billable{total}"
        )
        if options["export"] is not None:
            options["export"].write_text(report_csv(report), encoding="utf-8")
            record(
                Actor.system("wraparound billing"),
                Action.EXPORT,
                patient_ids=[row.patient_id for row in report.rows] or [None],
                resource_type="BillingReport",
                detail={
                    "organization": organization.pk,
                    "month": f"{month:%Y-%m}",
                    "file": str(options["export"]),
                },
            )
            self.stdout.write(f"{len(report.rows)} members written to {options['export']}")
