"""Transitional care for enrolled patients: what a stay's state asks of the care team.

Run after every change of a stay, from either source (ADT messages, FHIR Encounters).  Every alert
and task carries a dedupe key made of the stay and the step (and the discharge day), so running it
again, or replaying the messages, makes nothing new.

- In the hospital or the ED: an alert (admission / ED visit) and a task for the lead care manager,
  due today, to contact the patient or the facility during the stay.
- Discharged from the hospital or the ED: a discharge alert showing LACE; contact within 2
  business days; a follow-up visit within 7 days (and within 30 days after a mental-illness stay,
  as FUH and FUM count them); for inpatient and observation stays, medication reconciliation
  within 30 days and the care-plan review (careplans).
- An inpatient admission within 30 days of an earlier inpatient discharge: a readmission alert,
  the stay linked to its index stay (PCR).
- A discharge closes the open contact-during-the-stay task; a cancelled admission closes the stay's
  open steps; a cancelled discharge closes the discharge's and opens the contact during the stay
  again (unless a person had closed it).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone
from django.utils.translation import gettext as _

from wraparound.audit.actions import Actor
from wraparound.careplans.actions import active_team, current_lead, do_request_review_after_discharge
from wraparound.enrollment.models import Enrollment
from wraparound.transitions.actions import do_close_steps, do_raise_alert, do_reopen_steps
from wraparound.transitions.business_days import add_business_days
from wraparound.transitions.clinical import lace_at_discharge
from wraparound.transitions.models import Stay, Step
from wraparound.transitions.stays import local_day
from wraparound.worklists.actions import do_create_task
from wraparound.worklists.models import Alert, Task

READMISSION_DAYS = 30
HIGH_LACE = 10
INPATIENT_KINDS = (Stay.Kind.INPATIENT, Stay.Kind.OBSERVATION)
DISCHARGE_STEPS = frozenset(kind for kind in Step.Kind.values if kind != Step.Kind.CONTACT_DURING_STAY)


def enrolled(patient_id: uuid.UUID | str) -> Enrollment | None:
    return (
        Enrollment.objects.filter(patient_id=patient_id, status=Enrollment.Status.ENROLLED)
        .order_by("-started_on", "-id")
        .first()
    )


def _care_manager_id(enrollment: Enrollment) -> int | None:
    if enrollment.care_manager_id is not None:
        return enrollment.care_manager_id
    team = active_team(enrollment.patient_id)
    lead = current_lead(team) if team is not None else None
    return lead.user_id if lead is not None else None


def _where(stay: Stay) -> str:
    return stay.facility_name or stay.facility


class _Run:
    """The workflow for one stay of one enrolled patient."""

    def __init__(self, actor: Actor, stay: Stay, enrollment: Enrollment) -> None:
        self.actor = actor
        self.stay = stay
        self.enrollment = enrollment
        self.assignee_id = _care_manager_id(enrollment)

    def task(
        self, kind: str, title: str, due_on: dt.date, anchor: dt.date, *, priority: int = Task.Priority.HIGH
    ) -> Task:
        """``anchor`` (the day of admission or discharge) keys the task, so a re-run makes none."""
        day = anchor.isoformat()
        task = do_create_task(
            self.actor,
            patient=self.stay.patient_id,
            organization=self.enrollment.organization_id,
            title=title,
            source=Task.Source.ADT,
            due_on=due_on,
            assignee_id=self.assignee_id,
            priority=priority,
            detail=str(self.stay),
            dedupe_key=f"transition:{self.stay.pk}:{kind}:{day}",
        )
        self.link(kind, task)
        return task

    def link(self, kind: str, task: Task) -> None:
        Step.objects.update_or_create(stay=self.stay, kind=kind, defaults={"task": task})

    def alert(
        self, kind: str, title: str, occurred_at: dt.datetime, detail: str = "", key: str = ""
    ) -> Alert:
        return do_raise_alert(
            self.actor,
            patient=self.stay.patient_id,
            organization=self.enrollment.organization_id,
            kind=kind,
            title=title,
            occurred_at=occurred_at,
            detail=detail,
            dedupe_key=f"transition:{self.stay.pk}:{key or kind}",
        )

    def arrival(self) -> None:
        stay = self.stay
        at = stay.admitted_at or timezone.now()
        if stay.kind == Stay.Kind.EMERGENCY:
            self.alert(
                Alert.Kind.ED_VISIT,
                _("Emergency department visit at %(where)s") % {"where": _where(stay)},
                at,
            )
        else:
            self.alert(Alert.Kind.ADMISSION, _("Admitted to %(where)s") % {"where": _where(stay)}, at)
        self.task(
            Step.Kind.CONTACT_DURING_STAY,
            _("Contact the patient or facility during the stay"),
            timezone.localdate(),
            local_day(at),
            priority=Task.Priority.URGENT,
        )

    def readmission(self, index: Stay) -> None:
        stay = self.stay
        assert stay.admitted_at is not None and index.discharged_at is not None
        days = (local_day(stay.admitted_at) - local_day(index.discharged_at)).days
        self.alert(
            Alert.Kind.READMISSION,
            _("Readmitted to %(where)s %(days)d days after discharge")
            % {"where": _where(stay), "days": days},
            stay.admitted_at,
            detail=_("Index stay: %(index)s, discharged %(day)s.")
            % {"index": str(index), "day": local_day(index.discharged_at).isoformat()},
        )

    def discharge(self) -> None:
        stay = self.stay
        assert stay.discharged_at is not None
        day = local_day(stay.discharged_at)
        detail = ""
        if stay.kind in INPATIENT_KINDS:
            lace = lace_at_discharge(stay)
            if lace is not None:
                Stay.objects.filter(pk=stay.pk).update(lace=lace)
                stay.lace = lace
                score = int(str(lace["score"]))
                detail = _("LACE at discharge: %(score)d%(risk)s.") % {
                    "score": score,
                    "risk": _(" (high risk of readmission)") if score >= HIGH_LACE else "",
                }
        self.alert(
            Alert.Kind.DISCHARGE,
            _("Discharged from %(where)s") % {"where": _where(stay)},
            stay.discharged_at,
            detail=detail,
            key=f"discharge:{day.isoformat()}",
        )
        self.task(
            Step.Kind.CONTACT_AFTER_DISCHARGE,
            _("Contact the patient within 2 business days of discharge"),
            add_business_days(day, 2),
            day,
            priority=Task.Priority.URGENT,
        )
        self.task(
            Step.Kind.FOLLOW_UP_7,
            _("Follow-up visit within 7 days of discharge"),
            day + dt.timedelta(days=7),
            day,
        )
        if stay.mental_illness:
            self.task(
                Step.Kind.FOLLOW_UP_30,
                _("Follow-up visit within 30 days of discharge (mental illness)"),
                day + dt.timedelta(days=30),
                day,
            )
        if stay.kind in INPATIENT_KINDS:
            self.task(
                Step.Kind.MEDICATION_RECONCILIATION,
                _("Reconcile medications within 30 days of discharge"),
                day + dt.timedelta(days=30),
                day,
            )
            review = do_request_review_after_discharge(self.actor, stay.patient_id, day)
            if review is not None:
                self.link(Step.Kind.CARE_PLAN_REVIEW, review)


def link_readmission(stay: Stay) -> Stay | None:
    """An inpatient admission within 30 days of an earlier inpatient discharge: linked to that index stay."""
    if stay.kind != Stay.Kind.INPATIENT or stay.admitted_at is None:
        return None
    index = (
        Stay.objects.filter(
            patient_id=stay.patient_id,
            kind=Stay.Kind.INPATIENT,
            status=Stay.Status.DISCHARGED,
            discharged_at__lte=stay.admitted_at,
            discharged_at__gte=stay.admitted_at - dt.timedelta(days=READMISSION_DAYS),
        )
        .exclude(pk=stay.pk)
        .order_by("-discharged_at")
        .first()
    )
    if index is not None and stay.index_stay_id != index.pk:
        Stay.objects.filter(pk=stay.pk).update(index_stay=index)
        stay.index_stay = index
    return index


def run_workflow(stay: Stay, actor: Actor | None = None) -> None:
    """The alerts and tasks this stay's current state calls for (nothing for a patient not enrolled)."""
    actor = actor or Actor.system("mllp")
    if stay.status == Stay.Status.CANCELLED:
        do_close_steps(actor, stay)
        return
    if stay.status == Stay.Status.ACTIVE:
        do_close_steps(actor, stay, DISCHARGE_STEPS)  # a cancelled discharge (A13)
    if stay.kind not in Stay.HOSPITAL_KINDS:
        return
    index = link_readmission(stay)  # a fact of the record, enrolled or not (PCR counts it)
    enrollment = enrolled(stay.patient_id)
    if enrollment is None:
        return
    run = _Run(actor, stay, enrollment)
    if index is not None:
        run.readmission(index)
    if stay.status == Stay.Status.ACTIVE:
        # Back in the stay after a cancelled discharge: the contact during the stay is due again.
        do_reopen_steps(actor, stay, frozenset({Step.Kind.CONTACT_DURING_STAY}))
        run.arrival()
    elif stay.status == Stay.Status.DISCHARGED and stay.discharged_at is not None:
        do_close_steps(actor, stay, frozenset({Step.Kind.CONTACT_DURING_STAY}))  # the stay is over
        run.discharge()
