"""The pipeline board and the patient's enrollment tab, driven through the web like a supervisor would."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.accounts.helpers import sign_in
from wraparound.audit.models import Action, AuditEvent
from wraparound.enrollment import actions
from wraparound.enrollment.models import Enrollment

from .conftest import Pipeline


def _client(pipeline: Pipeline, name: str) -> Client:
    client = Client()
    sign_in(client, pipeline.users[name])
    return client


def _step(client: Client, enrollment: Enrollment, step: str, data: dict[str, str] | None = None) -> None:
    url = reverse(
        "enrollment:enrollment_step",
        kwargs={"patient_id": enrollment.patient_id, "enrollment_id": enrollment.pk, "step": step},
    )
    response = client.post(url, data or {})
    assert response.status_code == 302, (step, response.status_code)


def test_supervisor_assigns_and_care_manager_enrolls_through_the_screens(pipeline: Pipeline) -> None:
    enrollment = actions.do_identify(pipeline.viewer("sam"), pipeline.patient, pipeline.agency)
    sam, alice = _client(pipeline, "sam"), _client(pipeline, "alice")
    board = sam.get(reverse("enrollment:pipeline"), {"status": "identified"}).content.decode()
    assert "Garcia" in board and "Enrollment pipeline" in board
    _step(sam, enrollment, "assign", {"care_manager": str(pipeline.users["alice"].pk)})
    _step(alice, enrollment, "outreach")
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    _step(alice, enrollment, "attempt", {"at": now, "mode": "phone", "outcome": "left_message"})
    _step(alice, enrollment, "attempt", {"at": now, "mode": "in_person", "outcome": "reached"})
    _step(alice, enrollment, "enroll")  # refused: no consent yet, the message says why
    page = alice.get(reverse("enrollment:patient_enrollment", kwargs={"patient_id": pipeline.patient.pk}))
    assert "consent to enroll" in page.content.decode()
    _step(
        alice,
        enrollment,
        "consent",
        {
            "obtained_on": timezone.localdate().isoformat(),
            "evidence": "verbal",
            "attestation": "In person, read back",
        },
    )
    _step(alice, enrollment, "enroll")
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ENROLLED
    assert enrollment.outreach_attempts.count() == 2
    tab = alice.get(reverse("enrollment:patient_enrollment", kwargs={"patient_id": pipeline.patient.pk}))
    assert "Outreach → Enrolled" in tab.content.decode()


def test_another_agency_is_refused_and_audited(pipeline: Pipeline) -> None:
    enrollment = actions.do_identify(pipeline.viewer("sam"), pipeline.patient, pipeline.agency)
    bob = _client(pipeline, "bob")
    url = reverse(
        "enrollment:enrollment_step",
        kwargs={"patient_id": enrollment.patient_id, "enrollment_id": enrollment.pk, "step": "assign"},
    )
    assert bob.post(url, {"care_manager": str(pipeline.users["bob"].pk)}).status_code == 403
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.IDENTIFIED
    assert AuditEvent.objects.filter(username="bob", action=Action.ACCESS_DENIED).exists()
    board = bob.get(reverse("enrollment:pipeline"), {"status": "identified"}).content.decode()
    assert "Garcia" not in board  # Northside's board holds nothing of Riverbend's


def test_outreach_worklist_puts_the_highest_risk_first(pipeline: Pipeline) -> None:

    from tests.personas import stored
    from wraparound.registry.models import Patient
    from wraparound.risk.models import RiskProfile

    sam, alice_viewer = pipeline.viewer("sam"), pipeline.viewer("alice")
    people = {"maria": pipeline.patient}
    for name in ("oscar", "lena"):
        people[name] = stored(
            Patient, "test", name, given_names=name.title(), family_name="Tester", search_name=name
        )
    for patient in people.values():
        enrollment = actions.do_identify(sam, patient, pipeline.agency)
        actions.do_assign(sam, enrollment, pipeline.users["alice"])
        actions.do_start_outreach(alice_viewer, enrollment)
    now = timezone.now()
    RiskProfile.objects.create(patient=people["oscar"], tier="high", hcc_v24=2.1, computed_at=now)
    RiskProfile.objects.create(patient=people["maria"], tier="low", hcc_v24=0.4, computed_at=now)
    # lena has no risk profile yet: she comes last
    content = _client(pipeline, "alice").get(reverse("enrollment:outreach_worklist")).content.decode()
    positions = [content.index(text) for text in ("Oscar Tester", "Maria Garcia", "Lena Tester")]
    assert positions == sorted(positions)
    other = _client(pipeline, "bob").get(reverse("enrollment:outreach_worklist")).content.decode()
    assert "Oscar Tester" not in other
