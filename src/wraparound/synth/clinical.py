"""What happens at a visit: vital signs, labs and questionnaires, with values that follow the
member's conditions (hypertensives run higher blood pressures, diabetics carry an HbA1c of
6.5-11%, depressed members have PHQ-9 trajectories, some improving), plus treatment plans.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from wraparound.synth import clock, prevalence
from wraparound.synth.population import Member, bmi_at, height_cm

# condition -> regimens, each (chance of being prescribed, options as (weight, medication key)).
TREATMENT: dict[str, tuple[tuple[float, tuple[tuple[float, str], ...]], ...]] = {
    "hypertension": ((0.8, ((0.55, "lisinopril"), (0.30, "amlodipine"), (0.15, "hydrochlorothiazide"))),),
    "diabetes": ((0.85, ((1.0, "metformin"),)), (0.25, ((1.0, "insulin_glargine"),))),
    "asthma": ((0.9, ((1.0, "albuterol"),)), (0.5, ((1.0, "fluticasone"),))),
    "copd": ((0.9, ((1.0, "albuterol"),)), (0.6, ((1.0, "fluticasone_salmeterol"),))),
    "heart_failure": ((0.8, ((1.0, "furosemide"),)), (0.6, ((1.0, "carvedilol"),))),
    "cad": ((0.75, ((1.0, "atorvastatin"),)),),
    "depression": ((0.6, ((0.45, "sertraline"), (0.30, "fluoxetine"), (0.25, "escitalopram"))),),
    "anxiety": ((0.4, ((0.7, "escitalopram"), (0.3, "sertraline"))),),
    "bipolar": ((0.75, ((0.5, "aripiprazole_5"), (0.5, "quetiapine"))),),
    "schizophrenia": ((0.8, ((0.6, "risperidone"), (0.4, "aripiprazole_10"))),),
    "alcohol_use": ((0.2, ((1.0, "naltrexone"),)), (0.08, ((1.0, "acamprosate"),))),
    "opioid_use": ((0.55, ((1.0, "buprenorphine_naloxone"),)), (0.5, ((1.0, "naloxone_nasal"),))),
    "hiv": ((0.85, ((1.0, "bictegravir_emtricitabine_tenofovir"),)),),
}
BEHAVIORAL_TREATMENT = prevalence.MENTAL | prevalence.SUBSTANCE
RENEWAL_DAYS = 330


@dataclass(slots=True)
class Profile:
    """One member's clinical parameters, drawn once."""

    systolic: float
    diastolic: float
    controlled: bool
    a1c: float
    a1c_trend: float
    phq_baseline: float
    phq_course: str
    phq_tau: float
    phq_floor: float
    gad_baseline: float
    gad_course: str
    gad_tau: float
    flu: float
    bmi_drift: float


def draw_profile(rng: random.Random, member: Member) -> Profile:
    age = member.age
    bmi = member.bmi or 22.0
    if age >= 18:
        systolic = 110 + 0.25 * (age - 30) + 0.5 * (bmi - 27) + rng.gauss(0, 6)
        diastolic = 70 + 0.1 * (age - 30) + 0.3 * (bmi - 27) + rng.gauss(0, 4)
    else:
        systolic = 90 + 1.2 * age + rng.gauss(0, 5)
        diastolic = 52 + 0.9 * age + rng.gauss(0, 4)
    chronic = member.count(prevalence.PHYSICAL)
    return Profile(
        systolic=systolic,
        diastolic=diastolic,
        controlled=rng.random() < 0.55,
        a1c=min(max(rng.gauss(8.0, 1.2), 6.6), 10.8),
        a1c_trend=-0.4 if rng.random() < 0.4 else 0.1,
        phq_baseline=min(max(rng.gauss(15, 4), 10), 26),
        phq_course=_course(rng),
        phq_tau=rng.uniform(90, 240),
        phq_floor=max(rng.gauss(4, 2), 0),
        gad_baseline=min(max(rng.gauss(13, 3), 10), 21),
        gad_course=_course(rng),
        gad_tau=rng.uniform(90, 240),
        flu=(0.5 if age < 18 else 0.3 + 0.1 * min(chronic, 3) + (0.15 if age >= 65 else 0.0)),
        bmi_drift=rng.gauss(0, 0.01),
    )


def _course(rng: random.Random) -> str:
    draw = rng.random()
    return "improving" if draw < 0.45 else ("persistent" if draw < 0.8 else "relapsing")


def blood_pressure(
    rng: random.Random, member: Member, profile: Profile, at: int, emergency: bool
) -> tuple[int, int]:
    systolic, diastolic = profile.systolic, profile.diastolic
    if member.has("hypertension", at):
        systolic += 10 if profile.controlled else 26
        diastolic += 5 if profile.controlled else 13
    if emergency:
        systolic += 8
        diastolic += 4
    return round(systolic + rng.gauss(0, 8)), round(diastolic + rng.gauss(0, 5))


def body(rng: random.Random, member: Member, profile: Profile, at: int) -> tuple[float, float]:
    """(weight in kg, BMI) at time ``at``."""
    age = member.age_at(at)
    years_before = member.age - age
    bmi = bmi_at(member, age) * (1 - profile.bmi_drift * years_before) * (1 + rng.gauss(0, 0.01))
    height = height_cm(member, age) / 100
    return round(bmi * height * height, 1), round(bmi, 1)


def hba1c(rng: random.Random, member: Member, profile: Profile, at: int, diagnosed_at: int | None) -> float:
    if diagnosed_at is None:
        return round(min(max(rng.gauss(5.5, 0.3), 4.6), 6.4), 1)
    years = max(at - diagnosed_at, 0) / (clock.YEAR_DAYS * clock.DAY)
    value = profile.a1c + profile.a1c_trend * years + rng.gauss(0, 0.3)
    return round(min(max(value, 6.5), 11.0), 1)


def _trajectory(course: str, baseline: float, tau: float, floor: float, days: float) -> float:
    improved = floor + (baseline - floor) * math.exp(-days / tau)
    if course == "improving":
        return improved
    if course == "relapsing":
        return improved if days < 2.5 * tau else baseline - 2
    return baseline


def phq9(rng: random.Random, profile: Profile, days_since_diagnosis: float) -> int:
    value = _trajectory(
        profile.phq_course, profile.phq_baseline, profile.phq_tau, profile.phq_floor, days_since_diagnosis
    )
    return min(max(round(value + rng.gauss(0, 2)), 0), 27)


def gad7(rng: random.Random, profile: Profile, days_since_diagnosis: float) -> int:
    value = _trajectory(profile.gad_course, profile.gad_baseline, profile.gad_tau, 3.0, days_since_diagnosis)
    return min(max(round(value + rng.gauss(0, 1.5)), 0), 21)


def screening_phq2(rng: random.Random) -> int:
    draw = rng.random()
    return 0 if draw < 0.7 else (1 if draw < 0.82 else (2 if draw < 0.92 else 3 + int(rng.random() * 3)))


def phq2_from_phq9(score: int) -> int:
    return min(6, round(score * 6 / 27 * 1.2))


def treatments(rng: random.Random, member: Member) -> list[tuple[str, str]]:
    """(medication key, condition key) the member is prescribed, without duplicates."""
    chosen: list[tuple[str, str]] = []
    seen: set[str] = set()
    for key in member.conditions:
        for chance, options in TREATMENT.get(key, ()):
            if rng.random() >= chance:
                continue
            point = rng.random() * sum(weight for weight, _ in options)
            medication = options[-1][1]
            for weight, option in options:
                point -= weight
                if point < 0:
                    medication = option
                    break
            if medication not in seen:
                seen.add(medication)
                chosen.append((medication, key))
    return chosen


def flu_season(at: int) -> int | None:
    """The influenza season (its starting year) that ``at`` falls in, September to March."""
    day = clock.to_date(at // clock.DAY)
    if day.month >= 9:
        return day.year
    if day.month <= 3:
        return day.year - 1
    return None
