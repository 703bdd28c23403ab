"""A 200 MB bundle streams through in bounded memory, and an error at its very end still writes nothing.

The import runs in a child process with its own SQLite database so that its
peak resident memory can be measured alone.  The bundle holds about 110,000
small documents; read and parsed whole it takes about 840 MB.  The bound:
400 MB peak RSS (about 260 MB measured; the rest is headroom for the SQLite
page cache and the worker pool under load).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.ingest.sourcecount import distinct_counts

BUNDLE_BYTES = 200 * 1024 * 1024
PEAK_RSS_BOUND_MB = 400
GOOD = "ca-2025/fhir/ba45a621-380f-8c79-5920-5d22ad34eb39.json"
REFERENCE_DATA = (
    "ca-2025/fhir/hospitalInformation1753719443038.json",
    "ca-2025/fhir/practitionerInformation1753719443038.json",
)

CHILD = """
import json, sys
from wraparound.config.cli import main
try:
    main(["wraparound", "import", "--quiet", sys.argv[1]])
    code = 0
except SystemExit as exit:
    code = exit.code
# VmHWM is this process image's own peak; getrusage's ru_maxrss would carry over the peak
# of the process that forked it (the test runner) across exec.
with open("/proc/self/status") as status:
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({"exit": code, "peak_rss_mb": peak_kb / 1024}))
"""


def _document(number: int, patient: str, size: int) -> dict[str, Any]:
    """A DocumentReference carrying a scanned note of ``size`` bytes, as EHR exports often do."""
    data = base64.b64encode(bytes((number + i) % 251 for i in range(size * 3 // 4))).decode()
    return {
        "fullUrl": f"urn:uuid:{number:08x}-d0c0-4000-8000-000000000000",
        "request": {"method": "POST", "url": "DocumentReference"},
        "resource": {
            "resourceType": "DocumentReference",
            "id": f"{number:08x}-d0c0-4000-8000-000000000000",
            "status": "current",
            "subject": {"reference": patient},
            "content": [{"attachment": {"contentType": "application/pdf", "data": data}}],
        },
    }


def _write_large_bundle(path: Path) -> int:
    """A patient, large documents about them up to 200 MB, then one invalid Observation."""
    patient = "urn:uuid:eeeeeeee-0000-4000-8000-000000000000"
    entries = 1
    with path.open("w", encoding="utf-8") as out:
        out.write('{"resourceType": "Bundle", "type": "transaction", "entry": [')
        out.write(
            json.dumps(
                {
                    "fullUrl": patient,
                    "request": {"method": "POST", "url": "Patient"},
                    "resource": {
                        "resourceType": "Patient",
                        "id": patient[9:],
                        "gender": "female",
                        "name": [{"family": "Large", "given": ["Bundle"]}],
                    },
                }
            )
        )
        while out.tell() < BUNDLE_BYTES:
            out.write("," + json.dumps(_document(entries, patient, 1536)))
            entries += 1
        bad = {
            "fullUrl": "urn:uuid:ffffffff-0000-4000-8000-000000000000",
            "request": {"method": "POST", "url": "Observation"},
            "resource": {
                "resourceType": "Observation",
                "id": "ffffffff-0000-4000-8000-000000000000",
                "status": 17,
                "code": {"text": "broken"},
            },
        }
        out.write("," + json.dumps(bad) + "]}")
    return entries


@pytest.mark.slow
def test_large_bundle_streams_in_bounded_memory_and_rolls_back(tmp_path: Path, shared_data: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for name in (GOOD, *REFERENCE_DATA):
        shutil.copy(shared_data / "synthea" / name, folder / Path(name).name)
    last_entry = _write_large_bundle(folder / "zz-large.json")
    assert (folder / "zz-large.json").stat().st_size >= BUNDLE_BYTES
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'large.sqlite3'}"}
    subprocess.run(
        [sys.executable, "-m", "wraparound.config.cli", "migrate", "-v0"], env=environment, check=True
    )

    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder)], env=environment, capture_output=True, text=True
    )

    result = json.loads(child.stdout.strip().splitlines()[-1])
    print(f"large bundle: {result}")
    assert result["exit"] == 3, child.stdout
    assert "1 of 4 units rejected" in child.stdout, child.stdout
    assert "zz-large.json" in child.stdout and f"entry[{last_entry}].resource.status" in child.stdout
    assert result["peak_rss_mb"] < PEAK_RSS_BOUND_MB, f"peak RSS {result['peak_rss_mb']:.0f} MB"
    status = subprocess.run(
        [sys.executable, "-m", "wraparound.config.cli", "status", "--json"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    documents = [
        json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.json") if p.name != "zz-large.json"
    ]
    assert json.loads(status.stdout)["resources"] == dict(distinct_counts(documents))
