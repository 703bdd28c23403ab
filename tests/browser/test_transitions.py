"""A hospital discharges Alice's enrolled patient: the A03 comes over MLLP, is processed, and the alert
is on Alice's worklist; the transitions dashboard passes axe."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.hl7v2.harness import Client, ListenerThread, read_ack
from tests.personas import put_on_care_team, stored
from tests.transitions.conftest import adt, give_mrn
from wraparound.core.models import CareOrganization
from wraparound.enrollment.models import Enrollment
from wraparound.registry.models import Patient
from wraparound.transitions.models import Stay
from wraparound.transitions.processing import process_inbox
from wraparound.worklists.models import Alert

from .conftest import sign_in
from .test_accessibility import blocking_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def enrolled_patient(care_manager: User) -> Patient:
    agency = CareOrganization.objects.get(name="Riverbend Care Management")
    rosa: Patient = stored(
        Patient,
        "browser-transitions",
        "rosa",
        given_names="Rosa",
        family_name="Delgado",
        search_name="rosa delgado",
    )
    give_mrn(rosa, "100200")
    Enrollment.objects.create(
        patient=rosa,
        organization=agency,
        status=Enrollment.Status.ENROLLED,
        care_manager=care_manager,
        status_changed_at=timezone.now(),
    )
    put_on_care_team(care_manager, rosa)
    return rosa


def test_a_discharge_sent_over_mllp_reaches_the_worklist(
    page: Page, live_server: LiveServer, enrolled_patient: Patient, axe_script: Path
) -> None:
    today = timezone.localtime()
    stamp = today.strftime("%Y%m%d%H%M%S")
    admitted = (today - dt.timedelta(days=3)).strftime("%Y%m%d%H%M%S")
    message = adt("A03", when=stamp, admitted=admitted, discharged=stamp, name="DELGADO^ROSA")
    with ListenerThread() as listener, Client(listener.port) as client:
        ack = read_ack(client.exchange(message))
    assert ack.code == "AA"
    assert process_inbox().processed == 1
    assert Stay.objects.get().patient_id == enrolled_patient.pk
    assert Alert.objects.filter(kind=Alert.Kind.DISCHARGE).exists()

    sign_in(page, live_server.url, lands_on="/worklist/")
    rows = page.locator("tbody tr.worklist-row")
    expect(rows.filter(has_text="Discharged from GHH")).to_have_count(1)
    expect(rows.filter(has_text="Contact the patient within 2 business days of discharge")).to_have_count(1)

    page.goto(f"{live_server.url}/transitions/")
    expect(page.get_by_role("heading", name="Transitions of care", level=1)).to_be_visible()
    expect(page.get_by_role("row", name="Rosa Delgado").first).to_be_visible()
    assert blocking_violations(page, axe_script) == []

    page.get_by_role("link", name="Rosa Delgado").first.click()
    expect(page.get_by_role("heading", name="Hospital stays and emergency visits")).to_be_visible()
    assert blocking_violations(page, axe_script) == []
