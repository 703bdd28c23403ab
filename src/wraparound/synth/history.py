"""When members use care: three years of visits, emergency visits, admissions and follow-ups.

Utilization is heavy-tailed, as in Medicaid claims: each member's rates are scaled by a
log-normal multiplier driven by frailty, substance use, serious mental illness and social
adversity, and by condition burden, so that a few percent of members account for about half
of emergency visits and admissions.  Admissions bring readmissions within 30 days, follow-up
visits (or their absence) and home-health visits, which the quality measures look for.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from wraparound.synth import clock, codes, prevalence
from wraparound.synth.codes import Diagnosis, FhirJson
from wraparound.synth.network import Organization, Practitioner
from wraparound.synth.population import Member, Window, new_id

UTILIZATION_SIGMA = 1.2
UTILIZATION_LOADINGS = (
    (prevalence.FRAILTY, 0.45),
    (prevalence.SUBSTANCE_USE, 0.35),
    (prevalence.SMI, 0.30),
    (prevalence.SOCIAL, 0.30),
    (prevalence.MENTAL_HEALTH, 0.20),
)
# Yearly base rates by prevalence band (0-5, 6-11, 12-17, 18-34, 35-49, 50-64, 65+).
EMERGENCY_BASE = (0.70, 0.40, 0.45, 0.62, 0.55, 0.48, 0.45)
INPATIENT_BASE = (0.027, 0.014, 0.022, 0.032, 0.045, 0.072, 0.12)

# chronic condition -> (emergency weight, inpatient weight, kind of admission)
CHRONIC_REASONS: dict[str, tuple[float, float, str]] = {
    "asthma": (3.0, 1.0, "medical"),
    "copd": (3.0, 3.0, "medical"),
    "heart_failure": (3.0, 5.0, "medical"),
    "diabetes": (1.5, 2.0, "medical"),
    "hypertension": (1.0, 0.5, "medical"),
    "cad": (1.5, 2.0, "medical"),
    "ckd": (0.5, 1.0, "medical"),
    "hiv": (0.5, 1.0, "medical"),
    "depression": (2.0, 2.0, "psychiatric"),
    "anxiety": (1.5, 0.3, "psychiatric"),
    "bipolar": (3.0, 4.0, "psychiatric"),
    "schizophrenia": (3.5, 5.0, "psychiatric"),
    "alcohol_use": (3.0, 2.5, "alcohol_detox"),
    "opioid_use": (3.0, 2.0, "drug_detox"),
    "other_drug_use": (2.0, 1.0, "drug_detox"),
}
# acute problem -> (adult emergency weight, child emergency weight, inpatient weight)
ACUTE_REASONS: dict[str, tuple[float, float, float]] = {
    "pharyngitis": (1.2, 2.0, 0.0),
    "bronchitis": (1.0, 1.5, 0.0),
    "sinusitis": (0.8, 0.6, 0.0),
    "ankle_sprain": (1.5, 1.5, 0.0),
    "uti": (0.8, 0.3, 0.3),
    "pneumonia": (0.5, 0.5, 2.0),
}
# A chronic reason sometimes shows up as an acute event with its own diagnosis.
ACUTE_PRESENTATIONS = {
    "opioid_use": ("overdose", 0.35),
    "depression": ("suicidal_ideation", 0.2),
    "bipolar": ("suicidal_ideation", 0.15),
    "diabetes": ("hyperglycemia", 0.4),
}
LENGTH_OF_STAY = {
    "medical": (3.5, 0.6),
    "psychiatric": (8.0, 0.5),
    "alcohol_detox": (4.0, 0.35),
    "drug_detox": (4.5, 0.4),
}
DISCHARGES: dict[str, tuple[tuple[float, str], ...]] = {
    "medical": (
        (0.86, "home"),
        (0.06, "snf"),
        (0.02, "rehab"),
        (0.04, "aadvice"),
        (0.01, "hosp"),
        (0.01, "oth"),
    ),
    "medical_older": (
        (0.72, "home"),
        (0.17, "snf"),
        (0.05, "rehab"),
        (0.02, "aadvice"),
        (0.03, "hosp"),
        (0.01, "oth"),
    ),
    "psychiatric": ((0.87, "home"), (0.04, "psy"), (0.06, "aadvice"), (0.03, "oth")),
    "alcohol_detox": ((0.68, "home"), (0.18, "aadvice"), (0.14, "rehab")),
    "drug_detox": ((0.66, "home"), (0.20, "aadvice"), (0.14, "rehab")),
}
# kind of admission -> (follow-up within 7 days, follow-up on days 8-30)
FOLLOW_UP_AFTER_DISCHARGE = {
    "medical": (0.45, 0.25),
    "psychiatric": (0.40, 0.22),
    "alcohol_detox": (0.30, 0.20),
    "drug_detox": (0.30, 0.20),
}
FOLLOW_UP_AFTER_BEHAVIORAL_EMERGENCY = (0.30, 0.20)


@dataclass(slots=True)
class Visit:
    """A planned encounter.

    ``kind`` is what the visit is for (wellness, problem, follow_up, behavioral, substance,
    emergency, inpatient, home); ``encounter_class`` is its v3-ActCode class (AMB, VR, EMER,
    IMP, HH).  ``diagnoses`` lists the chronic conditions first diagnosed at this visit.
    """

    kind: str
    encounter_class: str
    start: int
    end: int
    organization: Organization
    practitioner: Practitioner
    type: FhirJson
    reason: Diagnosis | None = None
    reason_key: str | None = None
    acute: bool = False
    admission_kind: str | None = None
    admit_source: str | None = None
    discharge: str | None = None
    in_progress: bool = False
    after_discharge: bool = False
    diagnoses: tuple[str, ...] = ()
    id: str = ""

    @property
    def primary_care(self) -> bool:
        return self.kind in ("wellness", "problem", "follow_up") and self.encounter_class == "AMB"

    @property
    def behavioral(self) -> bool:
        return self.kind in ("behavioral", "substance")


@dataclass(slots=True)
class Rates:
    wellness: float
    problem: float
    behavioral: float
    emergency: float
    inpatient: float
    readmission: float


def poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit = math.exp(-mean)
    count, product = 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def pick(rng: random.Random, options: tuple[tuple[float, str], ...]) -> str:
    point = rng.random() * sum(weight for weight, _ in options)
    for weight, value in options:
        point -= weight
        if point < 0:
            return value
    return options[-1][1]


def draw_rates(rng: random.Random, member: Member) -> Rates:
    noise = math.sqrt(1 - sum(weight * weight for _, weight in UTILIZATION_LOADINGS))
    latent = noise * rng.gauss(0.0, 1.0) + sum(
        weight * member.factors[f] for f, weight in UTILIZATION_LOADINGS
    )
    heavy = math.exp(UTILIZATION_SIGMA * latent - UTILIZATION_SIGMA**2 / 2)
    physical = member.count(prevalence.PHYSICAL)
    mental = member.count(prevalence.MENTAL)
    serious = member.count(prevalence.SERIOUS_MENTAL_ILLNESS) > 0
    substance = member.count(prevalence.SUBSTANCE) > 0
    homeless = any(need.key == "homeless" for need in member.social)
    burden = (
        (1 + 0.3 * physical)
        * (1.7 if serious else 1.0)
        * (1.9 if substance else 1.0)
        * (1.5 if homeless else 1.0)
    )
    child = member.age < 18
    wellness = 0.8 if child else min(0.5 + 0.08 * (physical + mental), 0.9)
    if member.age < 2:
        wellness = 4.0
    problem = (0.7 + 1.4 * member.has("asthma")) if child else 0.6 + 0.7 * physical + 0.3 * mental
    behavioral = 0.0
    if mental or substance:
        engaged = rng.random() < (0.8 if serious else 0.6 if substance else 0.45)
        behavioral = (10.0 if serious else 9.0 if substance else 4.0) if engaged else 0.0
    readmission = min(0.015 + 0.015 * physical + 0.04 * serious + 0.05 * substance + 0.03 * homeless, 0.25)
    return Rates(
        wellness=wellness,
        problem=problem,
        behavioral=behavioral,
        emergency=EMERGENCY_BASE[member.band] * heavy * burden,
        inpatient=INPATIENT_BASE[member.band] * heavy * (1 + 0.5 * physical) * burden / (1 + 0.3 * physical),
        readmission=readmission,
    )


class Planner:
    """Plans one member's visits inside the window, in chronological order."""

    def __init__(self, rng: random.Random, member: Member, window: Window) -> None:
        self.rng = rng
        self.member = member
        self.window = window
        self.begin = max(window.start, member.coverage_start, member.birth)
        self.visits: list[Visit] = []

    # --- times ------------------------------------------------------------------------------

    def office_time(
        self, earliest: int, latest: int, minutes: tuple[int, int] = (20, 40)
    ) -> tuple[int, int] | None:
        rng = self.rng
        day = (earliest + int(rng.random() * max(latest - earliest, 1))) // clock.DAY
        while clock.weekday(day) >= 5:
            day += 1
        start = (
            day * clock.DAY
            + (8 + int(rng.random() * 9)) * clock.HOUR
            + 15 * int(rng.random() * 4) * clock.MINUTE
        )
        if start < earliest or start + clock.HOUR >= self.window.end:
            return None
        return start, start + rng.randint(*minutes) * clock.MINUTE

    def any_time(self, earliest: int, latest: int) -> int:
        rng = self.rng
        day = (earliest + int(rng.random() * max(latest - earliest, 1))) // clock.DAY
        hour = int(rng.random() * 24)
        if hour < 7 and rng.random() < 0.5:
            hour += 10
        start = day * clock.DAY + hour * clock.HOUR + int(rng.random() * 60) * clock.MINUTE
        return max(start, earliest)

    # --- visit kinds --------------------------------------------------------------------------

    def add_office(
        self,
        kind: str,
        type_key: str,
        earliest: int,
        latest: int,
        reason_key: str | None = None,
        virtual_share: float = 0.0,
        minutes: tuple[int, int] = (20, 40),
    ) -> Visit | None:
        member, rng = self.member, self.rng
        times = self.office_time(earliest, latest, minutes)
        if times is None:
            return None
        behavioral = kind in ("behavioral", "substance")
        if behavioral:
            organization = member.region.behavioral
            specialties = {
                "substance": ("addiction", "psychiatry"),
                "behavioral": ("psychiatry", "psychologist", "social_worker"),
            }[kind]
            practitioner = organization.pick(rng, specialties[int(rng.random() * len(specialties))])
        else:
            organization, practitioner = member.clinic, member.pcp
        virtual = virtual_share > 0 and rng.random() < virtual_share
        visit = Visit(
            kind,
            "VR" if virtual else "AMB",
            times[0],
            times[1],
            organization,
            practitioner,
            codes.ENCOUNTER_TYPES["telemedicine" if virtual else type_key],
        )
        if reason_key is not None:
            visit.reason, visit.reason_key = self.diagnosis_of(reason_key), reason_key
        self.visits.append(visit)
        return visit

    def diagnosis_of(self, key: str) -> Diagnosis:
        condition = self.member.conditions.get(key)
        return condition.diagnosis if condition else codes.ACUTE[key]

    def reason_menu(self, at: int, inpatient: bool) -> list[tuple[float, str]]:
        member = self.member
        menu: list[tuple[float, str]] = []
        for key, condition in member.conditions.items():
            weights = CHRONIC_REASONS.get(key)
            if weights and condition.onset <= at:
                menu.append((weights[1] if inpatient else weights[0], key))
        for key, (adult, child, admitted) in ACUTE_REASONS.items():
            weight = admitted if inpatient else (child if member.age < 18 else adult)
            if key == "uti" and not member.female:
                weight *= 0.3
            if weight > 0:
                menu.append((weight, key))
        return menu

    def choose_reason(self, at: int, inpatient: bool) -> tuple[str, Diagnosis, bool]:
        key = pick(self.rng, tuple(self.reason_menu(at, inpatient)))
        if key in codes.ACUTE:
            return key, codes.ACUTE[key], True
        presentation = ACUTE_PRESENTATIONS.get(key)
        if presentation and not inpatient and self.rng.random() < presentation[1]:
            return presentation[0], codes.ACUTE[presentation[0]], True
        return key, self.member.conditions[key].diagnosis, False

    # --- emergency and inpatient care ---------------------------------------------------------

    def hospital(self) -> Organization:
        member = self.member
        hospitals = member.region.hospitals
        if len(hospitals) > 1 and self.rng.random() < 0.15:
            return hospitals[0] if member.hospital is hospitals[1] else hospitals[1]
        return member.hospital

    def add_emergency(self) -> None:
        rng, window = self.rng, self.window
        start = self.any_time(self.begin, window.end - clock.DAY)
        key, diagnosis, acute = self.choose_reason(start, inpatient=False)
        hours = min(max(4.0 * math.exp(0.5 * rng.gauss(0.0, 1.0)), 1.5), 20.0)
        end = start + int(hours * clock.HOUR)
        if end >= window.end:
            return
        hospital = self.hospital()
        self.visits.append(
            Visit(
                "emergency",
                "EMER",
                start,
                end,
                hospital,
                hospital.pick(rng, "emergency"),
                codes.ENCOUNTER_TYPES["emergency"],
                diagnosis,
                key,
                acute,
            )
        )
        behavioral = (
            key in prevalence.MENTAL
            or key in prevalence.SUBSTANCE
            or key in ("overdose", "suicidal_ideation")
        )
        if behavioral:
            substance = key in prevalence.SUBSTANCE or key == "overdose"
            self.follow_up(
                end,
                FOLLOW_UP_AFTER_BEHAVIORAL_EMERGENCY,
                "substance" if substance else "behavioral",
                key if key in self.member.conditions else None,
            )
        elif rng.random() < 0.15:
            self.add_office(
                "follow_up",
                "follow_up",
                end + clock.DAY,
                end + 14 * clock.DAY,
                key if key in self.member.conditions else None,
            )

    def add_admission(
        self, start: int, rates: Rates, reason: tuple[str, Diagnosis, bool] | None = None, depth: int = 0
    ) -> None:
        rng, member = self.rng, self.member
        key, diagnosis, acute = reason or self.choose_reason(start, inpatient=True)
        kind = CHRONIC_REASONS[key][2] if key in CHRONIC_REASONS else "medical"
        median, sigma = LENGTH_OF_STAY[kind]
        days = min(max(1, round(median * math.exp(sigma * rng.gauss(0.0, 1.0)))), 45)
        end = (start // clock.DAY + days) * clock.DAY + (10 + int(rng.random() * 7)) * clock.HOUR
        via_emergency = rng.random() < 0.75
        hospital = self.hospital()
        type_key = (
            kind if kind.endswith("detox") else ("emergency_admission" if via_emergency else "admission")
        )
        practitioner = hospital.pick(rng, "psychiatry" if kind == "psychiatric" else "hospitalist")
        disposition = "medical_older" if kind == "medical" and member.age >= 65 else kind
        visit = Visit(
            "inpatient",
            "IMP",
            start,
            end,
            hospital,
            practitioner,
            codes.ENCOUNTER_TYPES[type_key],
            diagnosis,
            key,
            acute,
            kind,
            "emd" if via_emergency else "gp",
            pick(rng, DISCHARGES[disposition]),
            in_progress=end >= self.window.end,
        )
        self.visits.append(visit)
        if visit.in_progress:
            visit.discharge = None
            return
        follow_kind = (
            "follow_up" if kind == "medical" else ("behavioral" if kind == "psychiatric" else "substance")
        )
        chronic_key = key if key in member.conditions else None
        self.follow_up(end, FOLLOW_UP_AFTER_DISCHARGE[kind], follow_kind, chronic_key)
        if kind == "medical" and member.age >= 50 and (member.has("heart_failure") or member.has("copd")):
            self.home_health(end)
        if depth < 3 and rng.random() < rates.readmission:
            gap = 1 + int(29 * rng.random() ** 1.5)
            again = end + gap * clock.DAY + int(rng.random() * 20) * clock.HOUR
            if again < self.window.end - clock.DAY:
                same = (key, diagnosis, acute) if rng.random() < 0.5 else None
                self.add_admission(again, rates, same, depth + 1)

    def follow_up(
        self, discharged: int, chances: tuple[float, float], kind: str, reason_key: str | None
    ) -> None:
        draw = self.rng.random()
        if draw < chances[0]:
            earliest, latest = discharged + clock.DAY, discharged + 5 * clock.DAY
        elif draw < chances[0] + chances[1]:
            earliest, latest = discharged + 8 * clock.DAY, discharged + 28 * clock.DAY
        else:
            return
        type_key = (
            "follow_up"
            if kind == "follow_up"
            else ("substance_counseling" if kind == "substance" else "psychiatric")
        )
        visit = self.add_office(kind, type_key, earliest, latest, reason_key, virtual_share=0.15)
        if visit is not None:
            visit.after_discharge = True

    def home_health(self, discharged: int) -> None:
        rng, member = self.rng, self.member
        if rng.random() >= 0.35:
            return
        nurse = member.clinic.pick(rng, "nurse_practitioner", "family")
        for _ in range(rng.randint(2, 5)):
            times = self.office_time(discharged + clock.DAY, discharged + 21 * clock.DAY, (45, 75))
            if times is not None:
                self.visits.append(
                    Visit(
                        "home",
                        "HH",
                        times[0],
                        times[1],
                        member.clinic,
                        nurse,
                        codes.ENCOUNTER_TYPES["home_visit"],
                    )
                )

    # --- ambulatory care ----------------------------------------------------------------------

    def add_wellness(self, rates: Rates) -> None:
        year = int(clock.YEAR_DAYS * clock.DAY)
        start = self.begin
        while start < self.window.end:
            end = min(start + year, self.window.end)
            fraction = (end - start) / year
            child = self.member.age_at(start) < 18
            young = self.member.age_at(start) < 2
            count = (
                poisson(self.rng, rates.wellness * fraction)
                if young
                else int(self.rng.random() < rates.wellness * fraction)
            )
            for _ in range(count):
                self.add_office(
                    "wellness", "well_child" if child else "adult_exam", start, end, minutes=(30, 45)
                )
            start = end

    def add_problems(self, rates: Rates, years: float) -> None:
        rng, member = self.rng, self.member
        for _ in range(poisson(rng, rates.problem * years)):
            times_from = self.begin
            chronic = [key for key in member.conditions if key in CHRONIC_REASONS or key == "obesity"]
            if chronic and rng.random() < 0.75:
                key = chronic[int(rng.random() * len(chronic))]
                times_from = max(times_from, member.conditions[key].onset)
                self.add_office("problem", "check_up", times_from, self.window.end, key, virtual_share=0.12)
            else:
                key = pick(
                    rng,
                    tuple(
                        (weights[0], name)
                        for name, weights in ACUTE_REASONS.items()
                        if weights[0] > 0 and name != "pneumonia"
                    ),
                )
                visit = self.add_office(
                    "problem", "problem", times_from, self.window.end, key, virtual_share=0.12
                )
                if visit is not None:
                    visit.acute = True

    def add_behavioral(self, rates: Rates) -> None:
        rng, member = self.rng, self.member
        keys = [key for key in member.conditions if key in prevalence.MENTAL or key in prevalence.SUBSTANCE]
        if not keys or rates.behavioral <= 0:
            return
        start = max(self.begin, min(member.conditions[key].onset for key in keys))
        years = (self.window.end - start) / (clock.YEAR_DAYS * clock.DAY)
        serious = member.count(prevalence.SERIOUS_MENTAL_ILLNESS) > 0
        for _ in range(poisson(rng, rates.behavioral * years)):
            key = keys[int(rng.random() * len(keys))]
            substance = key in prevalence.SUBSTANCE
            type_key = (
                "substance_counseling"
                if substance
                else ("psychiatric" if serious or rng.random() < 0.4 else "psychotherapy")
            )
            self.add_office(
                "substance" if substance else "behavioral",
                type_key,
                start,
                self.window.end,
                key,
                virtual_share=0.25,
                minutes=(30, 60),
            )

    def add_diagnosis_visits(self) -> None:
        for key, condition in self.member.conditions.items():
            if condition.onset >= self.begin:
                visit = self.add_office(
                    "problem", "problem", condition.onset, condition.onset + 21 * clock.DAY, key
                )
                if visit is not None:
                    visit.diagnoses = (key,)

    # --- the whole history --------------------------------------------------------------------

    def plan(self, rates: Rates) -> list[Visit]:
        rng, window = self.rng, self.window
        years = (window.end - self.begin) / (clock.YEAR_DAYS * clock.DAY)
        self.add_diagnosis_visits()
        self.add_wellness(rates)
        self.add_problems(rates, years)
        self.add_behavioral(rates)
        for _ in range(poisson(rng, rates.emergency * years)):
            self.add_emergency()
        for _ in range(poisson(rng, rates.inpatient * years)):
            self.add_admission(self.any_time(self.begin, window.end - clock.DAY), rates)
        if not self.visits:
            for _ in range(5):
                if (
                    self.add_office(
                        "wellness",
                        "well_child" if self.member.age < 18 else "adult_exam",
                        self.begin,
                        window.end,
                    )
                    is not None
                ):
                    break
        return self.finish()

    def finish(self) -> list[Visit]:
        ordered = sorted(self.visits, key=lambda visit: visit.start)
        kept: list[Visit] = []
        busy_until = -1
        for visit in ordered:
            if visit.start < busy_until:
                continue
            if visit.encounter_class == "IMP":
                busy_until = visit.end if not visit.in_progress else self.window.end
            kept.append(visit)
        for visit in kept:
            visit.id = new_id(self.rng)
        return kept


def plan_visits(rng: random.Random, member: Member, window: Window) -> list[Visit]:
    """The member's visits during the window, in order, each with its id."""
    planner = Planner(rng, member, window)
    return planner.plan(draw_rates(rng, member))
