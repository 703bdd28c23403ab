"""The care manager's workspace: her worklist and a care-plan save, with authorization and audit on,
against both switched off.

Usage: python benchmarks/bench_workspace.py [--members 100000] [--requests 120] [--saves 120]
The database comes from DATABASE_URL (run_all.py runs this on PostgreSQL).

The population is written straight into the tables with ``bulk_create`` (no import: this measures the
workspace, not the importer): members with risk tiers, a share of them enrolled with one agency and
spread over its care managers, each with a care team led by the care manager and an open task; some
new alerts.  Alice, one of the care managers, leads 80 enrolled members' teams, each with three open
tasks (overdue, due today, later) and a few new alerts.

Measured through the full middleware stack (Django's test client: no network, so the figures are the
server's own time), signed in as Alice:
  (a) GET /worklist/ (target: p95 under 100 ms);
  (b) saving the "add a goal" form of a care plan, a POST answered by a redirect, one of Alice's
      patients after another (target: p95 under 150 ms).
The baseline is measured in the same run, as bench_summary.py does it: the same request with
authorization and audit switched off, timed back to back with the measured one, the order
alternating, so that drift hits both alike.  Printed: one line per figure, and the ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.test import Client

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.config.settings")
REPO_ROOT = Path(__file__).resolve().parents[1]
SOURCE = "bench-workspace"
TIERS = ("high", "rising", "moderate", "low", "low", "low", "moderate", "low", "rising", "low")
MODES: dict[str, dict[str, bool]] = {
    "on": {"AUDIT_ENABLED": True, "AUTHORIZATION_ENABLED": True},
    "off": {"AUDIT_ENABLED": False, "AUTHORIZATION_ENABLED": False},
}


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _client(username: str) -> Client:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

    user = get_user_model().objects.get(username=username)
    client = Client(HTTP_HOST="localhost")  # the test client says "testserver", which ALLOWED_HOSTS refuses
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def _batches(rows: list[Any], size: int = 5000) -> list[list[Any]]:
    return [rows[start : start + size] for start in range(0, len(rows), size)]


def _bulk(model: Any, rows: list[Any]) -> None:
    from django.db import transaction

    with transaction.atomic():
        for batch in _batches(rows):
            model.objects.bulk_create(batch)


def build(members: int, care_managers: int, enrolled_share: float, alice_patients: int) -> str:
    """The population, the agency, its care managers (Alice first); returns Alice's username."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from wraparound.accounts.models import Membership, Role
    from wraparound.careplans.models import CareTeam, CareTeamMember
    from wraparound.core.models import CareOrganization
    from wraparound.enrollment.models import Enrollment, EnrollmentTransition
    from wraparound.registry.models import Patient
    from wraparound.risk.models import RiskProfile
    from wraparound.worklists.models import Alert, Task

    user_model = get_user_model()
    now = timezone.now()
    today = timezone.localdate()
    agency = CareOrganization.objects.create(
        name="Bench Care Management", kind=CareOrganization.Kind.CARE_MANAGEMENT_AGENCY
    )
    users = []
    for number in range(care_managers):
        username = "alice" if number == 0 else f"cm{number:02d}"
        user = user_model(username=username, first_name=username.title(), last_name="Bench")
        user.set_unusable_password()
        user.save()
        Membership.objects.create(user=user, organization=agency, role=Role.CARE_MANAGER)
        users.append(user)
    received = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)

    patients = []
    for number in range(members):
        source_id = f"m{number:07d}"
        patients.append(
            Patient(
                id=Patient.identity(SOURCE, source_id),
                source=SOURCE,
                source_id=source_id,
                resource={"resourceType": "Patient", "id": source_id},
                content_hash=hashlib.md5(source_id.encode(), usedforsecurity=False).hexdigest(),
                received_at=received,
                updated_at=received,
                given_names=("Ana", "James", "Wei", "Fatima", "Carlos", "Grace")[number % 6],
                family_name=f"Member{number:06d}",
                search_name=f"member{number:06d}",
                birth_date=dt.date(1940 + number % 60, 1 + number % 12, 1 + number % 28),
                gender=("female", "male")[number % 2],
                medicaid_id=f"BM{number:08d}",
            )
        )
    _bulk(Patient, patients)
    _bulk(
        RiskProfile,
        [
            RiskProfile(patient_id=patient.pk, tier=TIERS[number % len(TIERS)], computed_at=now)
            for number, patient in enumerate(patients)
        ],
    )

    enrolled = patients[: max(alice_patients, int(members * enrolled_share))]
    others = users[1:] or users
    owner = {
        patient.pk: users[0] if number < alice_patients else others[number % len(others)]
        for number, patient in enumerate(enrolled)
    }
    since = now - dt.timedelta(days=90)
    _bulk(
        Enrollment,
        [
            Enrollment(
                patient_id=patient.pk,
                organization=agency,
                status=Enrollment.Status.ENROLLED,
                care_manager=owner[patient.pk],
                started_on=timezone.localdate(since),
                status_changed_at=since,
            )
            for patient in enrolled
        ],
    )
    enrollments = dict(Enrollment.objects.filter(organization=agency).values_list("patient_id", "pk"))
    _bulk(
        EnrollmentTransition,
        [
            EnrollmentTransition(
                enrollment_id=enrollments[patient.pk], to_status="enrolled", at=since, by=owner[patient.pk]
            )
            for patient in enrolled
        ],
    )
    _bulk(CareTeam, [CareTeam(patient_id=patient.pk, organization=agency) for patient in enrolled])
    teams = dict(CareTeam.objects.filter(organization=agency).values_list("patient_id", "pk"))
    _bulk(
        CareTeamMember,
        [
            CareTeamMember(
                care_team_id=teams[patient.pk],
                user=owner[patient.pk],
                organization=agency,
                role=CareTeamMember.Role.LEAD_CARE_MANAGER,
                start=timezone.localdate(since),
            )
            for patient in enrolled
        ],
    )

    tasks = []
    alerts = []
    dues: tuple[dt.date, ...]
    titles: tuple[str, ...]
    for number, patient in enumerate(enrolled):
        user = owner[patient.pk]
        if number < alice_patients:  # Alice: overdue, due today, later
            dues = (
                today - dt.timedelta(days=1 + number % 5),
                today,
                today + dt.timedelta(days=1 + number % 20),
            )
            titles = ("Send the housing form", "Call about the new medicine", "Plan the quarterly review")
        else:
            dues = (today + dt.timedelta(days=number % 30 - 10),)
            titles = ("Follow up on the referral",)
        for title, due in zip(titles, dues, strict=True):
            tasks.append(
                Task(
                    patient_id=patient.pk,
                    organization=agency,
                    title=title,
                    assignee=user,
                    due_on=due,
                    created_at=since,
                    created_by=user,
                )
            )
        if (number < alice_patients and number % 16 == 0) or number % 10 == 5:
            alerts.append(
                Alert(
                    patient_id=patient.pk,
                    organization=agency,
                    kind=Alert.Kind.DISCHARGE,
                    title="Discharged from Springfield General",
                    occurred_at=now - dt.timedelta(hours=3 + number % 40),
                    created_at=now - dt.timedelta(hours=2 + number % 40),
                )
            )
    _bulk(Task, tasks)
    _bulk(Alert, alerts)
    return users[0].get_username()


def timed_pairs(
    requests: int, prepare: Callable[[int, str], Any], send: Callable[[Any], int], expected: int
) -> dict[str, list[float]]:
    """``send(prepare(number, mode))`` ``requests`` times in each mode, back to back, the order
    alternating; only ``send`` is timed."""
    from django.test.utils import override_settings

    timings: dict[str, list[float]] = {mode: [] for mode in MODES}
    for number in range(requests):
        order = list(MODES) if number % 2 == 0 else list(reversed(MODES))
        for mode in order:
            prepared = prepare(number, mode)
            with override_settings(**MODES[mode]):
                started = time.perf_counter()
                status = send(prepared)
                timings[mode].append(time.perf_counter() - started)
            assert status == expected, (mode, number, status)
    return timings


def report(vendor: str, what: str, timings: dict[str, list[float]], target_ms: float) -> None:
    figures = {
        mode: (statistics.median(values) * 1000, _percentile(values, 0.95) * 1000)
        for mode, values in timings.items()
    }
    (on50, on95), (off50, off95) = figures["on"], figures["off"]
    count = len(timings["on"])
    verdict = "met" if on95 < target_ms else "MISSED"
    print(
        f"{vendor:10} {what:18} {count} requests  p50 {on50:6.1f} ms  p95 {on95:6.1f} ms  "
        f"(target p95 < {target_ms:.0f} ms: {verdict})",
        flush=True,
    )
    print(
        f"{vendor:10} {what:18} baseline, authorization and audit off  p50 {off50:6.1f} ms  p95 {off95:6.1f} ms",
        flush=True,
    )
    print(
        f"{vendor:10} {what:18} ratio to the baseline  p50 x{on50 / off50:4.2f}  p95 x{on95 / off95:4.2f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--care-managers", type=int, default=12)
    parser.add_argument("--enrolled-share", type=float, default=0.1)
    parser.add_argument("--alice-patients", type=int, default=80)
    parser.add_argument("--requests", type=int, default=120, help="worklist GETs per mode")
    parser.add_argument("--saves", type=int, default=120, help="care-plan saves per mode")
    arguments = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.urls import reverse
    from django.utils import timezone

    from wraparound.careplans.models import CarePlan, CareTeamMember

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    username = build(
        arguments.members, arguments.care_managers, arguments.enrolled_share, arguments.alice_patients
    )
    vendor = connection.vendor
    with connection.cursor() as cursor:
        # A database that has lived with these rows has its planner statistics (autovacuum on
        # PostgreSQL); bulk-loaded tables have none until analyzed.
        cursor.execute("ANALYZE")
    print(
        f"{vendor:10} built {arguments.members:,} members in {time.perf_counter() - started:5.1f} s",
        flush=True,
    )
    client = _client(username)
    worklist = reverse("worklists:my_worklist")
    patients = list(
        CareTeamMember.objects.filter(user__username=username, end__isnull=True)
        .order_by("care_team__patient__family_name")
        .values_list("care_team__patient_id", flat=True)
    )
    assert len(patients) == arguments.alice_patients, len(patients)
    for patient_id in patients:  # her first look at each care plan starts it; warms caches and templates
        assert (
            client.get(reverse("careplans:care_plan", kwargs={"patient_id": patient_id})).status_code == 200
        )
    response = client.get(worklist)
    assert response.status_code == 200
    assert b"Send the housing form" in response.content  # overdue first

    timings = timed_pairs(
        arguments.requests, lambda _number, _mode: None, lambda _: client.get(worklist).status_code, 200
    )
    report(vendor, "worklist GET", timings, 100)

    plans = {plan.patient_id: plan.pk for plan in CarePlan.objects.filter(patient_id__in=patients)}
    assert len(plans) == len(patients)
    saves = [0]

    def goal_form(number: int, mode: str) -> tuple[str, dict[str, str]]:
        """The next patient's "add a goal" form, filled in on the plan's current version (not timed)."""
        patient_id = patients[number % len(patients)]
        version = CarePlan.objects.values_list("version", flat=True).get(pk=plans[patient_id])
        saves[0] += 1
        data = {
            "text": f"Walk to the park with my granddaughter ({mode} {saves[0]})",
            "measure": "Minutes walked a week",
            "target": "90 minutes",
            "target_date": (timezone.localdate() + dt.timedelta(days=90)).isoformat(),
            "status": "active",
            "problem": "",
            "base_version": str(version),
            "origin_version": str(version),
        }
        return reverse("careplans:care_plan_edit", kwargs={"patient_id": patient_id, "kind": "goal"}), data

    def post(form: tuple[str, dict[str, str]]) -> int:
        return int(client.post(*form).status_code)

    timings = timed_pairs(arguments.saves, goal_form, post, 302)
    report(vendor, "care-plan save", timings, 150)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO_ROOT / "src"))
    main()
