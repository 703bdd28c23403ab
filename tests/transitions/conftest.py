"""The transitions tests' world: Riverbend (Sam, supervisor; Alice, care manager), Northside (Bob), and
Maria Garcia, enrolled with Riverbend, Alice leading her care team, known to Good Health Hospital by
MRN 100200 and to Medicaid as MA100234567.  ADT messages go through the listener's intake and store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from tests.personas import stored, viewer_of
from wraparound.accounts.models import Membership, Role
from wraparound.careplans.actions import do_add_care_team_member
from wraparound.careplans.models import CareTeamMember
from wraparound.core.models import CareOrganization
from wraparound.enrollment.models import Enrollment
from wraparound.hl7v2.intake import receive_frame
from wraparound.hl7v2.models import InboxMessage
from wraparound.hl7v2.store import write_rows
from wraparound.registry.access import Viewer
from wraparound.registry.models import Identifier, Patient

FACILITY = "GHH"


@dataclass
class World:
    agency: CareOrganization
    other: CareOrganization
    maria: Patient
    enrollment: Enrollment
    users: dict[str, User]

    def viewer(self, name: str) -> Viewer:
        return viewer_of(self.users[name])


def make_patient(key: str, **fields: object) -> Patient:
    defaults: dict[str, object] = {
        "given_names": "Maria",
        "family_name": "Garcia",
        "search_name": "maria garcia",
        "birth_date": dt.date(1968, 3, 14),
        "gender": "female",
        "postal_code": "01103",
    }
    defaults.update(fields)
    patient: Patient = stored(Patient, "test", key, **defaults)
    return patient


def give_mrn(patient: Patient, value: str, system: str = "urn:hospital:GHH") -> None:
    Identifier.objects.create(
        resource_type="Patient", resource_id=patient.pk, system=system, value=value, type_code="MR"
    )


@pytest.fixture
def world(db: None) -> World:
    agency = CareOrganization.objects.create(name="Riverbend Care Management", kind="care_management_agency")
    other = CareOrganization.objects.create(name="Northside Community Care", kind="care_management_agency")
    users: dict[str, User] = {}
    for name, first, last, organization, role in (
        ("sam", "Sam", "Ortiz", agency, Role.SUPERVISOR),
        ("alice", "Alice", "Carter", agency, Role.CARE_MANAGER),
        ("bob", "Bob", "Stone", other, Role.CARE_MANAGER),
    ):
        users[name] = User.objects.create_user(name, first_name=first, last_name=last)
        Membership.objects.create(user=users[name], organization=organization, role=role)
    maria = make_patient("maria", medicaid_id="MA100234567")
    give_mrn(maria, "100200")
    enrollment = Enrollment.objects.create(
        patient=maria,
        organization=agency,
        status=Enrollment.Status.ENROLLED,
        care_manager=users["alice"],
        started_on=dt.date(2025, 1, 2),
        status_changed_at=timezone.now(),
    )
    do_add_care_team_member(
        patient=maria,
        organization=agency,
        user_id=users["alice"].pk,
        role=CareTeamMember.Role.LEAD_CARE_MANAGER,
    )
    return World(agency, other, maria, enrollment, users)


_counter = iter(range(1, 1_000_000))


def adt(
    event: str,
    *,
    when: str,
    visit: str = "V1001",
    patient_class: str = "I",
    admitted: str = "",
    discharged: str = "",
    pid3: str = "100200^^^GHH^MR",
    name: str = "GARCIA^MARIA",
    birth_date: str = "19680314",
    sex: str = "F",
    postal_code: str = "01103",
    diagnoses: tuple[str, ...] = (),
    admission_type: str = "",
    disposition: str = "",
    facility: str = FACILITY,
    control_id: str = "",
    version: str = "2.5.1",
    merged_from: str = "",
) -> bytes:
    """An ADT message as Good Health Hospital's feed sends it; times are local (-0500)."""
    control = control_id or f"MSG{next(_counter):06d}"
    pv1 = ["PV1", "1", patient_class, "4W^401^A", admission_type] + [""] * 42
    pv1[19] = visit
    pv1[36] = disposition
    pv1[44] = admitted
    pv1[45] = discharged
    segments = [
        f"MSH|^~\\&|EPIC|{facility}|WRAPAROUND|HH|{when}-0500||ADT^{event}^ADT_{event}|{control}|P|{version}",
        f"EVN|{event}|{when}-0500",
        f"PID|1||{pid3}||{name}||{birth_date}|{sex}|||1 MAIN ST^^SPRINGFIELD^MA^{postal_code}",
        "|".join(pv1).rstrip("|"),
    ]
    for number, diagnosis in enumerate(diagnoses, start=1):
        dg1 = ["DG1", str(number), "", f"{diagnosis}^^I10"] + [""] * 12
        dg1[6] = "F"  # final
        dg1[15] = str(number)  # priority: 1 is the principal diagnosis
        segments.append("|".join(dg1))
    if merged_from:
        segments.append(f"MRG|{merged_from}")
    return ("\r".join(segments) + "\r").encode()


def send(*messages: bytes) -> list[InboxMessage]:
    """Through the listener's intake and store, as a frame received over MLLP would be."""
    now = timezone.now()
    rows = []
    for message in messages:
        frame = receive_frame(message, peer="127.0.0.1:5000", received_at=now)
        rows.extend(frame.rows)
    write_rows(rows)
    return [row for row in rows if isinstance(row, InboxMessage)]
