"""Who should take this patient: the agency's care managers, ranked for a supervisor to choose from.

Every active care manager of the enrollment's agency is ranked; nobody is left out, the
supervisor decides.  Each gets a score between 0 and 1, the weighted sum of three parts
(weights and scales in ``data/caseload.toml``, whose ``version`` names the rules):

* **load**: ``1 - weighted caseload / full_caseload`` (never below 0).  The weighted caseload
  is the sum, over the care manager's serving enrollments in the agency (assigned, outreach,
  enrolled), of the patient's risk-tier weight: a high-tier patient weighs 3, a low-tier one
  1, one without a risk profile yet 1 (``tier_weights``);
* **language**: 1 when the care manager works in the patient's preferred language (primary
  subtags compared: ``es-MX`` matches ``es``), 0 when not, ``unknown`` (0.5) when the patient's
  language or the care manager's languages are not recorded;
* **distance**: ``1 - miles / far_miles`` (never below 0), the great-circle (haversine)
  distance from the patient's home to where the care manager works from; ``unknown`` when
  either location is missing.

Best first: the highest score, then the lighter weighted caseload, the shorter distance, the
name.  Reasons are short phrases for the screen ("Speaks Spanish", "Lightest weighted
caseload (12.5)", "4.2 mi away").

Cost: two queries whatever the number of care managers and patients (the memberships, and
one aggregate of serving enrollments by care manager and tier), plus one for
``enrollment.patient`` unless it was loaded with the enrollment.
"""

from __future__ import annotations

import functools
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from django.contrib.auth.models import User
from django.db.models import Count
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from wraparound.accounts.models import Membership, Role
from wraparound.enrollment.models import Enrollment
from wraparound.registry.models import Patient
from wraparound.risk.models import Tier

CASELOAD_PATH: Final = Path(__file__).parent / "data" / "caseload.toml"
NO_TIER: Final = "none"
TIER_KEYS: Final = (*Tier.values, NO_TIER)
# The states in which a patient is on a care manager's caseload.
CARRIED: Final = (Enrollment.Status.ASSIGNED, Enrollment.Status.OUTREACH, Enrollment.Status.ENROLLED)
EARTH_RADIUS_MILES: Final = 3958.8


@dataclass(frozen=True, slots=True)
class CaseloadRules:
    version: str
    tier_weights: Mapping[str, float]
    load_weight: float
    language_weight: float
    distance_weight: float
    full_caseload: float
    far_miles: float
    unknown: float

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CaseloadRules:
        weights = {str(name): float(value) for name, value in data["tier_weights"].items()}
        missing = set(TIER_KEYS) - set(weights)
        unknown = set(weights) - set(TIER_KEYS)
        if missing or unknown:
            raise ValueError(f"caseload tier weights: missing {sorted(missing)}, unknown {sorted(unknown)}")
        score, scale = data["score_weights"], data["scale"]
        rules = cls(
            version=str(data["version"]),
            tier_weights=weights,
            load_weight=float(score["load"]),
            language_weight=float(score["language"]),
            distance_weight=float(score["distance"]),
            full_caseload=float(scale["full_caseload"]),
            far_miles=float(scale["far_miles"]),
            unknown=float(scale["unknown"]),
        )
        if rules.full_caseload <= 0 or rules.far_miles <= 0:
            raise ValueError("caseload scale: full_caseload and far_miles must be positive")
        return rules


@functools.cache
def load_rules(path: Path = CASELOAD_PATH) -> CaseloadRules:
    with path.open("rb") as handle:
        return CaseloadRules.from_dict(tomllib.load(handle))


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One care manager, as the supervisor sees them when assigning this patient."""

    rank: int
    care_manager: User
    membership: Membership
    weighted_caseload: float
    patient_count: int
    tier_counts: Mapping[str, int]  # every key of TIER_KEYS, high first
    language_match: bool | None
    distance_miles: float | None
    score: float
    reasons: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        return str(self.care_manager.get_full_name() or self.care_manager.get_username())

    @property
    def weighted_caseload_text(self) -> str:
        return format_load(self.weighted_caseload)

    @property
    def distance_text(self) -> str:
        return "" if self.distance_miles is None else f"{self.distance_miles:.1f}"

    @property
    def tier_breakdown(self) -> list[tuple[str, int]]:
        """The tiers this care manager carries, in words: [("High", 2), ("Low", 5)]."""
        return [(_tier_label(tier), count) for tier, count in self.tier_counts.items() if count]


def _tier_label(tier: str) -> str:
    return str(Tier(tier).label) if tier in Tier.values else _("No tier")


def primary_subtag(code: str) -> str:
    return code.strip().lower().split("-")[0]


def language_name(code: str, fallback: str = "") -> str:
    """The language's name in the reader's language ("Spanish", "español"), else ``fallback`` or the code."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return fallback or code


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(a))


def language_match(patient: Patient, membership: Membership) -> bool | None:
    wanted = primary_subtag(patient.language_code)
    spoken = membership.language_codes
    if not wanted or not spoken:
        return None
    return wanted in spoken


def distance_miles(patient: Patient, membership: Membership) -> float | None:
    points = (patient.latitude, patient.longitude, membership.base_latitude, membership.base_longitude)
    if any(value is None for value in points):
        return None
    assert patient.latitude is not None and patient.longitude is not None
    assert membership.base_latitude is not None and membership.base_longitude is not None
    return haversine_miles(
        patient.latitude, patient.longitude, membership.base_latitude, membership.base_longitude
    )


def _caseloads(organization_id: int, user_ids: list[int]) -> dict[int, dict[str, int]]:
    """Serving patients by care manager and tier, in one aggregate query."""
    counts: dict[int, dict[str, int]] = {user_id: dict.fromkeys(TIER_KEYS, 0) for user_id in user_ids}
    if not user_ids:
        return counts
    rows = (
        Enrollment.objects.filter(
            organization_id=organization_id, status__in=CARRIED, care_manager_id__in=user_ids
        )
        .values("care_manager_id", "patient__risk_profile__tier")
        .annotate(patients=Count("patient_id", distinct=True))
        .order_by()
    )
    for row in rows:
        tier = row["patient__risk_profile__tier"] or NO_TIER
        counts[row["care_manager_id"]][tier if tier in TIER_KEYS else NO_TIER] += row["patients"]
    return counts


@dataclass(slots=True)
class _Candidate:
    membership: Membership
    tier_counts: dict[str, int]
    weighted: float
    language: bool | None
    miles: float | None
    score: float


def _score(rules: CaseloadRules, weighted: float, language: bool | None, miles: float | None) -> float:
    load = max(0.0, 1 - weighted / rules.full_caseload)
    speaks = rules.unknown if language is None else float(language)
    near = rules.unknown if miles is None else max(0.0, 1 - miles / rules.far_miles)
    return rules.load_weight * load + rules.language_weight * speaks + rules.distance_weight * near


def format_load(weighted: float) -> str:
    """A weighted caseload for the screen: one decimal at most ("12.5", "12")."""
    text = f"{weighted:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _reasons(candidate: _Candidate, lightest: float, patient: Patient) -> tuple[str, ...]:
    reasons = []
    if candidate.language is not None:
        name = language_name(primary_subtag(patient.language_code), patient.language)
        template = _("Speaks %(language)s") if candidate.language else _("Does not list %(language)s")
        reasons.append(template % {"language": name})
    load = format_load(candidate.weighted)
    if candidate.weighted <= lightest:
        reasons.append(_("Lightest weighted caseload (%(load)s)") % {"load": load})
    else:
        reasons.append(_("Weighted caseload %(load)s") % {"load": load})
    if candidate.miles is not None:
        reasons.append(_("%(miles)s mi away") % {"miles": f"{candidate.miles:.1f}"})
    return tuple(reasons)


def suggest_care_managers(enrollment: Enrollment, rules: CaseloadRules | None = None) -> list[Suggestion]:
    """Every active care manager of the enrollment's agency, best first (see the module's docstring)."""
    rules = rules or load_rules()
    patient = enrollment.patient
    memberships = list(
        Membership.objects.filter(
            organization_id=enrollment.organization_id,
            role=Role.CARE_MANAGER,
            is_active=True,
            user__is_active=True,
        ).select_related("user")
    )
    caseloads = _caseloads(enrollment.organization_id, [m.user_id for m in memberships])
    candidates = []
    for membership in memberships:
        tiers = caseloads[membership.user_id]
        weighted = sum(rules.tier_weights[tier] * count for tier, count in tiers.items())
        language, miles = language_match(patient, membership), distance_miles(patient, membership)
        candidates.append(
            _Candidate(membership, tiers, weighted, language, miles, _score(rules, weighted, language, miles))
        )
    candidates.sort(
        key=lambda c: (
            -c.score,
            c.weighted,
            math.inf if c.miles is None else c.miles,
            c.membership.user.last_name,
            c.membership.user.first_name,
            c.membership.user.get_username(),
        )
    )
    lightest = min((c.weighted for c in candidates), default=0.0)
    return [
        Suggestion(
            rank=rank,
            care_manager=c.membership.user,
            membership=c.membership,
            weighted_caseload=c.weighted,
            patient_count=sum(c.tier_counts.values()),
            tier_counts=c.tier_counts,
            language_match=c.language,
            distance_miles=c.miles,
            score=round(c.score, 4),
            reasons=_reasons(c, lightest, patient),
        )
        for rank, c in enumerate(candidates, start=1)
    ]
