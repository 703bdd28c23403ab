"""The demo's lived-in workspace: care plans, open tasks, new alerts, contacts and outreach attempts.

Everything goes through the product's own actions (``careplans.actions``, ``worklists.actions``,
``worklists.contacts``, ``enrollment.actions``, ``transitions.actions``), acting as the demo users,
so the audit log, versions and billing see what they would see in real use; the one exception is
the outreach that led now-enrolled members to enroll, written as history like the enrollment
transitions themselves (the action logs attempts only while in outreach).  Idempotent: care
plans are filled only when new, tasks and alerts carry a ``dedupe_key``, and contacts and outreach
attempts are written only for patients that have none yet.  Deterministic: every choice comes from
a ``random.Random`` seeded with the patient's id (which the demo population fixes).

Who does what at the agency:

* each enrolled patient with a lead care manager: a care plan (most of them), a monthly check-in
  task, a few tasks overdue, due today and due this week, now and then a new alert, and the lead's
  contacts over this month and the two before it;
* enrolled patients still waiting for a care manager: the care coordinator joins their care team
  (as community health worker) and keeps up the monthly contacts;
* patients in outreach: attempts by their care manager, or by the coordinator when none is assigned.

Most members get a successful contact with a core service most months; some do not (no answer,
a number out of service, a call about a visit time that delivered no service, nothing at all), so
the billing report has both billable and non-billable members, with the engine's reasons.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, fields
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from wraparound.accounts.models import Membership
from wraparound.audit.actions import Actor
from wraparound.careplans.models import CarePlan, CareTeamMember
from wraparound.core.models import CareOrganization
from wraparound.enrollment.models import Enrollment, EnrollmentTransition, OutreachAttempt
from wraparound.registry.access import Viewer
from wraparound.registry.models import Condition, Patient
from wraparound.worklists.models import Alert, Contact, CoreService, Task

DEDUPE = "demo"
TeamRole = CareTeamMember.Role
Service = CoreService


@dataclass
class WorkspaceCounts:
    """What one run added (all zero on a second run)."""

    care_plans: int = 0
    tasks: int = 0
    alerts: int = 0
    contacts: int = 0
    outreach_attempts: int = 0

    def total(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self))


def demo_viewer(user: AbstractBaseUser, organization: CareOrganization) -> Viewer:
    """``user`` acting for ``organization`` in their (first) role there, as a signed-in request would."""
    acting = (
        Membership.objects.select_related("organization")
        .filter(user_id=user.pk, organization=organization, is_active=True)
        .order_by("id")
        .first()
    )
    assert acting is not None, f"{user.get_username()} has no membership at {organization.name}"
    actor = Actor(
        user_id=user.pk,
        username=user.get_username(),
        organization_id=organization.pk,
        role=acting.role,
        user_agent="wraparound demo",
    )
    return Viewer(user, acting, actor)


# --- what the care plans say ------------------------------------------------------------------


@dataclass(frozen=True)
class PlanTemplate:
    """A problem, the goal in the patient's words (English, Spanish), its measure, and what the team does."""

    kind: str
    problem: str
    goal_en: str
    goal_es: str
    measure: str
    target: str
    months: int
    interventions: tuple[tuple[str, str], ...]  # (care-team role that owns it, what is done)


MEDICAL_PLANS: dict[str, PlanTemplate] = {
    "44054006": PlanTemplate(
        "medical",
        "Type 2 diabetes, not at goal",
        "I want my sugar under control so I can keep my feet and see my grandkids grow up.",
        "Quiero controlar el azúcar para cuidar mis pies y ver crecer a mis nietos.",
        "HbA1c",
        "below 8%",
        6,
        (
            (TeamRole.NURSE, "Teach glucose self-checks; review the log at each visit"),
            (TeamRole.LEAD_CARE_MANAGER, "Book the diabetic eye exam and the podiatry visit"),
        ),
    ),
    "38341003": PlanTemplate(
        "medical",
        "High blood pressure",
        "I don't want a stroke like my father had. I'll take my pills every day.",
        "No quiero un derrame como el que tuvo mi papá. Voy a tomar mis pastillas todos los días.",
        "Blood pressure",
        "below 140/90",
        4,
        (
            (TeamRole.NURSE, "Home blood pressure cuff: teach its use, review readings every two weeks"),
            (TeamRole.PRIMARY_CARE_PROVIDER, "Adjust medicines after four weeks of readings"),
        ),
    ),
    "195967001": PlanTemplate(
        "medical",
        "Asthma with frequent flare-ups",
        "I want to sleep through the night without waking up wheezing.",
        "Quiero dormir toda la noche sin despertarme con el pecho apretado.",
        "Rescue inhaler use",
        "twice a week or less",
        3,
        (
            (TeamRole.NURSE, "Check inhaler technique; write an asthma action plan together"),
            (TeamRole.COMMUNITY_HEALTH_WORKER, "Ask the landlord about the mold in the bathroom"),
        ),
    ),
    "13645005": PlanTemplate(
        "medical",
        "COPD, two ED visits this year",
        "I want to walk to the corner store without stopping to catch my breath.",
        "Quiero caminar hasta la tienda de la esquina sin pararme a respirar.",
        "ED visits for breathing",
        "none in 6 months",
        6,
        (
            (TeamRole.PRIMARY_CARE_PROVIDER, "Refer to pulmonary rehabilitation"),
            (TeamRole.NURSE, "Review the flare-up plan and the rescue medicines at home"),
        ),
    ),
    "84114007": PlanTemplate(
        "medical",
        "Heart failure, recent hospital stay",
        "Stay out of the hospital and be able to go to church on Sundays.",
        "No volver al hospital y poder ir a misa los domingos.",
        "Hospital days",
        "none in 90 days",
        3,
        (
            (TeamRole.NURSE, "Daily weights; call the team if up 3 pounds in two days"),
            (TeamRole.PHARMACIST, "Medicine reconciliation after the discharge"),
        ),
    ),
    "370143000": PlanTemplate(
        "behavioral",
        "Depression",
        "I want to feel like myself again and get back to cooking for my family.",
        "Quiero volver a sentirme bien y cocinar otra vez para mi familia.",
        "PHQ-9",
        "below 10",
        4,
        (
            (TeamRole.BEHAVIORAL_HEALTH, "Weekly behavioral activation sessions; PHQ-9 every visit"),
            (TeamRole.PSYCHIATRIC_CONSULTANT, "Review the antidepressant dose at the case review"),
        ),
    ),
    "197480006": PlanTemplate(
        "behavioral",
        "Anxiety",
        "I want to ride the bus again without panicking.",
        "Quiero volver a tomar el autobús sin entrar en pánico.",
        "GAD-7",
        "below 10",
        4,
        ((TeamRole.BEHAVIORAL_HEALTH, "Teach breathing and grounding skills; practice bus rides together"),),
    ),
    "414916001": PlanTemplate(
        "medical",
        "Obesity",
        "Lose enough weight to play ball with my son.",
        "Bajar de peso para poder jugar a la pelota con mi hijo.",
        "Weight",
        "5% lower",
        6,
        ((TeamRole.NURSE, "Nutrition classes at the clinic; a walking plan three days a week"),),
    ),
    "53741008": PlanTemplate(
        "medical",
        "Coronary artery disease, chest pain on stairs",
        "I want to climb the stairs to my apartment without chest pain.",
        "Quiero subir las escaleras de mi apartamento sin dolor en el pecho.",
        "Chest pain episodes",
        "none in a month",
        3,
        (
            (TeamRole.PRIMARY_CARE_PROVIDER, "Cardiac rehabilitation referral"),
            (TeamRole.PHARMACIST, "Check that the statin and aspirin are filled every month"),
        ),
    ),
    "433144002": PlanTemplate(
        "medical",
        "Chronic kidney disease",
        "Keep my kidneys working so I never need dialysis.",
        "Cuidar mis riñones para no tener que ir a diálisis.",
        "eGFR",
        "stable or better",
        6,
        (
            (TeamRole.NURSE, "Low-salt diet teaching; labs every three months"),
            (TeamRole.PHARMACIST, "Review medicines for kidney doses"),
        ),
    ),
    "47505003": PlanTemplate(
        "behavioral",
        "PTSD, trouble sleeping",
        "Sleep without nightmares and feel safe going out.",
        "Dormir sin pesadillas y sentirme a salvo al salir.",
        "PCL-5",
        "20 points lower",
        6,
        ((TeamRole.BEHAVIORAL_HEALTH, "Trauma-focused therapy, weekly"),),
    ),
    "13746004": PlanTemplate(
        "behavioral",
        "Bipolar disorder",
        "Stay well enough to keep my job at the bakery.",
        "Mantenerme bien para no perder mi trabajo en la panadería.",
        "Psychiatric hospital stays",
        "none this year",
        12,
        (
            (TeamRole.PSYCHIATRIC_CONSULTANT, "Mood stabilizer levels and dose review"),
            (TeamRole.BEHAVIORAL_HEALTH, "Early warning signs plan with the family"),
        ),
    ),
    "58214004": PlanTemplate(
        "behavioral",
        "Schizophrenia",
        "Live on my own and see my daughter every Sunday.",
        "Vivir por mi cuenta y ver a mi hija todos los domingos.",
        "Missed injections",
        "none",
        6,
        (
            (TeamRole.NURSE, "Monthly long-acting injection at the clinic"),
            (TeamRole.PEER_SPECIALIST, "Weekly peer support group"),
        ),
    ),
    "73595000": PlanTemplate(
        "behavioral",
        "Stress: caring for a sick parent, little sleep",
        "Find some time for myself and sleep more than five hours.",
        "Tener un poco de tiempo para mí y dormir más de cinco horas.",
        "Hours of sleep",
        "7 a night",
        3,
        (
            (TeamRole.BEHAVIORAL_HEALTH, "Stress-management sessions"),
            (TeamRole.LEAD_CARE_MANAGER, "Respite care for the parent: apply to the county program"),
        ),
    ),
}
# Depression and anxiety coded other ways share the templates.
for _alias, _code in (
    ("18818009", "370143000"),
    ("35489007", "370143000"),
    ("21897009", "197480006"),
    ("238136002", "414916001"),
    ("431857002", "433144002"),
):
    MEDICAL_PLANS[_alias] = MEDICAL_PLANS[_code]

FALLBACK_PLAN = PlanTemplate(
    "medical",
    "Several chronic conditions, many appointments",
    "I want to understand my medicines and stop missing appointments.",
    "Quiero entender mis medicinas y no faltar más a las citas.",
    "Missed appointments",
    "none in 3 months",
    3,
    (
        (TeamRole.PHARMACIST, "Medicine review: one list, one pharmacy, blister packs"),
        (TeamRole.LEAD_CARE_MANAGER, "Put every appointment in one calendar and call the day before"),
    ),
)

SOCIAL_PLANS: tuple[PlanTemplate, ...] = (
    PlanTemplate(
        "social",
        "Food insecurity: runs out of food before the end of the month",
        "Have enough food for the whole month, not just the first two weeks.",
        "Tener comida para todo el mes, no solo para las primeras dos semanas.",
        "Days without enough food",
        "none this month",
        2,
        (
            (
                TeamRole.COMMUNITY_HEALTH_WORKER,
                "Referral to Good Harvest Food Bank; help with the SNAP renewal",
            ),
        ),
    ),
    PlanTemplate(
        "social",
        "No transportation to appointments",
        "Get to my appointments without begging my neighbor for a ride.",
        "Llegar a mis citas sin tener que pedirle favores a la vecina.",
        "Appointments missed for lack of a ride",
        "none",
        2,
        ((TeamRole.COMMUNITY_HEALTH_WORKER, "Set up Medicaid transportation; teach how to book a ride"),),
    ),
    PlanTemplate(
        "social",
        "Housing: behind on rent, eviction notice",
        "Keep my apartment. I've lived here eleven years.",
        "No perder mi apartamento. Llevo once años viviendo aquí.",
        "Rent arrears",
        "paid off",
        3,
        ((TeamRole.LEAD_CARE_MANAGER, "Referral to Safe Harbor Housing Coalition for rent assistance"),),
    ),
)

# Social-need findings (SNOMED CT) to the social plan that answers them.
SOCIAL_NEEDS = {"713458007": 1, "105531004": 2, "32911000": 2}

STRENGTHS = (
    "Close to her sister, who lives two blocks away; goes to church every week.",
    "Knows his medicines well; keeps a notebook of every appointment.",
    "Funny and determined; walks the dog twice a day.",
    "Grandchildren visit on weekends; good cook; wants to stay independent.",
)
PREFERENCES = (
    "Calls in the morning, not after 4 pm. Prefers visits at home.",
    "Text messages first; phone calls only for appointments.",
    "Wants an interpreter for medical visits even though she speaks some English.",
    "Prefers the same nurse each time; does not want group classes.",
)
FAMILY_ROLES = (
    "Daughter helps with the pill box on Sundays.",
    "Son drives to appointments when he is not working.",
    "Lives alone; a neighbor checks in daily.",
    "Husband manages the medicines and the calendar.",
)


def _plan_templates(codes: list[str], rng: random.Random) -> list[PlanTemplate]:
    """Up to two clinical problems from the patient's conditions (SNOMED codes), and usually a social need."""
    chosen: list[PlanTemplate] = []
    for code in codes:
        template = MEDICAL_PLANS.get(code)
        if template is not None and template not in chosen:
            chosen.append(template)
        if len(chosen) == 2:
            break
    if not chosen:
        chosen.append(FALLBACK_PLAN)
    needs = [SOCIAL_PLANS[SOCIAL_NEEDS[code]] for code in codes if code in SOCIAL_NEEDS]
    if needs:
        chosen.append(needs[0])
    elif rng.random() < 0.6:
        chosen.append(rng.choice(SOCIAL_PLANS))
    return chosen


def _fill_care_plan(
    viewer: Viewer,
    plan: CarePlan,
    patient: Patient,
    conditions: list[str],
    team: dict[str, int],
    today: dt.date,
    rng: random.Random,
) -> None:
    """Problems, goals in the patient's words, interventions with owners; strengths; acknowledgement."""
    from wraparound.careplans.actions import Edit, do_save_care_plan
    from wraparound.careplans.models import Goal, Problem

    spanish = (patient.language_code or "").lower().startswith("es")

    def save(edit: Edit) -> None:
        do_save_care_plan(viewer, plan, edit, base_version=plan.version)

    for template in _plan_templates(conditions, rng):
        # Not linked to the Condition row: the plan's snapshot cannot store a condition's UUID yet.
        save(Edit("problem", {"kind": template.kind, "description": template.problem}))
        problem = Problem.objects.filter(care_plan=plan).order_by("-id").values_list("pk", flat=True).first()
        save(
            Edit(
                "goal",
                {
                    "problem_id": problem,
                    "text": template.goal_es if spanish else template.goal_en,
                    "measure": template.measure,
                    "target": template.target,
                    "target_date": today + dt.timedelta(days=30 * template.months),
                },
            )
        )
        goal = Goal.objects.filter(care_plan=plan).order_by("-id").values_list("pk", flat=True).first()
        for role, description in template.interventions:
            owner = team.get(role) or team.get(TeamRole.LEAD_CARE_MANAGER)
            status = rng.choice(("planned", "in_progress", "in_progress", "done"))
            days = -rng.randint(1, 20) if status == "done" else rng.randint(3, 45)
            save(
                Edit(
                    "intervention",
                    {
                        "goal_id": goal,
                        "description": description,
                        "owner_id": owner,
                        "due_on": today + dt.timedelta(days=days),
                        "status": status,
                    },
                )
            )
    save(
        Edit(
            "narrative",
            {
                "strengths": rng.choice(STRENGTHS),
                "preferences": rng.choice(PREFERENCES),
                "family_role": rng.choice(FAMILY_ROLES),
            },
        )
    )
    if rng.random() < 0.75:
        save(
            Edit(
                "acknowledgement",
                {
                    "acknowledged_on": today,
                    "acknowledgement": rng.choice(("signed", "verbal")),
                },
            )
        )


# --- tasks and alerts ---------------------------------------------------------------------------

# (title, detail, priority, assignee care-team role or "" for the lead)
OVERDUE_TASKS = (
    ("Call back about the missed cardiology appointment", "Rebook within two weeks.", Task.Priority.HIGH, ""),
    ("Follow up on the food bank referral", "Did the intake happen?", Task.Priority.NORMAL, ""),
    ("Get the discharge summary from St. Brigid", "", Task.Priority.HIGH, ""),
    ("Renew the Medicaid recertification", "Due at the end of the month.", Task.Priority.URGENT, ""),
)
TODAY_TASKS = (
    ("Check in about the new blood pressure medicine", "Side effects? Dizziness?", Task.Priority.NORMAL, ""),
    ("Confirm the ride for tomorrow's appointment", "", Task.Priority.HIGH, ""),
    ("Review the home blood pressure readings", "", Task.Priority.NORMAL, TeamRole.NURSE),
)
WEEK_TASKS = (
    ("Complete the annual health assessment", "", Task.Priority.NORMAL, ""),
    ("PHQ-9 follow-up", "Score was 14 last month.", Task.Priority.NORMAL, TeamRole.BEHAVIORAL_HEALTH),
    ("Home visit: update the care plan goals", "", Task.Priority.NORMAL, ""),
    ("Medicine reconciliation", "Three prescribers; two pharmacies.", Task.Priority.LOW, TeamRole.PHARMACIST),
)
MONTHLY_TASK = ("Monthly check-in call", "The monthly contact: how are things going, any new needs?")

# (kind, title, hours ago)
ALERTS = (
    (Alert.Kind.ED_VISIT, "Seen in the emergency department at St. Brigid Regional Hospital", 20),
    (Alert.Kind.ADMISSION, "Admitted to St. Brigid Regional Hospital", 6),
    (Alert.Kind.DISCHARGE, "Discharged home from St. Brigid Regional Hospital", 40),
)


def _tasks_for(
    actor: Actor,
    enrollment: Enrollment,
    index: int,
    plan: CarePlan | None,
    team_roles: set[str],
    today: dt.date,
    rng: random.Random,
) -> int:
    """The monthly check-in, and now and then a task overdue, due today or due this week."""
    from wraparound.worklists.actions import do_create_task

    lead_id = enrollment.care_manager_id
    made = 0

    def task(
        key: str, title: str, due: dt.date, priority: int, detail: str = "", role: str = "", **extra: Any
    ) -> None:
        nonlocal made
        before = Task.objects.filter(patient_id=enrollment.patient_id, dedupe_key=f"{DEDUPE}:{key}").exists()
        do_create_task(
            actor,
            patient=enrollment.patient_id,
            organization=enrollment.organization_id,
            title=title,
            detail=detail,
            due_on=due,
            assignee_id=None if role else lead_id,
            assignee_role=role,
            priority=priority,
            care_plan=plan,
            dedupe_key=f"{DEDUPE}:{key}",
            **extra,
        )
        made += 0 if before else 1

    monthly_due = today + dt.timedelta(days=(index * 5) % 27 - 3)  # a few already late
    task(
        "monthly-checkin",
        MONTHLY_TASK[0],
        monthly_due,
        Task.Priority.NORMAL,
        MONTHLY_TASK[1],
        recurrence=Task.Recurrence.MONTHLY,
    )
    buckets: tuple[tuple[bool, tuple[tuple[str, str, int, str], ...], dt.date, str], ...] = (
        (index % 6 == 1, OVERDUE_TASKS, today - dt.timedelta(days=rng.randint(1, 9)), "overdue"),
        (index % 8 == 2, TODAY_TASKS, today, "today"),
        (index % 4 == 3, WEEK_TASKS, today + dt.timedelta(days=rng.randint(1, 6)), "week"),
    )
    for wanted, choices, due, name in buckets:
        if not wanted:
            continue
        title, detail, priority, role = choices[(index // 4) % len(choices)]
        if role and role not in team_roles:
            role = ""
        task(name, title, due, priority, detail, role)
    return made


def _alert_for(actor: Actor, enrollment: Enrollment, index: int, now: dt.datetime) -> int:
    from wraparound.careplans.actions import do_request_review_after_discharge
    from wraparound.transitions.actions import do_raise_alert

    kind, title, hours = ALERTS[(index // 11) % len(ALERTS)]
    key = f"{DEDUPE}:alert"
    if Alert.objects.filter(patient_id=enrollment.patient_id, dedupe_key=key).exists():
        return 0
    occurred = now - dt.timedelta(hours=hours + index % 5)
    do_raise_alert(
        actor,
        patient=enrollment.patient_id,
        organization=enrollment.organization_id,
        kind=kind,
        title=title,
        occurred_at=occurred,
        dedupe_key=key,
    )
    if kind == Alert.Kind.DISCHARGE:
        do_request_review_after_discharge(actor, enrollment.patient_id, timezone.localdate(occurred))
    return 1


# --- contacts and outreach attempts ----------------------------------------------------------

# (mode, with whom, minutes, note, services)
SUCCESSFUL = (
    (
        "phone",
        "patient",
        20,
        "Monthly check-in. Reviewed medicines and upcoming appointments; no new concerns.",
        (Service.COMPREHENSIVE_CARE_MANAGEMENT, Service.CARE_COORDINATION),
    ),
    (
        "in_person",
        "patient",
        60,
        "Home visit: went over the care plan goals together and the blood pressure log.",
        (Service.COMPREHENSIVE_CARE_MANAGEMENT, Service.INDIVIDUAL_FAMILY_SUPPORT),
    ),
    (
        "phone",
        "provider",
        15,
        "Called the PCP office to move up the follow-up visit; sent the current care plan.",
        (Service.CARE_COORDINATION, Service.HEALTH_IT),
    ),
    (
        "video",
        "patient",
        30,
        "Video visit: practiced the inhaler technique; set a walking goal for the week.",
        (Service.CARE_COORDINATION,),
    ),
    (
        "phone",
        "community",
        15,
        "Referred to Good Harvest Food Bank; confirmed the intake appointment.",
        (Service.COMMUNITY_REFERRAL,),
    ),
    (
        "phone",
        "family",
        20,
        "Talked with the daughter about rides to appointments and the pill box.",
        (Service.INDIVIDUAL_FAMILY_SUPPORT,),
    ),
    (
        "text",
        "patient",
        5,
        "Texted a reminder about Thursday's lab work; patient confirmed.",
        (Service.CARE_COORDINATION, Service.HEALTH_IT),
    ),
)
AFTER_DISCHARGE = (
    "phone",
    "patient",
    25,
    "Called two days after the discharge: medicines reconciled, follow-up visit booked.",
    (Service.TRANSITIONAL_CARE, Service.CARE_COORDINATION),
)
UNSUCCESSFUL = (
    ("phone", "patient", 5, "No answer; left a voicemail with my call-back number."),
    ("phone", "patient", 5, "The number is out of service; asked the PCP office for a new one."),
    ("in_person", "patient", 30, "Home visit: nobody home; left a note with my number under the door."),
)
NO_SERVICE = ("phone", "patient", 5, "Patient called to move the visit time; nothing else discussed.")


def _months(today: dt.date, count: int = 3) -> list[dt.date]:
    """The first days of this month and the ``count - 1`` before it, oldest first."""
    first = today.replace(day=1)
    months = [first]
    for _ in range(count - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        months.append(first)
    return months[::-1]


def _local_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=timezone.get_current_timezone())


def _moment(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime | None:
    """A time in office hours between ``start`` and ``end`` (None: no room)."""
    if end - start < dt.timedelta(hours=1):
        return None
    seconds = rng.uniform(0, (end - start).total_seconds())
    at = timezone.localtime(start + dt.timedelta(seconds=seconds))
    office = at.replace(
        hour=rng.randint(9, 16), minute=rng.choice((0, 10, 15, 30, 40, 45)), second=0, microsecond=0
    )
    return office if start <= office < end else at.replace(microsecond=0)


def _month_contacts(
    rng: random.Random, start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, tuple[Any, ...], bool]]:
    """One month's contacts for one member: (when, what, successful)."""
    roll = rng.random()
    planned: list[tuple[tuple[Any, ...], bool]] = []
    if roll < 0.08:  # no contact at all this month
        return []
    if roll < 0.15:  # tried, never reached
        planned = [(rng.choice(UNSUCCESSFUL), False) for _ in range(rng.randint(1, 3))]
    elif roll < 0.18:  # reached, but the call delivered no core service
        planned = [(NO_SERVICE, True)]
    else:
        if rng.random() < 0.3:
            planned.append((rng.choice(UNSUCCESSFUL), False))
        planned += [(rng.choice(SUCCESSFUL), True) for _ in range(rng.randint(1, 2))]
    moments = sorted(m for m in (_moment(rng, start, end) for _ in planned) if m is not None)
    return [(at, what, ok) for at, (what, ok) in zip(moments, planned, strict=False)]


def _log_contacts(
    viewer: Viewer,
    patient: Patient,
    enrolled_at: dt.datetime,
    months: list[dt.date],
    now: dt.datetime,
    rng: random.Random,
    after_discharge: dt.datetime | None = None,
) -> int:
    from wraparound.worklists.contacts import do_log_contact

    made = 0
    for index, first in enumerate(months):
        month_end = (
            _local_start(months[index + 1]) if index + 1 < len(months) else now - dt.timedelta(hours=1)
        )
        start = max(_local_start(first), enrolled_at + dt.timedelta(hours=2))
        for at, what, successful in _month_contacts(rng, start, month_end):
            mode, with_whom, minutes, note = what[:4]
            services = [str(s) for s in what[4]] if successful and len(what) > 4 else []
            do_log_contact(
                viewer,
                patient,
                at=at,
                mode=mode,
                with_whom=with_whom,
                duration_minutes=minutes + rng.randint(0, 10),
                successful=successful,
                note=note,
                services=services,
            )
            made += 1
    if after_discharge is not None and after_discharge < now:
        mode, with_whom, minutes, note, delivered = AFTER_DISCHARGE
        do_log_contact(
            viewer,
            patient,
            at=after_discharge,
            mode=mode,
            with_whom=with_whom,
            duration_minutes=minutes,
            successful=True,
            note=note,
            services=[str(s) for s in delivered],
        )
        made += 1
    return made


OUTREACH_OUTCOMES = ("no_answer", "left_message", "left_message", "no_answer", "wrong_number")


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _log_outreach(
    viewer: Viewer, enrollment: Enrollment, since: dt.datetime, now: dt.datetime, rng: random.Random
) -> int:
    """Attempts each month since outreach began: mostly calls, sometimes only a letter, some months none."""
    from wraparound.enrollment.actions import do_log_outreach

    made = 0
    modes: tuple[str, ...]
    start = since + dt.timedelta(hours=2)
    while start < now:
        end = min(_local_start(_next_month(timezone.localdate(start))), now - dt.timedelta(hours=1))
        roll = rng.random()
        if roll < 0.1:
            count, modes = 0, ("phone",)
        elif roll < 0.18:
            count, modes = 1, ("mail",)
        else:
            count, modes = rng.randint(1, 2), ("phone", "phone", "phone", "text", "in_person")
        moments = sorted(m for m in (_moment(rng, start, end) for _ in range(count)) if m is not None)
        for at in moments:
            mode = rng.choice(modes)
            if mode == "mail":
                outcome = rng.choice(("no_answer", "returned_mail"))
            elif mode == "in_person":
                outcome = "no_answer"
            else:
                outcome = rng.choice(OUTREACH_OUTCOMES)
            do_log_outreach(viewer, enrollment, at=at, mode=mode, outcome=outcome, note="")
            made += 1
        start = end if end > start else now
    return made


def _past_outreach(
    enrollments: list[Enrollment],
    outreach_at: dict[int, dt.datetime],
    enrolled_at: dict[int, dt.datetime],
    by: dict[int, int],
) -> int:
    """The attempts that reached the now-enrolled members, written as their history.

    Like the enrollment history itself (``cli.demo._demo_enrollment``), these rows are in the past:
    ``do_log_outreach`` only logs attempts while the enrollment is in outreach.
    """
    attempts: list[OutreachAttempt] = []
    for enrollment in enrollments:
        start, end = outreach_at.get(enrollment.pk), enrolled_at.get(enrollment.pk)
        if start is None or end is None or enrollment.pk not in by:
            continue
        rng = random.Random(f"demo-workspace:past-outreach:{enrollment.patient_id}")
        count = rng.choice((1, 2, 2, 3))
        moments = sorted(
            m
            for m in (_moment(rng, start + dt.timedelta(hours=1), end) for _ in range(count))
            if m is not None
        )
        for n, at in enumerate(moments):
            last = n == len(moments) - 1
            attempts.append(
                OutreachAttempt(
                    enrollment=enrollment,
                    at=at,
                    mode=rng.choice(("phone", "phone", "phone", "in_person", "text")) if last else "phone",
                    outcome=rng.choice(("scheduled", "reached"))
                    if last
                    else rng.choice(OUTREACH_OUTCOMES[:2]),
                    by_id=by[enrollment.pk],
                    note="Agreed to meet and hear about the program." if last else "",
                    recorded_at=at,
                )
            )
    OutreachAttempt.objects.bulk_create(attempts)
    return len(attempts)


# --- the whole agency ---------------------------------------------------------------------------


def _transition_times(enrollment_ids: list[int], status: str) -> dict[int, dt.datetime]:
    rows = EnrollmentTransition.objects.filter(
        enrollment_id__in=enrollment_ids, to_status=status
    ).values_list("enrollment_id", "at")
    times: dict[int, dt.datetime] = {}
    for enrollment_id, at in rows:
        times[enrollment_id] = max(at, times.get(enrollment_id, at))
    return times


def _teams(patient_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
    """Each patient's current care-team members: role to member id (the first of each role)."""
    teams: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    rows = (
        CareTeamMember.objects.filter(
            care_team__patient_id__in=patient_ids, care_team__status="active", end__isnull=True
        )
        .order_by("id")
        .values_list("care_team__patient_id", "role", "pk")
    )
    for patient_id, role, pk in rows:
        teams[patient_id].setdefault(role, pk)
    return teams


def _conditions(patient_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """Each patient's active, non-Part 2 conditions as SNOMED codes, in a stable order."""
    found: dict[uuid.UUID, list[str]] = defaultdict(list)
    rows = (
        Condition.objects.filter(patient_id__in=patient_ids, status="active", is_sud=False)
        .exclude(snomed_code="")
        .order_by("patient_id", "snomed_code", "pk")
        .values_list("patient_id", "snomed_code")
    )
    for patient_id, code in rows:
        found[patient_id].append(code)
    return found


def ensure_demo_workspace(
    agency: CareOrganization,
    *,
    coordinator: AbstractBaseUser | None = None,
    today: dt.date | None = None,
    care_plan_share: float = 0.85,
) -> WorkspaceCounts:
    """Give the agency's care managers a lived-in workspace; idempotent, deterministic.

    ``coordinator`` (a care coordinator of the agency) keeps up contacts for enrolled patients with
    no care manager yet and makes outreach attempts for those in outreach.
    """
    from wraparound.careplans.actions import do_add_care_team_member, do_start_care_plan

    today = today or timezone.localdate()
    now = timezone.now()
    months = _months(today)
    counts = WorkspaceCounts()
    enrollments = list(
        Enrollment.objects.filter(
            organization=agency, status__in=(Enrollment.Status.ENROLLED, Enrollment.Status.OUTREACH)
        )
        .select_related("patient", "care_manager")
        .order_by("patient__search_name", "patient_id", "pk")
    )
    ids = [e.pk for e in enrollments]
    enrolled_at = _transition_times(ids, Enrollment.Status.ENROLLED)
    outreach_at = _transition_times(ids, Enrollment.Status.OUTREACH)
    patient_ids = [e.patient_id for e in enrollments]
    teams = _teams(patient_ids)
    conditions = _conditions(patient_ids)
    contacted = set(
        Contact.objects.filter(organization=agency).values_list("patient_id", flat=True).distinct()
    )
    attempted = set(
        OutreachAttempt.objects.filter(enrollment_id__in=ids).values_list("enrollment_id", flat=True)
    )
    with_plan = set(CarePlan.objects.filter(enrollment_id__in=ids).values_list("enrollment_id", flat=True))
    viewers: dict[int, Viewer] = {}
    coordinator_viewer = demo_viewer(coordinator, agency) if coordinator is not None else None
    per_lead: dict[int | None, int] = defaultdict(int)

    def viewer_for(user: Any) -> Viewer:
        if user.pk not in viewers:
            viewers[user.pk] = demo_viewer(user, agency)
        return viewers[user.pk]

    past_by: dict[int, int] = {}
    for e in enrollments:
        who = e.care_manager_id or (coordinator.pk if coordinator is not None else None)
        if e.status == Enrollment.Status.ENROLLED and e.pk not in attempted and who is not None:
            past_by[e.pk] = who
    counts.outreach_attempts += _past_outreach(enrollments, outreach_at, enrolled_at, past_by)
    for enrollment in enrollments:

        def rng_for(part: str, patient_id: uuid.UUID = enrollment.patient_id) -> random.Random:
            return random.Random(f"demo-workspace:{part}:{patient_id}")

        lead = enrollment.care_manager
        index = per_lead[enrollment.care_manager_id]
        per_lead[enrollment.care_manager_id] += 1
        with transaction.atomic():
            if enrollment.status == Enrollment.Status.OUTREACH:
                worker = viewer_for(lead) if lead is not None else coordinator_viewer
                since = outreach_at.get(enrollment.pk)
                if worker is not None and since is not None and enrollment.pk not in attempted:
                    counts.outreach_attempts += _log_outreach(
                        worker, enrollment, since, now, rng_for("outreach")
                    )
                continue
            began = enrolled_at.get(enrollment.pk) or _local_start(enrollment.started_on or today)
            if lead is None:
                if coordinator_viewer is None or enrollment.patient_id in contacted:
                    continue
                do_add_care_team_member(
                    patient=enrollment.patient,
                    organization=agency,
                    user_id=coordinator_viewer.user_id,
                    role=TeamRole.COMMUNITY_HEALTH_WORKER,
                )
                counts.contacts += _log_contacts(
                    coordinator_viewer, enrollment.patient, began, months, now, rng_for("contacts")
                )
                continue
            viewer = viewer_for(lead)
            team = teams.get(enrollment.patient_id, {})
            plan: CarePlan | None = None
            if enrollment.pk in with_plan:
                plan = CarePlan.objects.filter(enrollment=enrollment).first()
            elif (plan_rng := rng_for("plan")).random() < care_plan_share:
                plan = do_start_care_plan(viewer, enrollment)
                _fill_care_plan(
                    viewer,
                    plan,
                    enrollment.patient,
                    conditions.get(enrollment.patient_id, []),
                    team,
                    today,
                    plan_rng,
                )
                counts.care_plans += 1
            counts.tasks += _tasks_for(
                viewer.actor, enrollment, index, plan, set(team), today, rng_for("tasks")
            )
            discharge: dt.datetime | None = None
            if index % 11 == 4:
                counts.alerts += _alert_for(viewer.actor, enrollment, index, now)
                kind, _title, hours = ALERTS[(index // 11) % len(ALERTS)]
                if kind == Alert.Kind.DISCHARGE and hours >= 36:
                    discharge = now - dt.timedelta(hours=hours + index % 5) + dt.timedelta(hours=20)
            if enrollment.patient_id not in contacted:
                counts.contacts += _log_contacts(
                    viewer, enrollment.patient, began, months, now, rng_for("contacts"), discharge
                )
    return counts
