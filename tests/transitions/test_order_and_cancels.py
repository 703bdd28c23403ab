"""Events arrive out of order and get cancelled: the stay ends in the state of its latest event."""

from __future__ import annotations

from wraparound.transitions.models import Stay, Step
from wraparound.transitions.processing import process_inbox
from wraparound.worklists.models import Alert, Task

from .conftest import World, adt, send


def test_a_discharge_whose_admission_arrives_later_stays_discharged(world: World) -> None:
    send(adt("A03", when="20260306143000", discharged="20260306140000", diagnoses=("I50.9",)))
    process_inbox()
    send(adt("A01", when="20260302081500", admitted="20260302080000", diagnoses=("R07.9",)))
    process_inbox()
    stay = Stay.objects.get()
    assert stay.status == Stay.Status.DISCHARGED
    assert stay.admitted_at is not None and stay.admitted_at.day == 2  # the late admission filled the gap
    assert stay.principal_diagnosis == "I50.9"  # the later event's diagnoses stand
    assert not Alert.objects.filter(kind=Alert.Kind.ADMISSION).exists()  # the stay was already over
    assert not Step.objects.filter(stay=stay, kind=Step.Kind.CONTACT_DURING_STAY).exists()
    assert stay.applied.filter(changed_state=False).get().trigger_event == "A01"


def test_out_of_order_in_one_run_is_applied_in_event_order(world: World) -> None:
    send(
        adt("A03", when="20260306143000", admitted="20260302080000", discharged="20260306140000"),
        adt("A01", when="20260302081500", admitted="20260302080000"),
    )
    process_inbox()
    stay = Stay.objects.get()
    assert stay.status == Stay.Status.DISCHARGED
    assert Alert.objects.filter(kind=Alert.Kind.DISCHARGE).exists()


def test_a_cancelled_admission_closes_its_task(world: World) -> None:
    send(adt("A01", when="20260302081500", admitted="20260302080000"))
    process_inbox()
    send(adt("A11", when="20260302093000", admitted="20260302080000"))
    process_inbox()
    stay = Stay.objects.get()
    assert stay.status == Stay.Status.CANCELLED
    assert list(Task.objects.values_list("status", flat=True)) == [Task.Status.CANCELLED]


def test_a_cancelled_discharge_reopens_the_stay_and_closes_the_discharge_tasks(world: World) -> None:
    send(
        adt("A01", when="20260302081500", admitted="20260302080000"),
        adt("A03", when="20260306143000", admitted="20260302080000", discharged="20260306140000"),
    )
    process_inbox()
    send(adt("A13", when="20260306150000", admitted="20260302080000"))
    process_inbox()
    stay = Stay.objects.get()
    assert (stay.status, stay.discharged_at) == (Stay.Status.ACTIVE, None)
    statuses = dict(Step.objects.filter(stay=stay).values_list("kind", "task__status"))
    assert statuses.pop(Step.Kind.CONTACT_DURING_STAY) == Task.Status.OPEN  # the stay goes on
    assert set(statuses.values()) == {Task.Status.CANCELLED}
    assert Step.Kind.CONTACT_AFTER_DISCHARGE in statuses


def test_a_contact_task_a_person_closed_stays_closed_after_a_cancelled_discharge(world: World) -> None:
    from wraparound.worklists.actions import do_complete_task

    send(adt("A01", when="20260302081500", admitted="20260302080000"))
    process_inbox()
    contact = Step.objects.get(kind=Step.Kind.CONTACT_DURING_STAY).task
    do_complete_task(world.viewer("alice"), contact)
    send(
        adt("A03", when="20260306143000", admitted="20260302080000", discharged="20260306140000"),
        adt("A13", when="20260306150000", admitted="20260302080000"),
    )
    process_inbox()
    contact.refresh_from_db()
    assert contact.status == Task.Status.DONE and contact.completed_by == world.users["alice"]


def test_a_cancel_that_arrives_before_its_admission_wins(world: World) -> None:
    send(adt("A11", when="20260302093000"))
    process_inbox()
    send(adt("A01", when="20260302081500", admitted="20260302080000"))
    process_inbox()
    assert Stay.objects.get().status == Stay.Status.CANCELLED
    assert not Task.objects.filter(status=Task.Status.OPEN).exists()


def test_a_transfer_and_its_cancel_move_the_location(world: World) -> None:
    send(adt("A01", when="20260302081500", admitted="20260302080000"))
    process_inbox()
    transfer = adt("A02", when="20260303081500", admitted="20260302080000").replace(b"4W^401^A", b"ICU^2^B")
    send(transfer)
    process_inbox()
    stay = Stay.objects.get()
    assert (stay.location, stay.prior_location) == ("ICU-2-B", "4W-401-A")
    send(adt("A12", when="20260303091500", admitted="20260302080000").replace(b"4W^401^A", b"ICU^2^B"))
    process_inbox()
    stay.refresh_from_db()
    assert stay.location == "4W-401-A"


def test_a_class_change_makes_an_outpatient_visit_an_admission(world: World) -> None:
    send(adt("A04", when="20260302081500", patient_class="O", admitted="20260302080000"))
    process_inbox()
    assert not Alert.objects.exists()  # an outpatient visit is not a transition
    send(adt("A06", when="20260302120000", patient_class="I", admitted="20260302080000"))
    process_inbox()
    assert Stay.objects.get().kind == Stay.Kind.INPATIENT
    assert Alert.objects.get().kind == Alert.Kind.ADMISSION
