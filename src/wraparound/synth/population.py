"""Who the members are: demographics, identifiers, chronic conditions and social needs.

``draw_member`` turns one member's private random generator into a ``Member``; nothing here
depends on any other member, so members can be drawn in any order or in parallel.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass, field
from datetime import date

from wraparound.synth import admin_codes, clock, codes, prevalence
from wraparound.synth.codes import Allergen, Code, Diagnosis
from wraparound.synth.network import Network, Organization, Practitioner, Region, load_data

HISTORY_YEARS = 3
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MEDICAID_ID_SPACE = 26 * 26 * 100_000 * 26
MEDICAID_ID_MULTIPLIER = 1_000_003  # prime, coprime with the id space, so index -> id is one-to-one

# Enrollment ages, roughly the Medicaid age mix: (share, lowest age, highest age).
AGE_MIX = ((0.40, 0.0, 18.0), (0.11, 18.0, 27.0), (0.22, 27.0, 45.0), (0.20, 45.0, 65.0), (0.07, 65.0, 90.0))
FEMALE_SHARE = {"child": 0.49, "adult": 0.58, "older": 0.62}


@dataclass(frozen=True, slots=True)
class Culture:
    """A cultural and linguistic group: race and ethnicity, preferred languages, name pool."""

    key: str
    weight: float
    names: str
    ethnicity: Code
    races: tuple[str, ...]
    languages: tuple[tuple[float, str], ...]


CULTURES: tuple[Culture, ...] = (
    Culture("hispanic", 0.355, "hispanic", admin_codes.HISPANIC, (), ((0.83, "es"), (0.17, "en"))),
    Culture("white", 0.22, "white", admin_codes.NOT_HISPANIC, ("white",), ((1.0, "en"),)),
    Culture("russian", 0.02, "russian", admin_codes.NOT_HISPANIC, ("white",), ((0.6, "ru"), (0.4, "en"))),
    Culture("polish", 0.005, "polish", admin_codes.NOT_HISPANIC, ("white",), ((0.5, "pl"), (0.5, "en"))),
    Culture(
        "orthodox_jewish",
        0.015,
        "orthodox_jewish",
        admin_codes.NOT_HISPANIC,
        ("white",),
        ((0.45, "yi"), (0.55, "en")),
    ),
    Culture("arabic", 0.015, "arabic", admin_codes.NOT_HISPANIC, ("white",), ((0.6, "ar"), (0.4, "en"))),
    Culture("black", 0.20, "black", admin_codes.NOT_HISPANIC, ("black",), ((0.97, "en"), (0.03, "fr"))),
    Culture(
        "haitian",
        0.02,
        "haitian",
        admin_codes.NOT_HISPANIC,
        ("black",),
        ((0.6, "ht"), (0.1, "fr"), (0.3, "en")),
    ),
    Culture("chinese", 0.06, "chinese", admin_codes.NOT_HISPANIC, ("asian",), ((0.7, "zh"), (0.3, "en"))),
    Culture(
        "vietnamese", 0.01, "vietnamese", admin_codes.NOT_HISPANIC, ("asian",), ((0.65, "vi"), (0.35, "en"))
    ),
    Culture("korean", 0.01, "korean", admin_codes.NOT_HISPANIC, ("asian",), ((0.6, "ko"), (0.4, "en"))),
    Culture(
        "south_asian", 0.03, "south_asian", admin_codes.NOT_HISPANIC, ("asian",), ((0.5, "bn"), (0.5, "en"))
    ),
    Culture("filipino", 0.005, "filipino", admin_codes.NOT_HISPANIC, ("asian",), ((0.2, "tl"), (0.8, "en"))),
    Culture("native", 0.006, "native", admin_codes.NOT_HISPANIC, ("native",), ((1.0, "en"),)),
    Culture("pacific", 0.003, "pacific", admin_codes.NOT_HISPANIC, ("pacific",), ((1.0, "en"),)),
    Culture("multiracial", 0.026, "black", admin_codes.NOT_HISPANIC, ("black", "white"), ((1.0, "en"),)),
)
_CULTURE_CUMULATIVE = tuple(
    sum(culture.weight for culture in CULTURES[: index + 1]) / sum(culture.weight for culture in CULTURES)
    for index in range(len(CULTURES))
)
HISPANIC_RACES: tuple[tuple[float, str | None], ...] = (
    (0.55, "white"),
    (0.08, "black"),
    (0.02, "native"),
    (0.35, None),
)


@dataclass(frozen=True, slots=True)
class Window:
    """The history window: three years of local time up to (not including) the as-of date."""

    as_of: date
    start: int
    end: int

    @classmethod
    def ending(cls, as_of: date) -> Window:
        return cls(as_of, clock.start_of(clock.years_before(as_of, HISTORY_YEARS)), clock.start_of(as_of))


@dataclass(slots=True)
class ChronicCondition:
    key: str
    diagnosis: Diagnosis
    onset: int
    final_status: str
    recorded: int = 0
    abatement: int | None = None


@dataclass(slots=True)
class SocialNeed:
    key: str
    diagnosis: Diagnosis
    resolves: bool


@dataclass(slots=True)
class Member:
    index: int
    id: str
    sex: str
    birth: int
    age: float
    band: int
    culture: Culture
    race: tuple[str, ...]
    language: str
    interpreter: bool | None
    given: list[str]
    family: str
    phone: str
    address: dict[str, object]
    latitude: float
    longitude: float
    region: Region
    clinic: Organization
    pcp: Practitioner
    hospital: Organization
    factors: tuple[float, ...]
    medicaid_id: str
    mrn: str
    ssn: str | None
    coverage_start: int
    medicare_id: str | None
    conditions: dict[str, ChronicCondition] = field(default_factory=dict)
    social: list[SocialNeed] = field(default_factory=list)
    bmi: float | None = None
    bmi_z: float = 0.0
    height_z: float = 0.0
    smoking: str | None = None
    allergies: list[Allergen] = field(default_factory=list)

    @property
    def female(self) -> bool:
        return self.sex == "female"

    def age_at(self, local_seconds: int) -> float:
        return (local_seconds - self.birth) / (clock.DAY * clock.YEAR_DAYS)

    def has(self, key: str, at: int | None = None) -> bool:
        condition = self.conditions.get(key)
        if condition is None:
            return False
        return at is None or condition.onset <= at

    def count(self, keys: frozenset[str]) -> int:
        return sum(1 for key in self.conditions if key in keys)


def member_rng(seed: int, index: int) -> random.Random:
    """The private generator of member ``index``: independent of every other member."""
    digest = hashlib.blake2b(f"wraparound-synth:{seed}:{index}".encode(), digest_size=16).digest()
    return random.Random(int.from_bytes(digest, "big"))


_UUID_CLEAR = ~((0xF << 76) | (0x3 << 62)) & ((1 << 128) - 1)
_UUID_SET = (0x4 << 76) | (0x2 << 62)


def new_id(rng: random.Random) -> str:
    """A UUID (RFC 4122 layout) drawn from the member's generator: deterministic, never uuid4()."""
    text = f"{(rng.getrandbits(128) & _UUID_CLEAR) | _UUID_SET:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def medicaid_id(seed: int, index: int) -> str:
    """A New York-style Medicaid client id (two letters, five digits, a letter), unique per index."""
    offset = int.from_bytes(hashlib.blake2b(f"medicaid:{seed}".encode(), digest_size=8).digest(), "big")
    number = (index * MEDICAID_ID_MULTIPLIER + offset) % MEDICAID_ID_SPACE
    first, rest = divmod(number, 26 * 100_000 * 26)
    second, rest = divmod(rest, 100_000 * 26)
    digits, last = divmod(rest, 26)
    return f"{LETTERS[first]}{LETTERS[second]}{digits:05d}{LETTERS[last]}"


def medicare_id(rng: random.Random) -> str:
    """A Medicare Beneficiary Identifier in the CMS format (C A AN N A AN N A A N N)."""
    alpha = "ACDEFGHJKMNPQRTUVWXY"
    alnum = alpha + "0123456789"

    def pick(pool: str) -> str:
        return pool[int(rng.random() * len(pool))]

    return "".join(
        (
            str(rng.randint(1, 9)),
            pick(alpha),
            pick(alnum),
            str(rng.randint(0, 9)),
            pick(alpha),
            pick(alnum),
            str(rng.randint(0, 9)),
            pick(alpha),
            pick(alpha),
            str(rng.randint(0, 9)),
            str(rng.randint(0, 9)),
        )
    )


def weighted(rng: random.Random, options: tuple[tuple[float, str], ...]) -> str:
    point = rng.random() * sum(weight for weight, _ in options)
    for weight, value in options:
        point -= weight
        if point < 0:
            return value
    return options[-1][1]


def _draw_age(rng: random.Random) -> float:
    point = rng.random()
    for share, low, high in AGE_MIX:
        point -= share
        if point < 0:
            if low >= 65:
                skew: float = rng.random() ** 1.8
                return low + (high - low) * skew
            return low + (high - low) * rng.random()
    return 40.0


def _draw_culture(rng: random.Random) -> Culture:
    point = rng.random()
    for culture, bound in zip(CULTURES, _CULTURE_CUMULATIVE, strict=True):
        if point < bound:
            return culture
    return CULTURES[-1]


def _draw_race(rng: random.Random, culture: Culture) -> tuple[str, ...]:
    if culture.races:
        return culture.races
    point = rng.random()
    for share, race in HISPANIC_RACES:
        point -= share
        if point < 0:
            return (race,) if race else ()
    return ()


def _draw_region(rng: random.Random, network: Network) -> Region:
    point = rng.random()
    for region, bound in zip(network.regions, network.region_cumulative, strict=True):
        if point < bound:
            return region
    return network.regions[-1]


def _draw_language(rng: random.Random, culture: Culture) -> tuple[str, bool | None]:
    language = weighted(rng, culture.languages)
    if language != "en":
        return language, rng.random() < 0.85
    return language, (False if rng.random() < 0.03 else None)


def _draw_name(rng: random.Random, culture: Culture, sex: str) -> tuple[list[str], str]:
    pool = load_data("names.json")[culture.names]
    first_names = pool[sex]
    given = [first_names[int(rng.random() * len(first_names))]]
    if rng.random() < 0.4:
        middle = first_names[int(rng.random() * len(first_names))]
        if middle != given[0]:
            given.append(middle)
    family_names = pool["family"]
    return given, family_names[int(rng.random() * len(family_names))]


def _draw_address(
    rng: random.Random, network: Network, region: Region
) -> tuple[dict[str, object], float, float, str]:
    place = region.places[int(rng.random() * len(region.places))]
    street = network.streets[int(rng.random() * len(network.streets))]
    lines = [f"{rng.randint(1, 3999)} {street}"]
    if rng.random() < 0.5:
        lines.append(f"Apt {rng.randint(1, 24)}{LETTERS[int(rng.random() * 8)]}")
    address: dict[str, object] = {
        "use": "home",
        "line": lines,
        "city": place.city,
        "district": place.county,
        "state": "NY",
        "postalCode": place.zips[int(rng.random() * len(place.zips))],
        "country": "US",
    }
    latitude = round(place.latitude + rng.uniform(-0.03, 0.03), 6)
    longitude = round(place.longitude + rng.uniform(-0.03, 0.03), 6)
    area_code = place.area_codes[int(rng.random() * len(place.area_codes))]
    return address, latitude, longitude, f"{area_code}-555-{rng.randint(0, 9999):04d}"


def _liability(
    rng: random.Random, factors: tuple[float, ...], loadings: tuple[tuple[int, float], ...], noise: float
) -> float:
    total = noise * rng.gauss(0.0, 1.0)
    for factor, weight in loadings:
        total += weight * factors[factor]
    return total


def _draw_onset(rng: random.Random, member: Member, window: Window, minimum_age: float) -> int | None:
    span = min(member.age - minimum_age, 25.0)
    if span <= 0:
        return None
    years_before = rng.random() * span
    onset = window.end - int(years_before * clock.YEAR_DAYS * clock.DAY) - rng.randint(1, clock.DAY)
    return max(onset, member.birth + int(minimum_age * clock.YEAR_DAYS * clock.DAY))


def _draw_conditions(rng: random.Random, member: Member, window: Window) -> None:
    sex = 0 if member.female else 1
    for key, model in prevalence.CHRONIC_MODEL.items():
        limit = prevalence.CHRONIC_THRESHOLDS[key][member.band][sex]
        liability = _liability(rng, member.factors, model[4], prevalence.NOISE_WEIGHTS[key])
        if liability <= limit:
            continue
        onset = _draw_onset(rng, member, window, model[3])
        if onset is None:
            continue
        status = "active"
        inactive = prevalence.NOT_ACTIVE.get(key)
        if inactive and rng.random() < inactive[1]:
            status = inactive[0]
        variants = codes.CHRONIC_VARIANTS[key]
        chosen = variants[0][1]
        if len(variants) > 1:
            point = rng.random()
            for weight, variant in variants:
                point -= weight
                if point < 0:
                    chosen = variant
                    break
        member.conditions[key] = ChronicCondition(key, chosen, onset, status)


def _draw_social(rng: random.Random, member: Member) -> None:
    if member.age < 18:
        return
    sex = 0 if member.female else 1
    for key, (_, _, loadings) in prevalence.SOCIAL_MODEL.items():
        liability = _liability(rng, member.factors, loadings, prevalence.NOISE_WEIGHTS[f"social:{key}"])
        if liability > prevalence.SOCIAL_THRESHOLDS[key][sex]:
            resolves = rng.random() < prevalence.SOCIAL_RESOLVED_SHARE
            member.social.append(SocialNeed(key, codes.SOCIAL_FINDINGS[key], resolves))
    keys = {need.key for need in member.social}
    if "unemployed" in keys and "not_in_labor_force" in keys:
        member.social = [need for need in member.social if need.key != "unemployed"]


# Median height (cm) at ages 0..18 and median child BMI at ages 2..17 (rounded from the CDC 2000
# growth charts); adults use fixed medians.
HEIGHT_MEDIAN = {
    "female": (50, 75, 86, 95, 102, 108, 115, 121, 127, 132, 138, 144, 151, 157, 160, 161.5, 162, 162.5, 163),
    "male": (50, 76, 88, 96, 103, 109, 116, 122, 128, 133, 138, 143, 149, 156, 163, 169, 173, 175, 176),
}
ADULT_HEIGHT = {"female": (162.0, 6.5), "male": (175.5, 7.0)}
CHILD_BMI_MEDIAN = (
    16.4,
    15.9,
    15.6,
    15.4,
    15.4,
    15.6,
    15.9,
    16.3,
    16.8,
    17.3,
    17.9,
    18.5,
    19.1,
    19.7,
    20.2,
    20.7,
)
CHILD_OBESE_Z = 1.645  # the 95th percentile


def _interpolate(table: tuple[float, ...], position: float) -> float:
    low = min(int(position), len(table) - 1)
    high = min(low + 1, len(table) - 1)
    fraction = min(max(position - low, 0.0), 1.0)
    return table[low] + (table[high] - table[low]) * fraction


def child_bmi_z(member: Member) -> float:
    """The member's BMI z-score against the growth-chart median (Medicaid children run heavier)."""
    return 1.1 * member.bmi_z + 0.65


def height_cm(member: Member, age: float) -> float:
    if age >= 18:
        median, spread = ADULT_HEIGHT[member.sex]
        return median + spread * member.height_z
    return _interpolate(HEIGHT_MEDIAN[member.sex], age) * (1 + 0.045 * member.height_z)


def bmi_at(member: Member, age: float) -> float:
    if age < 18:
        median = _interpolate(CHILD_BMI_MEDIAN, max(age - 2, 0.0))
        return median * math.exp(0.155 * child_bmi_z(member))
    median = 26.0 if age < 25 else (29.0 if age < 65 else 28.0)
    return min(max(median * math.exp(0.21 * member.bmi_z), 16.0), 70.0)


def _weight_diagnosis(rng: random.Random, member: Member) -> Diagnosis | None:
    if member.age < 2:
        return None
    if member.age < 18:
        if child_bmi_z(member) >= CHILD_OBESE_Z and rng.random() < 0.45:
            return codes.OBESITY
        return None
    bmi = bmi_at(member, member.age)
    draw = rng.random()
    if bmi >= 40 and draw < 0.8:
        return codes.MORBID_OBESITY
    if 30 <= bmi < 40 and draw < 0.65:
        return codes.OBESITY
    if 25 <= bmi < 30 and draw < 0.2:
        return codes.OVERWEIGHT
    return None


def _draw_body(rng: random.Random, member: Member, window: Window) -> None:
    member.bmi_z = 0.7 * member.factors[prevalence.METABOLIC] + 0.714 * rng.gauss(0.0, 1.0)
    member.height_z = rng.gauss(0.0, 1.0)
    if member.age >= 2:
        member.bmi = round(bmi_at(member, member.age), 1)
    diagnosis = _weight_diagnosis(rng, member)
    if diagnosis is not None:
        onset = _draw_onset(rng, member, window, 2.0 if member.age < 18 else 18.0)
        if onset is not None:
            member.conditions["obesity"] = ChronicCondition("obesity", diagnosis, onset, "active")


def _draw_smoking(rng: random.Random, member: Member) -> None:
    if member.age < 13:
        return
    group = "adult" if member.age >= 18 else "teen"
    current, some_days, former = prevalence.SMOKING_THRESHOLDS[group]
    liability = _liability(
        rng, member.factors, prevalence.SMOKING_LOADINGS, prevalence.NOISE_WEIGHTS["smoking"]
    )
    if liability > current:
        member.smoking = "current"
    elif liability > some_days:
        member.smoking = "some_days"
    elif liability > former:
        member.smoking = "former"
    else:
        member.smoking = "never"


def _draw_allergies(rng: random.Random, member: Member) -> None:
    if rng.random() >= 0.14:
        return
    count = 2 if rng.random() < 0.2 else 1
    total = sum(weight for weight, _ in codes.ALLERGENS)
    for _ in range(count):
        point = rng.random() * total
        for weight, allergen in codes.ALLERGENS:
            point -= weight
            if point < 0:
                if allergen not in member.allergies:
                    member.allergies.append(allergen)
                break


def _coverage_start(rng: random.Random, birth: int, window: Window) -> int:
    if rng.random() < 0.65:
        start = window.start - int(rng.random() * 5 * clock.YEAR_DAYS) * clock.DAY
    else:
        start = window.start + int(rng.random() * ((window.end - window.start) // clock.DAY - 30)) * clock.DAY
    return max(start, birth)


def _primary_care(rng: random.Random, region: Region, age: float) -> tuple[Organization, Practitioner]:
    clinic = region.clinics[int(rng.random() * len(region.clinics))]
    if age < 18:
        return clinic, clinic.pick(rng, "pediatrics", "family")
    specialty = ("family", "family", "internal", "nurse_practitioner")[int(rng.random() * 4)]
    return clinic, clinic.pick(rng, specialty, "family")


def _hospital(rng: random.Random, region: Region) -> Organization:
    if len(region.hospitals) > 1 and rng.random() < 0.35:
        return region.hospitals[1]
    return region.hospitals[0]


def draw_member(rng: random.Random, seed: int, index: int, network: Network, window: Window) -> Member:
    """Member ``index`` of the population drawn with ``seed``."""
    member_id = new_id(rng)
    age = _draw_age(rng)
    group = "child" if age < 18 else ("older" if age >= 65 else "adult")
    sex = "female" if rng.random() < FEMALE_SHARE[group] else "male"
    birth = (window.end - int(age * clock.YEAR_DAYS * clock.DAY)) // clock.DAY * clock.DAY
    culture = _draw_culture(rng)
    race = _draw_race(rng, culture)
    language, interpreter = _draw_language(rng, culture)
    given, family = _draw_name(rng, culture, sex)
    region = _draw_region(rng, network)
    address, latitude, longitude, phone = _draw_address(rng, network, region)
    clinic, pcp = _primary_care(rng, region, age)
    factors = tuple(rng.gauss(0.0, 1.0) for _ in prevalence.FACTORS)
    exact_age = (window.end - birth) / (clock.DAY * clock.YEAR_DAYS)
    member = Member(
        index=index,
        id=member_id,
        sex=sex,
        birth=birth,
        age=exact_age,
        band=prevalence.age_band(exact_age),
        culture=culture,
        race=race,
        language=language,
        interpreter=interpreter,
        given=given,
        family=family,
        phone=phone,
        address=address,
        latitude=latitude,
        longitude=longitude,
        region=region,
        clinic=clinic,
        pcp=pcp,
        hospital=_hospital(rng, region),
        factors=factors,
        medicaid_id=medicaid_id(seed, index),
        mrn=f"{(index * 48271 + clinic.number * 7919) % 100_000_000:08d}",
        ssn=f"999-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}" if rng.random() < 0.1 else None,
        coverage_start=_coverage_start(rng, birth, window),
        medicare_id=None,
    )
    _draw_conditions(rng, member, window)
    _draw_social(rng, member)
    _draw_body(rng, member, window)
    _draw_smoking(rng, member)
    _draw_allergies(rng, member)
    medicare_chance = (
        0.9 if exact_age >= 65 else (0.12 if member.count(prevalence.SERIOUS_MENTAL_ILLNESS) else 0.0)
    )
    if medicare_chance and rng.random() < medicare_chance:
        member.medicare_id = medicare_id(rng)
    return member
