"""The shared provider network: hospitals, clinics, behavioral health centers and their staff.

The network is the same for every seed (it is drawn from a fixed generator), so populations
generated with different seeds share one ``reference.json`` and can be loaded side by side.
It is built twice over, once per reference style: member bundles point at it with Synthea's
conditional references (``Organization?identifier=...``), NDJSON files with relative ones.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from wraparound.synth import admin_codes
from wraparound.synth.codes import FhirJson

REFERENCE_SEED = 1945
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/wraparound/synth")

HOSPITAL_STAFF = (("emergency", 4), ("hospitalist", 3), ("psychiatry", 2))
CLINIC_STAFF = (("family", 3), ("pediatrics", 2), ("internal", 1), ("nurse_practitioner", 2))
BEHAVIORAL_STAFF = (("psychiatry", 2), ("psychologist", 2), ("social_worker", 2), ("addiction", 1))
PRACTITIONER_NAME_GROUPS = (
    ("white", 0.33),
    ("hispanic", 0.18),
    ("black", 0.15),
    ("chinese", 0.1),
    ("south_asian", 0.1),
    ("korean", 0.04),
    ("russian", 0.04),
    ("arabic", 0.04),
    ("filipino", 0.02),
)
TITLED_SPECIALTIES = frozenset(
    {
        "family",
        "pediatrics",
        "internal",
        "emergency",
        "hospitalist",
        "psychiatry",
        "addiction",
        "psychologist",
    }
)


@cache
def load_data(name: str) -> Any:
    """A JSON file from ``wraparound/synth/data``."""
    return json.loads(resources.files("wraparound.synth").joinpath("data", name).read_text(encoding="utf-8"))


def stable_id(kind: str, key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def npi_with_check_digit(base: str) -> str:
    """A 10-digit NPI: nine digits plus the Luhn check digit over the ``80840`` prefix."""
    total = 0
    for position, char in enumerate(reversed("80840" + base)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return base + str((10 - total % 10) % 10)


@dataclass(frozen=True, slots=True)
class Place:
    city: str
    county: str
    latitude: float
    longitude: float
    area_codes: tuple[str, ...]
    zips: tuple[str, ...]


@dataclass(slots=True)
class Practitioner:
    id: str
    role_id: str
    npi: str
    given: str
    family: str
    gender: str
    specialty: str
    organization: Organization
    reference: FhirJson = field(default_factory=dict)

    @property
    def display(self) -> str:
        prefix = "Dr. " if self.specialty in TITLED_SPECIALTIES else ""
        return f"{prefix}{self.given} {self.family}"


@dataclass(slots=True)
class Organization:
    id: str
    location_id: str
    name: str
    kind: str
    number: int
    address: FhirJson
    phone: str
    latitude: float
    longitude: float
    staff: dict[str, list[Practitioner]] = field(default_factory=dict)
    reference: FhirJson = field(default_factory=dict)
    location_reference: FhirJson = field(default_factory=dict)

    def pick(self, rng: random.Random, *specialties: str) -> Practitioner:
        """One of the organization's practitioners with the first of ``specialties`` it has."""
        for specialty in specialties:
            people = self.staff.get(specialty)
            if people:
                return people[int(rng.random() * len(people))]
        raise LookupError(f"{self.name} has none of {specialties}")


@dataclass(slots=True)
class Region:
    index: int
    name: str
    weight: float
    places: tuple[Place, ...]
    hospitals: list[Organization]
    clinics: list[Organization]
    behavioral: Organization


@dataclass(slots=True)
class Network:
    regions: list[Region]
    organizations: list[Organization]
    practitioners: list[Practitioner]
    payer: Organization
    relative: bool
    region_cumulative: list[float]
    streets: tuple[str, ...]


def _street_address(rng: random.Random, streets: tuple[str, ...]) -> str:
    return f"{rng.randint(1, 2999)} {streets[int(rng.random() * len(streets))]}"


def _jitter(rng: random.Random, center: float, spread: float) -> float:
    return round(center + rng.uniform(-spread, spread), 6)


def _organization(
    rng: random.Random, name: str, kind: str, number: int, place: Place, streets: tuple[str, ...]
) -> Organization:
    zip_code = place.zips[int(rng.random() * len(place.zips))]
    address = {
        "line": [_street_address(rng, streets)],
        "city": place.city,
        "district": place.county,
        "state": "NY",
        "postalCode": zip_code,
        "country": "US",
    }
    phone = f"{place.area_codes[0]}-555-{rng.randint(1000, 9999)}"
    return Organization(
        id=stable_id("organization", name),
        location_id=stable_id("location", name),
        name=name,
        kind=kind,
        number=number,
        address=address,
        phone=phone,
        latitude=_jitter(rng, place.latitude, 0.02),
        longitude=_jitter(rng, place.longitude, 0.02),
    )


def _staff(
    rng: random.Random,
    organization: Organization,
    roster: tuple[tuple[str, int], ...],
    names: dict[str, Any],
    serial: list[int],
) -> list[Practitioner]:
    groups = [group for group, _ in PRACTITIONER_NAME_GROUPS]
    weights = [weight for _, weight in PRACTITIONER_NAME_GROUPS]
    hired: list[Practitioner] = []
    for specialty, count in roster:
        for _ in range(count):
            serial[0] += 1
            npi = npi_with_check_digit(f"999{serial[0]:06d}")
            group = names[rng.choices(groups, weights)[0]]
            gender = "female" if rng.random() < 0.55 else "male"
            practitioner = Practitioner(
                id=stable_id("practitioner", npi),
                role_id=stable_id("practitioner-role", npi),
                npi=npi,
                given=rng.choice(group[gender]),
                family=rng.choice(group["family"]),
                gender=gender,
                specialty=specialty,
                organization=organization,
            )
            organization.staff.setdefault(specialty, []).append(practitioner)
            hired.append(practitioner)
    return hired


def _places(region: dict[str, Any]) -> tuple[Place, ...]:
    return tuple(
        Place(
            city["city"],
            city["county"],
            city["lat"],
            city["lon"],
            tuple(city["area_codes"]),
            tuple(city["zips"]),
        )
        for city in region["cities"]
    )


def _payer(streets: tuple[str, ...]) -> Organization:
    rng = random.Random(REFERENCE_SEED + 1)
    albany = Place("Albany", "Albany", 42.6526, -73.7562, ("518",), ("12237",))
    return _organization(rng, "New York State Medicaid Program", "payer", 0, albany, streets)


def build_network(*, relative: bool) -> Network:
    """The provider network, with references in the member-bundle or the NDJSON style."""
    rng = random.Random(REFERENCE_SEED)
    places_data = load_data("places.json")
    names = load_data("names.json")
    streets = tuple(places_data["streets"])
    regions: list[Region] = []
    organizations: list[Organization] = []
    practitioners: list[Practitioner] = []
    serial = [0]
    for index, region in enumerate(places_data["regions"]):
        places = _places(region)
        made: dict[str, list[Organization]] = {"hospital": [], "clinic": [], "behavioral": []}
        plan = [(name, "hospital") for name in region["hospitals"]]
        plan += [(name, "clinic") for name in region["clinics"]]
        plan.append((region["behavioral"], "behavioral"))
        for name, kind in plan:
            organization = _organization(rng, name, kind, len(organizations) + 1, rng.choice(places), streets)
            roster = {"hospital": HOSPITAL_STAFF, "clinic": CLINIC_STAFF, "behavioral": BEHAVIORAL_STAFF}[
                kind
            ]
            practitioners += _staff(rng, organization, roster, names, serial)
            organizations.append(organization)
            made[kind].append(organization)
        regions.append(
            Region(
                index,
                region["name"],
                region["weight"],
                places,
                made["hospital"],
                made["clinic"],
                made["behavioral"][0],
            )
        )
    payer = _payer(streets)
    network = Network(regions, organizations, practitioners, payer, relative, _cumulative(regions), streets)
    _attach_references(network)
    return network


def _cumulative(regions: list[Region]) -> list[float]:
    total = sum(region.weight for region in regions)
    running = 0.0
    cumulative = []
    for region in regions:
        running += region.weight / total
        cumulative.append(running)
    cumulative[-1] = 1.0
    return cumulative


def _attach_references(network: Network) -> None:
    for organization in [*network.organizations, network.payer]:
        if network.relative:
            organization.reference = {
                "reference": f"Organization/{organization.id}",
                "display": organization.name,
            }
            organization.location_reference = {
                "reference": f"Location/{organization.location_id}",
                "display": organization.name,
            }
        else:
            organization.reference = {
                "reference": f"Organization?identifier={admin_codes.SYNTHEA_SYSTEM}|{organization.id}",
                "display": organization.name,
            }
            organization.location_reference = {
                "reference": f"Location?identifier={admin_codes.SYNTHEA_SYSTEM}|{organization.location_id}",
                "display": organization.name,
            }
    for practitioner in network.practitioners:
        target = (
            f"Practitioner/{practitioner.id}"
            if network.relative
            else f"Practitioner?identifier={admin_codes.NPI_SYSTEM}|{practitioner.npi}"
        )
        practitioner.reference = {"reference": target, "display": practitioner.display}
