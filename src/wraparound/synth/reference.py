"""The shared resources every member points at: Organizations, Locations, Practitioners and
PractitionerRoles, shaped like Synthea's ``hospitalInformation`` and ``practitionerInformation``
bundles (which is also how ``reference.json`` is written: one ``batch`` Bundle).
"""

from __future__ import annotations

from wraparound.synth import admin_codes
from wraparound.synth.codes import FhirJson
from wraparound.synth.network import Network, Organization, Practitioner


def _synthea_identifier(value: str) -> FhirJson:
    return {"system": admin_codes.SYNTHEA_SYSTEM, "value": value}


def organization(org: Organization) -> FhirJson:
    return {
        "resourceType": "Organization",
        "id": org.id,
        "identifier": [_synthea_identifier(org.id)],
        "active": True,
        "type": admin_codes.ORGANIZATION_TYPES["pay" if org.kind == "payer" else "prov"],
        "name": org.name,
        "telecom": [{"system": "phone", "value": org.phone}],
        "address": [org.address],
    }


def location(org: Organization, relative: bool) -> FhirJson:
    managing: FhirJson = (
        {"reference": f"Organization/{org.id}", "display": org.name}
        if relative
        else {"identifier": _synthea_identifier(org.id), "display": org.name}
    )
    return {
        "resourceType": "Location",
        "id": org.location_id,
        "identifier": [_synthea_identifier(org.location_id)],
        "status": "active",
        "name": org.name,
        "telecom": [{"system": "phone", "value": org.phone}],
        "address": org.address,
        "position": {"longitude": org.longitude, "latitude": org.latitude},
        "managingOrganization": managing,
    }


def _email(practitioner: Practitioner) -> str:
    local = f"{practitioner.given}.{practitioner.family}".lower().replace(" ", "").replace("'", "")
    return f"{local}.{practitioner.npi[-4:]}@example.org"


def practitioner(person: Practitioner) -> FhirJson:
    name: FhirJson = {"family": person.family, "given": [person.given]}
    if person.display.startswith("Dr. "):
        name["prefix"] = ["Dr."]
    return {
        "resourceType": "Practitioner",
        "id": person.id,
        "identifier": [{"system": admin_codes.NPI_SYSTEM, "value": person.npi}],
        "active": True,
        "name": [name],
        "telecom": [{"system": "email", "value": _email(person), "use": "work"}],
        "address": [person.organization.address],
        "gender": person.gender,
    }


def practitioner_role(person: Practitioner, relative: bool) -> FhirJson:
    org = person.organization
    if relative:
        who: FhirJson = {"reference": f"Practitioner/{person.id}", "display": person.display}
        where: FhirJson = {"reference": f"Organization/{org.id}", "display": org.name}
        place: FhirJson = {"reference": f"Location/{org.location_id}", "display": org.name}
    else:
        who = {
            "identifier": {"system": admin_codes.NPI_SYSTEM, "value": person.npi},
            "display": person.display,
        }
        where = {"identifier": _synthea_identifier(org.id), "display": org.name}
        place = {"identifier": _synthea_identifier(org.location_id), "display": org.name}
    specialty = admin_codes.SPECIALTIES[person.specialty]
    return {
        "resourceType": "PractitionerRole",
        "id": person.role_id,
        "active": True,
        "practitioner": who,
        "organization": where,
        "code": [specialty],
        "specialty": [specialty],
        "location": [place],
        "telecom": [{"system": "phone", "value": org.phone}],
    }


def reference_resources(network: Network) -> list[FhirJson]:
    """Every shared resource, grouped by type: organizations, locations, practitioners, roles."""
    resources = [organization(org) for org in network.organizations]
    resources.append(organization(network.payer))
    resources += [location(org, network.relative) for org in network.organizations]
    resources += [practitioner(person) for person in network.practitioners]
    resources += [practitioner_role(person, network.relative) for person in network.practitioners]
    return resources


def _conditional_create(resource: FhirJson) -> FhirJson:
    request: FhirJson = {"method": "POST", "url": resource["resourceType"]}
    identifiers = resource.get("identifier")
    if identifiers:
        request["ifNoneExist"] = f"identifier={identifiers[0]['system']}|{identifiers[0]['value']}"
    return {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource, "request": request}


def reference_bundle(network: Network) -> FhirJson:
    """``reference.json``: a batch Bundle that creates each shared resource unless it exists."""
    return {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [_conditional_create(resource) for resource in reference_resources(network)],
    }
