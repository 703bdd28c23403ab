"""Prevalence tables and the liability model that makes chronic conditions co-occur.

Every member carries a few independent standard-normal latent factors (metabolic risk, general
frailty, mental-health burden, serious mental illness, substance use, smoking, social adversity).
A condition's *liability* mixes some of them with its own noise so that it stays standard normal;
the member has the condition when the liability exceeds the age- and sex-specific threshold
that yields the target prevalence.  Shared factors give realistic co-occurrence (diabetes with
obesity, hypertension and kidney disease; substance use with depression and serious mental
illness; COPD with smoking) while each marginal prevalence stays on target.

The targets approximate published figures for adult and child Medicaid enrollees (CMS Chronic
Conditions Warehouse Medicaid tables, MACPAC data books, KFF analyses of NSDUH and BRFSS by
coverage); they are rounded, chosen for realism and are not official estimates.
"""

from __future__ import annotations

import math
from statistics import NormalDist

FACTORS = (
    "metabolic",
    "frailty",
    "mental_health",
    "serious_mental_illness",
    "substance_use",
    "smoking",
    "social",
)
METABOLIC, FRAILTY, MENTAL_HEALTH, SMI, SUBSTANCE_USE, SMOKING, SOCIAL = range(7)

# Age bands for prevalence: 0-5, 6-11, 12-17, 18-34, 35-49, 50-64, 65+.
BAND_EDGES = (6, 12, 18, 35, 50, 65)
BANDS = ("0-5", "6-11", "12-17", "18-34", "35-49", "50-64", "65+")


def age_band(age_years: float) -> int:
    for band, edge in enumerate(BAND_EDGES):
        if age_years < edge:
            return band
    return len(BAND_EDGES)


# condition -> (prevalence by band, female multiplier, male multiplier, minimum onset age,
#               factor loadings as (factor index, weight))
CHRONIC_MODEL: dict[str, tuple[tuple[float, ...], float, float, float, tuple[tuple[int, float], ...]]] = {
    "hypertension": (
        (0, 0.004, 0.02, 0.09, 0.27, 0.48, 0.68),
        0.95,
        1.05,
        12,
        ((METABOLIC, 0.55), (FRAILTY, 0.30), (SOCIAL, 0.15)),
    ),
    "diabetes": (
        (0, 0.001, 0.005, 0.025, 0.10, 0.21, 0.28),
        1.0,
        1.0,
        10,
        ((METABOLIC, 0.60), (FRAILTY, 0.25)),
    ),
    "asthma": (
        (0.08, 0.13, 0.12, 0.12, 0.12, 0.12, 0.11),
        1.1,
        0.9,
        2,
        ((FRAILTY, 0.30), (METABOLIC, 0.20), (SMOKING, 0.20)),
    ),
    "copd": ((0, 0, 0, 0.01, 0.05, 0.13, 0.17), 1.0, 1.0, 35, ((SMOKING, 0.70), (FRAILTY, 0.35))),
    "heart_failure": (
        (0, 0, 0, 0.003, 0.015, 0.05, 0.12),
        0.85,
        1.2,
        35,
        ((METABOLIC, 0.40), (FRAILTY, 0.60), (SMOKING, 0.20)),
    ),
    "cad": (
        (0, 0, 0, 0.004, 0.03, 0.10, 0.18),
        0.8,
        1.3,
        35,
        ((METABOLIC, 0.45), (FRAILTY, 0.45), (SMOKING, 0.30)),
    ),
    "ckd": ((0, 0, 0.001, 0.005, 0.02, 0.06, 0.16), 1.0, 1.0, 25, ((METABOLIC, 0.50), (FRAILTY, 0.50))),
    "depression": (
        (0, 0.02, 0.09, 0.18, 0.22, 0.24, 0.18),
        1.25,
        0.72,
        10,
        ((MENTAL_HEALTH, 0.60), (SOCIAL, 0.25), (FRAILTY, 0.20), (SUBSTANCE_USE, 0.20)),
    ),
    "anxiety": (
        (0.005, 0.05, 0.10, 0.18, 0.18, 0.15, 0.10),
        1.25,
        0.72,
        5,
        ((MENTAL_HEALTH, 0.65), (SOCIAL, 0.20)),
    ),
    "bipolar": (
        (0, 0, 0.01, 0.035, 0.035, 0.03, 0.015),
        1.0,
        1.0,
        14,
        ((SMI, 0.60), (MENTAL_HEALTH, 0.35), (SUBSTANCE_USE, 0.20)),
    ),
    "schizophrenia": (
        (0, 0, 0.002, 0.015, 0.02, 0.02, 0.012),
        0.8,
        1.2,
        15,
        ((SMI, 0.80), (SUBSTANCE_USE, 0.20), (SOCIAL, 0.15)),
    ),
    "alcohol_use": (
        (0, 0, 0.01, 0.05, 0.06, 0.06, 0.03),
        0.55,
        1.5,
        14,
        ((SUBSTANCE_USE, 0.65), (MENTAL_HEALTH, 0.20), (SMOKING, 0.25)),
    ),
    "opioid_use": (
        (0, 0, 0.003, 0.04, 0.05, 0.04, 0.015),
        0.75,
        1.3,
        14,
        ((SUBSTANCE_USE, 0.75), (MENTAL_HEALTH, 0.20), (SOCIAL, 0.20)),
    ),
    "other_drug_use": (
        (0, 0, 0.03, 0.05, 0.04, 0.025, 0.008),
        0.75,
        1.3,
        13,
        ((SUBSTANCE_USE, 0.70), (SMI, 0.25), (SMOKING, 0.15)),
    ),
    "hiv": ((0, 0, 0.001, 0.005, 0.01, 0.013, 0.008), 0.55, 1.5, 14, ((SUBSTANCE_USE, 0.40), (SOCIAL, 0.35))),
}

PHYSICAL = frozenset({"hypertension", "diabetes", "asthma", "copd", "heart_failure", "cad", "ckd", "hiv"})
MENTAL = frozenset({"depression", "anxiety", "bipolar", "schizophrenia"})
SERIOUS_MENTAL_ILLNESS = frozenset({"bipolar", "schizophrenia"})
SUBSTANCE = frozenset({"alcohol_use", "opioid_use", "other_drug_use"})

# Share of diagnosed members whose condition is no longer active at the as-of date.
NOT_ACTIVE: dict[str, tuple[str, float]] = {
    "depression": ("resolved", 0.20),
    "anxiety": ("resolved", 0.15),
    "alcohol_use": ("remission", 0.15),
    "opioid_use": ("remission", 0.12),
    "other_drug_use": ("remission", 0.20),
}

# Social findings recorded for adults: (prevalence female, prevalence male, loadings).
SOCIAL_MODEL: dict[str, tuple[float, float, tuple[tuple[int, float], ...]]] = {
    "stress": (0.32, 0.26, ((SOCIAL, 0.45), (MENTAL_HEALTH, 0.40))),
    "not_in_labor_force": (0.24, 0.18, ((SOCIAL, 0.30), (FRAILTY, 0.35), (SMI, 0.30))),
    "unemployed": (0.10, 0.13, ((SOCIAL, 0.50), (SUBSTANCE_USE, 0.20))),
    "limited_social_contact": (0.12, 0.12, ((SOCIAL, 0.40), (MENTAL_HEALTH, 0.30), (SMI, 0.20))),
    "social_isolation": (0.07, 0.07, ((SOCIAL, 0.40), (MENTAL_HEALTH, 0.30), (SMI, 0.25))),
    "housing_unsatisfactory": (0.10, 0.10, ((SOCIAL, 0.65),)),
    "homeless": (0.03, 0.05, ((SOCIAL, 0.50), (SUBSTANCE_USE, 0.35), (SMI, 0.25))),
    "transportation": (0.13, 0.11, ((SOCIAL, 0.55), (FRAILTY, 0.20))),
    "intimate_partner_violence": (0.05, 0.015, ((SOCIAL, 0.45), (MENTAL_HEALTH, 0.25))),
    "criminal_record": (0.025, 0.08, ((SOCIAL, 0.40), (SUBSTANCE_USE, 0.50))),
}
SOCIAL_RESOLVED_SHARE = 0.35

# Smoking among members aged 13+: (current every day, some days, former) by adult / teen.
SMOKING_SHARES = {"adult": (0.22, 0.04, 0.16), "teen": (0.03, 0.02, 0.01)}
SMOKING_LOADINGS = ((SMOKING, 0.80), (SUBSTANCE_USE, 0.30), (MENTAL_HEALTH, 0.15))

_STANDARD = NormalDist()


def threshold(prevalence: float) -> float:
    """The standard-normal liability above which a share ``prevalence`` of members lies."""
    if prevalence <= 0:
        return math.inf
    return _STANDARD.inv_cdf(1 - min(prevalence, 0.95))


def noise_weight(loadings: tuple[tuple[int, float], ...]) -> float:
    """The weight of a liability's own noise, so that the liability stays standard normal."""
    return math.sqrt(1 - sum(weight * weight for _, weight in loadings))


# Precomputed: condition -> [band][sex 0 female / 1 male] thresholds.
CHRONIC_THRESHOLDS: dict[str, tuple[tuple[float, float], ...]] = {
    key: tuple((threshold(p * female), threshold(p * male)) for p in prevalence)
    for key, (prevalence, female, male, _, _) in CHRONIC_MODEL.items()
}
SOCIAL_THRESHOLDS: dict[str, tuple[float, float]] = {
    key: (threshold(female), threshold(male)) for key, (female, male, _) in SOCIAL_MODEL.items()
}
NOISE_WEIGHTS: dict[str, float] = {
    **{key: noise_weight(model[4]) for key, model in CHRONIC_MODEL.items()},
    **{f"social:{key}": noise_weight(model[2]) for key, model in SOCIAL_MODEL.items()},
    "smoking": noise_weight(SMOKING_LOADINGS),
}


def smoking_thresholds(group: str) -> tuple[float, float, float]:
    current, some_days, former = SMOKING_SHARES[group]
    return threshold(current), threshold(current + some_days), threshold(current + some_days + former)


SMOKING_THRESHOLDS = {group: smoking_thresholds(group) for group in SMOKING_SHARES}
