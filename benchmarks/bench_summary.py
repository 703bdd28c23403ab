"""The patient summary page with authorization and audit on, against both switched off.

Usage: python benchmarks/bench_summary.py [--members 500] [--rounds 5]
The database comes from DATABASE_URL (run_all.py runs this on SQLite and on PostgreSQL).

A generated population is imported, the demo agencies and caseloads are set up,
and the demo care manager opens each of her patients' summaries through the
full middleware stack (Django's test client: no network, so the figures are
the server's own time).  Each page is timed in both modes back to back, the
order alternating, so that drift hits both alike.  Printed: p50 and p95 per mode, and the latency that authorization
and audit add (target: at most 15% at p50 and at p95).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.config.settings")
REPO_ROOT = Path(__file__).resolve().parents[1]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _client(username: str):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model
    from django.test import Client

    user = get_user_model().objects.get(username=username)
    client = Client(HTTP_HOST="localhost")  # the test client says "testserver", which ALLOWED_HOSTS refuses
    client.force_login(user)
    try:
        from django_otp.plugins.otp_totp.models import TOTPDevice
    except ImportError:
        return client
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=10)
    arguments = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings
    from django.urls import reverse

    from wraparound.accounts.models import Role
    from wraparound.careplans.models import CareTeamMember
    from wraparound.cli.demo import demo_username, ensure_demo_caseloads, ensure_demo_organizations_and_users
    from wraparound.ingest.pipeline import Importer
    from wraparound.synth.writer import generate_population

    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory(prefix="wraparound-bench-") as folder:
        generate_population(Path(folder), members=arguments.members, seed=7, progress=False)
        Importer(source="bench-summary").run([Path(folder)])
    ensure_demo_organizations_and_users()
    ensure_demo_caseloads()
    username = demo_username(Role.CARE_MANAGER)
    patients = list(
        CareTeamMember.objects.filter(user__username=username).values_list("care_team__patient_id", flat=True)
    )
    client = _client(username)
    urls = [reverse("web:patient_detail", kwargs={"patient_id": pk}) for pk in patients]
    modes = {
        "on": {"AUDIT_ENABLED": True, "AUTHORIZATION_ENABLED": True},
        "off": {"AUDIT_ENABLED": False, "AUTHORIZATION_ENABLED": False},
    }
    timings: dict[str, list[float]] = {mode: [] for mode in modes}
    for url in urls:  # warm caches, compile templates
        assert client.get(url).status_code == 200
    # Each patient's page is timed in both modes back to back (the order alternating), so that
    # whatever else the machine does in the meantime weighs on both modes alike.
    for round_number in range(arguments.rounds):
        for position, url in enumerate(urls):
            order = list(modes) if (round_number + position) % 2 == 0 else list(reversed(modes))
            for mode in order:
                with override_settings(**modes[mode]):
                    started = time.perf_counter()
                    response = client.get(url)
                    timings[mode].append(time.perf_counter() - started)
                assert response.status_code == 200, (mode, url, response.status_code)
    figures = {
        mode: (statistics.median(values) * 1000, _percentile(values, 0.95) * 1000)
        for mode, values in timings.items()
    }
    (on50, on95), (off50, off95) = figures["on"], figures["off"]
    print(
        f"{connection.vendor:10} patient summary  {len(urls)} patients x {arguments.rounds} rounds  "
        f"on p50 {on50:6.1f} ms p95 {on95:6.1f} ms   off p50 {off50:6.1f} ms p95 {off95:6.1f} ms   "
        f"added p50 {100 * (on50 / off50 - 1):+5.1f}%  p95 {100 * (on95 / off95 - 1):+5.1f}%",
        flush=True,
    )


if __name__ == "__main__":
    sys.path.insert(0, str(REPO_ROOT / "src"))
    main()
