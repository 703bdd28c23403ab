"""The patient banner's alerts (UI.md): in the hospital or the ED now, a readmission, discharged in the
last 30 days, a follow-up overdue, from the stays the ADT feed made."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.accounts.helpers import sign_in
from wraparound.transitions.models import Step
from wraparound.transitions.processing import process_inbox
from wraparound.worklists.models import Task

from .conftest import World, adt, send

SENDER_ZONE = dt.timezone(dt.timedelta(hours=-5))  # the test feed's times are sent at -0500


def _hl7(days_ago: float) -> str:
    moment = timezone.now().astimezone(SENDER_ZONE) - dt.timedelta(days=days_ago)
    return moment.strftime("%Y%m%d%H%M%S")


def _us(days_ago: float) -> str:
    moment = timezone.localtime(timezone.now() - dt.timedelta(days=days_ago))
    return moment.strftime("%m/%d/%Y")


def _alerts(world: World) -> str:
    client = Client()
    sign_in(client, world.users["alice"])
    page = client.get(reverse("web:patient_detail", args=[world.maria.pk])).content.decode()
    start = page.index('class="patient-banner__alerts"')
    return page[start : page.index("</div>", start)]


def test_admitted_now_after_a_discharge_twelve_days_ago(world: World) -> None:
    send(
        adt("A01", visit="V1", when=_hl7(16), admitted=_hl7(16)),
        adt("A03", visit="V1", when=_hl7(12), admitted=_hl7(16), discharged=_hl7(12)),
        adt("A01", visit="V2", when=_hl7(0.5), admitted=_hl7(0.5)),
    )
    process_inbox()
    alerts = _alerts(world)
    assert f"In the hospital since {_us(0.5)}" in alerts
    assert "Readmitted within 30 days" in alerts
    assert f"Discharged {_us(12)}" in alerts
    assert "Follow-up overdue" in alerts  # the contact within 2 business days of the discharge


def test_in_the_emergency_department_now(world: World) -> None:
    send(adt("A04", visit="E1", when=_hl7(0.1), admitted=_hl7(0.1), patient_class="E"))
    process_inbox()
    alerts = _alerts(world)
    assert f"In the emergency department since {_us(0.1)}" in alerts
    assert "Readmitted" not in alerts and "Discharged" not in alerts and "overdue" not in alerts


def test_an_old_discharge_alerts_only_while_a_step_is_overdue(world: World) -> None:
    send(
        adt("A01", visit="V9", when=_hl7(45), admitted=_hl7(45)),
        adt("A03", visit="V9", when=_hl7(40), admitted=_hl7(45), discharged=_hl7(40)),
    )
    process_inbox()
    alerts = _alerts(world)
    assert "Follow-up overdue" in alerts
    assert "Discharged" not in alerts and "In the hospital" not in alerts  # 40 days ago: past 30

    Task.objects.filter(pk__in=Step.objects.values("task_id")).update(status=Task.Status.DONE)
    alerts = _alerts(world)
    assert "badge" not in alerts  # nothing left to flag
