"""The demo's hospital traffic: ADT messages through the listener's intake and the processor.

A care team trying the demo should find the transitional-care work a real feed brings: members in
the hospital or the emergency department now, recent discharges with their follow-up steps (one
overdue), a readmission within 30 days, six months of older discharges whose steps were done (most
on time) so that the follow-up rates have something to say, and a message about nobody the registry
knows, waiting in the match-review queue.  Nothing here writes stays, alerts or tasks itself: each
event is an HL7 v2 message read by ``receive_frame``, committed by the listener's ``write_rows`` and
processed by ``process_inbox``, as the MLLP listener and ``wraparound worker`` would.  Only the
history (steps done weeks ago, alerts read) is written afterwards, as it would have happened.

Idempotent: nothing is sent when the demo hospital's messages are already in the inbox.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from wraparound.core.models import CareOrganization
from wraparound.enrollment.models import Enrollment
from wraparound.hl7v2.intake import receive_frame
from wraparound.hl7v2.models import InboxMessage
from wraparound.hl7v2.store import write_rows
from wraparound.registry.models import Patient
from wraparound.transitions.models import Stay, Step
from wraparound.transitions.processing import process_inbox
from wraparound.worklists.models import Alert, Task

FACILITY = "St. Brigid Regional Hospital"  # MSH-4 as this feed sends it: the name, not a code
PEER = "demo feed"
HISTORY_DISCHARGES = 18  # older discharges, over the last six months
ON_TIME_SHARE = 0.75

# Diagnoses (ICD-10-CM) a stay is admitted with: (code, text).
MEDICAL = (
    ("I50.9", "Heart failure, unspecified"),
    ("J44.1", "Chronic obstructive pulmonary disease with (acute) exacerbation"),
    ("E11.65", "Type 2 diabetes mellitus with hyperglycemia"),
    ("J18.9", "Pneumonia, unspecified organism"),
    ("N39.0", "Urinary tract infection, site not specified"),
)
MENTAL_ILLNESS = (
    ("F32.2", "Major depressive disorder, single episode, severe without psychotic features"),
    ("F20.9", "Schizophrenia, unspecified"),
)


@dataclass
class Feed:
    """The messages to send, in the order a hospital would have sent them."""

    messages: list[tuple[dt.datetime, bytes]] = field(default_factory=list)
    _count: int = 0

    def add(self, event: str, patient: Patient, when: dt.datetime, **fields: Any) -> None:
        """One message more, sent at ``when``, numbered in order (``fields``: those of ``adt_message``)."""
        control_id = f"DEMO{len(self.messages) + 1:05d}"
        self.messages.append((when, adt_message(event, patient, when, control_id=control_id, **fields)))


def _hl7_time(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y%m%d%H%M%S%z")


def _text(value: str) -> str:
    """A name or address as an HL7 field value: its delimiters escaped."""
    return (
        value.replace("\\", "\\E\\")
        .replace("|", "\\F\\")
        .replace("^", "\\S\\")
        .replace("&", "\\T\\")
        .replace("~", "\\R\\")
    )


def adt_message(
    event: str,
    patient: Patient,
    when: dt.datetime,
    *,
    control_id: str,
    visit: str,
    patient_class: str = "I",
    admitted: dt.datetime | None = None,
    discharged: dt.datetime | None = None,
    diagnosis: tuple[str, str] | None = None,
) -> bytes:
    """An ADT message (v2.5.1) about ``patient`` as St. Brigid's feed would send it."""
    sex = {"female": "F", "male": "M"}.get(patient.gender, "U")
    identifiers = f"{_text(patient.medicaid_id)}^^^NYMEDICAID^MA" if patient.medicaid_id else ""
    given = _text(patient.given_names.split(" ")[0] if patient.given_names else "")
    pv1 = ["PV1", "1", patient_class, "4W^401^A" if patient_class == "I" else "ED"] + [""] * 42
    pv1[4] = "E"  # admission type: emergency
    pv1[19] = visit
    if discharged is not None:
        pv1[36] = "01"  # discharged to home or self care
        pv1[45] = _hl7_time(discharged)
    if admitted is not None:
        pv1[44] = _hl7_time(admitted)
    segments = [
        f"MSH|^~\\&|EPIC|{FACILITY}|WRAPAROUND|HEALTHHOME|{_hl7_time(when)}||"
        f"ADT^{event}^ADT_{event}|{control_id}|P|2.5.1",
        f"EVN|{event}|{_hl7_time(when)}",
        f"PID|1||{identifiers}||{_text(patient.family_name)}^{given}||"
        f"{patient.birth_date.strftime('%Y%m%d') if patient.birth_date else ''}|{sex}|||"
        f"{_text(patient.address_line)}^^{_text(patient.city)}^{_text(patient.state)}^{patient.postal_code}",
        "|".join(pv1).rstrip("|"),
    ]
    if diagnosis is not None:
        kind = "F" if event == "A03" else "A"  # final at discharge, admitting before
        segments.append(f"DG1|1||{diagnosis[0]}^{_text(diagnosis[1])}^I10||{_hl7_time(when)}|{kind}")
    return ("\r".join(segments) + "\r").encode()


@dataclass
class Added:
    messages: int = 0
    stays: int = 0
    history_steps: int = 0


def ensure_demo_transitions(
    agency: CareOrganization, *, care_manager_username: str, seed: int = 1945
) -> Added:
    """Send the demo hospital's messages about the agency's enrolled members, then process them."""
    added = Added()
    if InboxMessage.objects.filter(sending_facility=FACILITY).exists():
        return added
    own, others = _members(agency, care_manager_username)
    if len(own) < 8:
        return added  # too small a population to tell the stories
    rng = random.Random(seed)
    now = timezone.now()
    feed = Feed()
    _stories(feed, own, others, now, rng)
    with transaction.atomic():
        rows = []
        for when, payload in feed.messages:
            rows.extend(receive_frame(payload, peer=PEER, received_at=when).rows)
        write_rows(rows)
    added.messages = len(feed.messages)
    process_inbox()
    added.stays = Stay.objects.filter(facility=FACILITY).count()
    added.history_steps = _write_history(now, rng)
    return added


def _members(agency: CareOrganization, care_manager_username: str) -> tuple[list[Patient], list[Patient]]:
    """The demo care manager's enrolled members, and her colleagues', without an alert yet."""
    user = get_user_model().objects.get(username=care_manager_username)
    has_alert = Alert.objects.filter(patient_id=OuterRef("patient_id"))
    enrollments = (
        Enrollment.objects.filter(organization=agency, status=Enrollment.Status.ENROLLED)
        .exclude(patient__medicaid_id="")
        .annotate(alerted=Exists(has_alert))
        .filter(alerted=False)
        .select_related("patient")
        .order_by("patient_id")
    )
    own = [enrollment.patient for enrollment in enrollments if enrollment.care_manager_id == user.pk]
    # Her colleagues' members, those with a care manager first (the rates are per care manager).
    others = sorted(
        (enrollment for enrollment in enrollments if enrollment.care_manager_id != user.pk),
        key=lambda enrollment: enrollment.care_manager_id is None,
    )
    return own[:12], [enrollment.patient for enrollment in others[:HISTORY_DISCHARGES]]


def _visits() -> Iterator[str]:
    number = 880_000
    while True:
        number += 1
        yield f"V{number}"


def _stories(
    feed: Feed, own: list[Patient], others: list[Patient], now: dt.datetime, rng: random.Random
) -> None:
    visits = _visits()
    hour = dt.timedelta(hours=1)
    day = dt.timedelta(days=1)

    def stay(
        patient: Patient,
        admitted: dt.datetime,
        discharged: dt.datetime | None,
        diagnosis: tuple[str, str],
    ) -> None:
        visit = next(visits)
        feed.add("A01", patient, admitted, visit=visit, admitted=admitted, diagnosis=diagnosis)
        if discharged is not None:
            feed.add(
                "A03",
                patient,
                discharged,
                visit=visit,
                admitted=admitted,
                discharged=discharged,
                diagnosis=diagnosis,
            )

    # The demo care manager's members: in the hospital now, in the ED now, discharged this week.
    stay(own[0], now - 2 * day - 3 * hour, None, MEDICAL[0])
    stay(own[1], now - 20 * hour, None, MEDICAL[1])
    feed.add("A04", own[2], now - 3 * hour, visit=next(visits), patient_class="E", admitted=now - 3 * hour)
    stay(own[3], now - 4 * day, now - 1 * day - 2 * hour, MEDICAL[2])
    stay(own[4], now - 6 * day, now - 3 * day, MENTAL_ILLNESS[0])  # followed at 7 and 30 days
    stay(own[5], now - 12 * day, now - 9 * day, MEDICAL[3])  # a follow-up now overdue
    # A readmission on day 12: discharged 14 days ago, admitted again two days ago.
    stay(own[6], now - 18 * day, now - 14 * day, MEDICAL[0])
    stay(own[6], now - 2 * day, None, MEDICAL[0])
    stay(own[7], now - 5 * day, now - 2 * day, MENTAL_ILLNESS[1])
    # Six months of discharges across the agency, for the follow-up rates.
    history = own[8:] + others[:HISTORY_DISCHARGES]  # hers the most recent: her own rates
    for number, patient in enumerate(history):
        discharged = now - dt.timedelta(
            days=20 + number * 160 // max(1, len(history)), hours=rng.randint(0, 9)
        )
        admitted = discharged - dt.timedelta(days=rng.randint(2, 6), hours=rng.randint(0, 12))
        diagnosis = MENTAL_ILLNESS[number % 2] if number % 4 == 0 else MEDICAL[number % len(MEDICAL)]
        stay(patient, admitted, discharged, diagnosis)
    # A member the registry does not know: for the match-review queue.
    stranger = Patient(
        family_name="Whitfield",
        given_names="Dolores",
        birth_date=dt.date(1957, 6, 2),
        gender="female",
        medicaid_id="",
        postal_code="12550",
        address_line="14 Quarry Rd",
        city="Newburgh",
        state="NY",
        id=uuid.UUID(int=0),
    )
    feed.add("A04", stranger, now - 5 * hour, visit=next(visits), patient_class="E", admitted=now - 5 * hour)
    feed.messages.sort(key=lambda sent: sent[0])


def _write_history(now: dt.datetime, rng: random.Random) -> int:
    """What happened after the older discharges, written as their history: each task dated from its
    stay, the steps done (most on time, some late), the alerts read (and the admission alerts of
    the last days, read during the stay).  Returns the steps done."""
    cutoff = now - dt.timedelta(days=16)
    steps = (
        Step.objects.filter(stay__facility=FACILITY, stay__discharged_at__lt=cutoff)
        .exclude(task__isnull=True)
        .select_related("task", "stay")
        .order_by("stay__discharged_at", "id")
    )
    zone = timezone.get_current_timezone()
    done = 0
    for step in steps:
        task, stay = step.task, step.stay
        assert task is not None and stay.discharged_at is not None
        during = step.kind == Step.Kind.CONTACT_DURING_STAY
        created = (stay.admitted_at or stay.discharged_at) if during else stay.discharged_at
        changes: dict[str, object] = {"created_at": created + dt.timedelta(minutes=1)}
        if task.status == Task.Status.CANCELLED:
            changes["completed_at"] = stay.discharged_at
        elif task.status in Task.OPEN_STATUSES and task.due_on is not None:
            due = dt.datetime.combine(task.due_on, dt.time(15), tzinfo=zone)
            if rng.random() < ON_TIME_SHARE:
                completed = due - dt.timedelta(days=rng.randint(0, 2))
            else:
                completed = due + dt.timedelta(days=rng.randint(1, 5))
            completed = max(completed, created + dt.timedelta(hours=3))
            if completed < now:
                changes.update(
                    status=Task.Status.DONE, completed_at=completed, completed_by_id=task.assignee_id
                )
                done += 1
        Task.objects.filter(pk=task.pk).update(**changes)
    seen_during_the_stay = Q(kind=Alert.Kind.ADMISSION, occurred_at__lt=now - dt.timedelta(hours=36))
    old = Alert.objects.filter(
        Q(occurred_at__lt=cutoff) | seen_during_the_stay,
        patient__stays__facility=FACILITY,
        acknowledged_at__isnull=True,
    ).distinct()
    for alert in old:
        Alert.objects.filter(pk=alert.pk).update(
            created_at=alert.occurred_at, acknowledged_at=alert.occurred_at + dt.timedelta(hours=5)
        )
    return done
