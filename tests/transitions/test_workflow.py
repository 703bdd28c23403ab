"""An enrolled patient's admission, ED visit, discharge and readmission make the right alerts and tasks."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from wraparound.careplans.actions import do_start_care_plan
from wraparound.enrollment.models import Enrollment
from wraparound.transitions.models import Stay, Step
from wraparound.transitions.processing import process_inbox
from wraparound.worklists.models import Alert, Task

from .conftest import World, adt, send


def _steps(stay: Stay) -> dict[str, tuple[dt.date | None, int | None, str]]:
    return {
        step.kind: (step.task.due_on, step.task.assignee_id, step.task.status)
        for step in Step.objects.filter(stay=stay).select_related("task")
    }


def test_an_admission_alerts_the_agency_and_asks_for_contact_today(world: World) -> None:
    send(adt("A01", when="20260302081500", admitted="20260302080000"))
    report = process_inbox()
    assert report.processed == 1
    stay = Stay.objects.get()
    assert (stay.patient_id, stay.kind, stay.status) == (
        world.maria.pk,
        Stay.Kind.INPATIENT,
        Stay.Status.ACTIVE,
    )
    alert = Alert.objects.get()
    assert (alert.kind, alert.organization_id, alert.patient_id) == (
        Alert.Kind.ADMISSION,
        world.agency.pk,
        world.maria.pk,
    )
    assert "GHH" in alert.title
    task = Task.objects.get()
    assert task.title == "Contact the patient or facility during the stay"
    assert (task.due_on, task.assignee_id, task.source) == (
        timezone.localdate(),
        world.users["alice"].pk,
        "adt",
    )


def test_an_emergency_visit_is_an_ed_alert(world: World) -> None:
    send(adt("A04", when="20260302221500", patient_class="E", admitted="20260302220000"))
    process_inbox()
    assert list(Alert.objects.values_list("kind", flat=True)) == [Alert.Kind.ED_VISIT]


def test_a_friday_discharge_makes_the_four_tasks(world: World) -> None:
    plan = do_start_care_plan(world.viewer("alice"), world.enrollment)
    send(
        adt("A01", when="20260302081500", admitted="20260302080000", admission_type="E"),
        adt(
            "A03",
            when="20260306143000",
            admitted="20260302080000",
            discharged="20260306140000",
            disposition="01",
            diagnoses=("I50.9", "E11.9"),
        ),
    )
    process_inbox()
    stay = Stay.objects.get()
    assert stay.status == Stay.Status.DISCHARGED
    assert stay.discharge_disposition == "01"
    alice = world.users["alice"].pk
    steps = _steps(stay)
    assert steps[Step.Kind.CONTACT_AFTER_DISCHARGE] == (dt.date(2026, 3, 10), alice, "open")  # Tuesday
    assert steps[Step.Kind.FOLLOW_UP_7] == (dt.date(2026, 3, 13), alice, "open")
    assert steps[Step.Kind.MEDICATION_RECONCILIATION] == (dt.date(2026, 4, 5), alice, "open")
    assert steps[Step.Kind.CARE_PLAN_REVIEW][:2] == (dt.date(2026, 3, 13), alice)
    assert Step.objects.get(stay=stay, kind=Step.Kind.CARE_PLAN_REVIEW).task.care_plan_id == plan.pk
    assert Step.Kind.FOLLOW_UP_30 not in steps  # not a mental-illness stay
    assert steps[Step.Kind.CONTACT_DURING_STAY][2] == "cancelled"  # the stay is over
    discharge = Alert.objects.get(kind=Alert.Kind.DISCHARGE)
    # LACE: 4 days (4) + emergent (3) + Charlson: heart failure 1 + diabetes 1 (2) + no ED visits = 9
    assert stay.lace is not None and stay.lace["score"] == 9
    assert "LACE at discharge: 9" in discharge.detail


def test_a_discharge_before_a_holiday_skips_it(world: World) -> None:
    send(adt("A03", when="20261224160000", admitted="20261220090000", discharged="20261224153000"))
    process_inbox()
    steps = _steps(Stay.objects.get())
    assert steps[Step.Kind.CONTACT_AFTER_DISCHARGE][0] == dt.date(
        2026, 12, 29
    )  # 25th and the weekend skipped


def test_a_mental_illness_discharge_is_followed_up_within_7_and_30_days(world: World) -> None:
    send(
        adt(
            "A03",
            when="20260304120000",
            admitted="20260301090000",
            discharged="20260304113000",
            diagnoses=("F32.2",),
        )
    )
    process_inbox()
    stay = Stay.objects.get()
    assert stay.mental_illness and stay.principal_diagnosis == "F32.2"
    steps = _steps(stay)
    assert steps[Step.Kind.FOLLOW_UP_7][0] == dt.date(2026, 3, 11)
    assert steps[Step.Kind.FOLLOW_UP_30][0] == dt.date(2026, 4, 3)


def test_an_ed_discharge_for_mental_illness_tracks_fum_follow_up(world: World) -> None:
    send(
        adt(
            "A03",
            when="20260304060000",
            patient_class="E",
            admitted="20260304010000",
            discharged="20260304055000",
            diagnoses=("F41.1",),
        )
    )
    process_inbox()
    steps = _steps(Stay.objects.get())
    assert set(steps) == {Step.Kind.CONTACT_AFTER_DISCHARGE, Step.Kind.FOLLOW_UP_7, Step.Kind.FOLLOW_UP_30}


def test_a_readmission_on_day_12_is_flagged_and_linked(world: World) -> None:
    send(
        adt("A03", visit="V1", when="20260306143000", admitted="20260302080000", discharged="20260306140000"),
        adt("A01", visit="V2", when="20260318100000", admitted="20260318094500"),
    )
    process_inbox()
    index, readmission = Stay.objects.order_by("admitted_at")
    assert readmission.index_stay_id == index.pk
    assert index.index_stay_id is None
    alert = Alert.objects.get(kind=Alert.Kind.READMISSION)
    assert "12 days" in alert.title
    assert str(index) in alert.detail


def test_an_admission_after_30_days_is_not_a_readmission(world: World) -> None:
    send(
        adt("A03", visit="V1", when="20260306143000", admitted="20260302080000", discharged="20260306140000"),
        adt("A01", visit="V2", when="20260410100000", admitted="20260410094500"),
    )
    process_inbox()
    assert not Alert.objects.filter(kind=Alert.Kind.READMISSION).exists()
    assert not Stay.objects.filter(index_stay__isnull=False).exists()


def test_a_patient_not_enrolled_gets_no_tasks(world: World) -> None:
    Enrollment.objects.filter(pk=world.enrollment.pk).update(status=Enrollment.Status.OUTREACH)
    send(
        adt("A01", when="20260302081500", admitted="20260302080000"),
        adt("A03", when="20260306143000", admitted="20260302080000", discharged="20260306140000"),
    )
    process_inbox()
    assert Stay.objects.get().status == Stay.Status.DISCHARGED  # the stay is kept all the same
    assert not Task.objects.exists()
    assert not Alert.objects.exists()


def test_a_readmission_of_a_patient_not_enrolled_is_linked_without_alerts(world: World) -> None:
    Enrollment.objects.filter(pk=world.enrollment.pk).update(status=Enrollment.Status.DISCHARGED)
    send(
        adt("A03", visit="V1", when="20260306143000", admitted="20260302080000", discharged="20260306140000"),
        adt("A01", visit="V2", when="20260318100000", admitted="20260318094500"),
    )
    process_inbox()
    assert Stay.objects.get(visit_number="V2").index_stay == Stay.objects.get(visit_number="V1")
    assert not Alert.objects.exists() and not Task.objects.exists()


def test_the_admit_reason_stands_in_when_no_diagnosis_is_sent(world: World) -> None:
    message = adt("A03", when="20260304120000", admitted="20260301090000", discharged="20260304113000")
    send(message + b"PV2|||F20.9^Schizophrenia^I10\r")
    process_inbox()
    stay = Stay.objects.get()
    assert (stay.principal_diagnosis, stay.mental_illness) == ("F20.9", True)
    assert Step.objects.filter(stay=stay, kind=Step.Kind.FOLLOW_UP_30).exists()
