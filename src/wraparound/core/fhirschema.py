"""Fast structural validation of FHIR R4 resources.

The rules are compiled, once per process, from the fhir.resources R4B models
(element names, types, cardinality, required elements, choice groups and the
specification's primitive regular expressions) into one pydantic-core
validator that runs in Rust.  fhir.resources itself validates about 2,000
resources a second on this hardware; this validator applies the same rules
(see tests/core/test_fhirschema.py, which checks both against each other on
real and mutated resources) at well over ten times that speed, so that import
throughput is bounded by the database and not by validation.

It is at least as strict as fhir.resources, and stricter where the FHIR JSON
format requires it: JSON nulls and empty arrays are rejected, booleans and
numbers must be JSON booleans and numbers, never strings.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import typing
from dataclasses import dataclass
from typing import Any

from fhir_core import types as fhir_types
from pydantic_core import CoreSchema, SchemaValidator, ValidationError, core_schema

__all__ = ["FhirValidationError", "ResourceIssue", "known_resource_types", "validate_resource"]


@dataclass(frozen=True)
class ResourceIssue:
    """One structural problem: where (a FHIR path such as ``period.start``) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class FhirValidationError(ValueError):
    def __init__(self, resource_type: str, issues: list[ResourceIssue]) -> None:
        self.resource_type = resource_type
        self.issues = issues
        super().__init__("; ".join(str(issue) for issue in issues))


# --- primitives -------------------------------------------------------------

_DATE_PARTS = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def _calendar_date(value: str) -> str:
    """The specification's regexes accept 2023-02-30; real dates do not."""
    if len(value) < 10 or value[8:10] < "29":  # the pattern has checked the rest: every month has a 28th
        return value
    match = _DATE_PARTS.match(value)
    if match:
        year, month, day = (int(part) for part in match.groups())
        try:
            dt.date(year, month, day)
        except ValueError:
            raise ValueError(f"{value!r} is not a calendar date") from None
    return value


def _anchored(pattern: str) -> str:
    pattern = pattern.removeprefix("^").removesuffix("$")
    return f"^(?:{pattern})$"


def _date_schema(pattern: re.Pattern[str], kind: str) -> CoreSchema:
    return core_schema.no_info_after_validator_function(
        _calendar_date,
        core_schema.str_schema(pattern=_anchored(pattern.pattern), strict=True),
        ref=None,
        metadata={"fhir_type": kind},
    )


_STRING = core_schema.str_schema(pattern=r"^[ \r\n\t\S]+$", strict=True, max_length=1024 * 1024)


def _primitive_schema(python_type: Any, metadata: list[Any]) -> CoreSchema:
    """A schema for one FHIR primitive, from its type annotation's metadata."""
    marker = next((m for m in metadata if isinstance(m, type) or hasattr(m, "__visit_name__")), None)
    visit = getattr(marker, "__visit_name__", None)
    if python_type is bool:
        return core_schema.bool_schema(strict=True)
    if visit in ("integer", "integer64"):
        return core_schema.int_schema(strict=True, ge=-(2**31), le=2**31 - 1)
    if visit == "unsignedInt":
        return core_schema.int_schema(strict=True, ge=0, le=2**31 - 1)
    if visit == "positiveInt":
        return core_schema.int_schema(strict=True, ge=1, le=2**31 - 1)
    if visit == "decimal":
        return core_schema.union_schema(
            [core_schema.int_schema(strict=True), core_schema.float_schema(strict=True, allow_inf_nan=False)]
        )
    if visit in ("date", "dateTime", "instant"):
        pattern: re.Pattern[str] = marker.pattern  # type: ignore[union-attr]
        return _date_schema(pattern, visit)
    if visit == "time":
        return core_schema.str_schema(pattern=_anchored(fhir_types.Time.pattern.pattern), strict=True)
    if visit == "code":
        return core_schema.str_schema(pattern=r"^[^\s]+(\s[^\s]+)*$", strict=True)
    if visit == "id":
        return core_schema.str_schema(pattern=r"^[A-Za-z0-9\-.]+$", min_length=1, max_length=64, strict=True)
    if visit in ("uri", "url", "canonical", "uuid", "oid", "markdown"):
        if visit == "uuid":
            return core_schema.str_schema(
                pattern=r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
                strict=True,
            )
        if visit == "oid":
            return core_schema.str_schema(pattern=_anchored(fhir_types.Oid.pattern.pattern), strict=True)
        if visit == "markdown":
            return core_schema.str_schema(min_length=1, strict=True)
        return core_schema.str_schema(pattern=r"^\S+$", strict=True)
    if visit == "base64Binary" or python_type is bytes:
        return core_schema.str_schema(pattern=r"^(\s*([0-9a-zA-Z+/=]){4}\s*)+$", strict=True)
    if visit == "xhtml":
        return core_schema.str_schema(min_length=1, strict=True)
    if python_type is str:
        return _STRING
    if getattr(python_type, "__name__", "") == "UUID":
        return core_schema.str_schema(
            pattern=r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", strict=True
        )
    raise TypeError(f"no FHIR primitive for {python_type!r} {metadata!r}")


# --- complex types, compiled from the fhir.resources models -------------------


def _model_class(resource_or_type_name: str) -> type[Any]:
    from fhir.resources.R4B import fhirtypes

    holder = getattr(fhirtypes, resource_or_type_name + "Type", None)
    if holder is None:
        raise KeyError(resource_or_type_name)
    return typing.cast(type[Any], holder.get_model_klass())


# The resource types of FHIR R4 (4.0.1), https://hl7.org/fhir/R4/resourcelist.html
R4_RESOURCE_TYPES = frozenset(
    [
        "Account",
        "ActivityDefinition",
        "AdverseEvent",
        "AllergyIntolerance",
        "Appointment",
        "AppointmentResponse",
        "AuditEvent",
        "Basic",
        "Binary",
        "BiologicallyDerivedProduct",
        "BodyStructure",
        "Bundle",
        "CapabilityStatement",
        "CarePlan",
        "CareTeam",
        "CatalogEntry",
        "ChargeItem",
        "ChargeItemDefinition",
        "Claim",
        "ClaimResponse",
        "ClinicalImpression",
        "CodeSystem",
        "Communication",
        "CommunicationRequest",
        "CompartmentDefinition",
        "Composition",
        "ConceptMap",
        "Condition",
        "Consent",
        "Contract",
        "Coverage",
        "CoverageEligibilityRequest",
        "CoverageEligibilityResponse",
        "DetectedIssue",
        "Device",
        "DeviceDefinition",
        "DeviceMetric",
        "DeviceRequest",
        "DeviceUseStatement",
        "DiagnosticReport",
        "DocumentManifest",
        "DocumentReference",
        "EffectEvidenceSynthesis",
        "Encounter",
        "Endpoint",
        "EnrollmentRequest",
        "EnrollmentResponse",
        "EpisodeOfCare",
        "EventDefinition",
        "Evidence",
        "EvidenceVariable",
        "ExampleScenario",
        "ExplanationOfBenefit",
        "FamilyMemberHistory",
        "Flag",
        "Goal",
        "GraphDefinition",
        "Group",
        "GuidanceResponse",
        "HealthcareService",
        "ImagingStudy",
        "Immunization",
        "ImmunizationEvaluation",
        "ImmunizationRecommendation",
        "ImplementationGuide",
        "InsurancePlan",
        "Invoice",
        "Library",
        "Linkage",
        "List",
        "Location",
        "Measure",
        "MeasureReport",
        "Media",
        "Medication",
        "MedicationAdministration",
        "MedicationDispense",
        "MedicationKnowledge",
        "MedicationRequest",
        "MedicationStatement",
        "MedicinalProduct",
        "MedicinalProductAuthorization",
        "MedicinalProductContraindication",
        "MedicinalProductIndication",
        "MedicinalProductIngredient",
        "MedicinalProductInteraction",
        "MedicinalProductManufactured",
        "MedicinalProductPackaged",
        "MedicinalProductPharmaceutical",
        "MedicinalProductUndesirableEffect",
        "MessageDefinition",
        "MessageHeader",
        "MolecularSequence",
        "NamingSystem",
        "NutritionOrder",
        "Observation",
        "ObservationDefinition",
        "OperationDefinition",
        "OperationOutcome",
        "Organization",
        "OrganizationAffiliation",
        "Parameters",
        "Patient",
        "PaymentNotice",
        "PaymentReconciliation",
        "Person",
        "PlanDefinition",
        "Practitioner",
        "PractitionerRole",
        "Procedure",
        "Provenance",
        "Questionnaire",
        "QuestionnaireResponse",
        "RelatedPerson",
        "RequestGroup",
        "ResearchDefinition",
        "ResearchElementDefinition",
        "ResearchStudy",
        "ResearchSubject",
        "RiskAssessment",
        "RiskEvidenceSynthesis",
        "Schedule",
        "SearchParameter",
        "ServiceRequest",
        "Slot",
        "Specimen",
        "SpecimenDefinition",
        "StructureDefinition",
        "StructureMap",
        "Subscription",
        "Substance",
        "SubstanceNucleicAcid",
        "SubstancePolymer",
        "SubstanceProtein",
        "SubstanceReferenceInformation",
        "SubstanceSourceMaterial",
        "SubstanceSpecification",
        "SupplyDelivery",
        "SupplyRequest",
        "Task",
        "TerminologyCapabilities",
        "TestReport",
        "TestScript",
        "ValueSet",
        "VerificationResult",
        "VisionPrescription",
    ]
)


def known_resource_types() -> frozenset[str]:
    return R4_RESOURCE_TYPES


def _check_contained(value: dict[str, Any]) -> dict[str, Any]:
    resource_type = value.get("resourceType")
    if not isinstance(resource_type, str) or resource_type not in known_resource_types():
        raise ValueError(f"contained resource has unknown resourceType {resource_type!r}")
    try:
        _model_class(resource_type)
    except KeyError:  # an R4 type the R4B models dropped (MedicinalProduct...): kept, not checked deeper
        return value
    validate_resource(value)
    return value


_CONTAINED = core_schema.no_info_after_validator_function(
    _check_contained, core_schema.dict_schema(strict=True)
)


class _Compiler:
    """Turns one model class and everything it references into core schemas."""

    def __init__(self) -> None:
        self.definitions: dict[str, CoreSchema] = {}

    def reference(self, klass: type[Any]) -> CoreSchema:
        ref = f"{klass.__module__}.{klass.__qualname__}"
        if ref not in self.definitions:
            self.definitions[ref] = core_schema.any_schema()  # placeholder against recursion
            self.definitions[ref] = self.model(klass, ref)
        return core_schema.definition_reference_schema(ref)

    def annotation(self, annotation: Any) -> CoreSchema:
        origin = typing.get_origin(annotation)
        arguments = typing.get_args(annotation)
        if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            present = [a for a in arguments if a is not type(None)]
            if len(present) == 1:
                return self.annotation(present[0])
            if set(present) == {str} or str in present:  # fhir_comments: str | list[str]
                return core_schema.any_schema()
            raise TypeError(f"unsupported union {annotation!r}")
        if origin in (list, typing.List):  # noqa: UP006
            (item,) = arguments
            if typing.get_origin(item) is typing.Union:  # list of primitive extensions may hold nulls
                return core_schema.list_schema(
                    core_schema.nullable_schema(self.annotation(item)), min_length=1, strict=True
                )
            return core_schema.list_schema(self.annotation(item), min_length=1, strict=True)
        if origin is typing.Annotated:
            python_type, *metadata = arguments
            return _primitive_schema(python_type, metadata)
        if annotation in (str, bool, int):
            return _primitive_schema(annotation, [])
        name = getattr(annotation, "__name__", "")
        if name == "ResourceType":
            return _CONTAINED
        if hasattr(annotation, "get_model_klass"):
            return self.reference(annotation.get_model_klass())
        raise TypeError(f"unsupported annotation {annotation!r}")

    def model(self, klass: type[Any], ref: str) -> CoreSchema:
        fields: dict[str, core_schema.TypedDictField] = {}
        choice_groups: dict[str, tuple[list[str], bool]] = {}
        required_values: list[tuple[str, str]] = []
        for name, field in klass.model_fields.items():
            alias = field.alias or name
            if alias == "fhir_comments":
                fields[alias] = core_schema.typed_dict_field(core_schema.any_schema(), required=False)
                continue
            extra = field.json_schema_extra or {}
            fields[alias] = core_schema.typed_dict_field(
                self.annotation(field.annotation), required=field.is_required()
            )
            if isinstance(extra, dict):
                group = extra.get("one_of_many")
                if group:
                    members, required = choice_groups.setdefault(str(group), ([], False))
                    members.append(alias)
                    choice_groups[str(group)] = (members, required or bool(extra.get("one_of_many_required")))
                if extra.get("element_required"):
                    required_values.append((alias, "_" + alias))
        resource_type = getattr(klass, "get_resource_type", lambda: None)()
        from fhir.resources.R4B.resource import Resource

        if isinstance(klass, type) and issubclass(klass, Resource):
            fields["resourceType"] = core_schema.typed_dict_field(
                core_schema.literal_schema([resource_type]), required=True
            )
        schema: CoreSchema = core_schema.typed_dict_schema(
            fields, extra_behavior="forbid", total=False, strict=True
        )
        if choice_groups or required_values:
            schema = core_schema.no_info_after_validator_function(
                _element_rules(choice_groups, required_values), schema
            )
        return typing.cast(CoreSchema, {**schema, "ref": ref})


def _element_rules(
    choice_groups: dict[str, tuple[list[str], bool]], required_values: list[tuple[str, str]]
) -> typing.Callable[[dict[str, Any]], dict[str, Any]]:
    groups = [
        (name, frozenset([*members, *("_" + m for m in members)]), required)
        for name, (members, required) in choice_groups.items()
    ]

    def check(value: dict[str, Any]) -> dict[str, Any]:
        for name, keys, required in groups:
            present = sorted({key.lstrip("_") for key in keys.intersection(value)})
            if len(present) > 1:
                raise ValueError(f"only one of {name}[x] may be present, found {', '.join(present)}")
            if required and not present:
                raise ValueError(f"{name}[x] is required")
        for element, extension in required_values:
            if element not in value and extension not in value:
                raise ValueError(f"'{element}' is required")
        return value

    return check


@functools.cache
def _validator(resource_type: str) -> SchemaValidator:
    compiler = _Compiler()
    root = compiler.reference(_model_class(resource_type))
    schema = core_schema.definitions_schema(root, list(compiler.definitions.values()))
    return SchemaValidator(schema)


def warm_up(resource_types: typing.Iterable[str]) -> None:
    """Compile the validators of these types now (a worker process forked later inherits them)."""
    for resource_type in resource_types:
        _validator(resource_type)


def _path(location: tuple[int | str, ...]) -> str:
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in ("function-after", "list", "nullable"):
            continue
        else:
            text += ("." if text else "") + str(part)
    return text


def validate_resource(resource: Any) -> None:
    """Raise FhirValidationError unless ``resource`` is a structurally valid FHIR R4 resource."""
    if not isinstance(resource, dict):
        raise FhirValidationError("", [ResourceIssue("", "a resource must be a JSON object")])
    resource_type = resource.get("resourceType")
    if not isinstance(resource_type, str) or resource_type not in known_resource_types():
        raise FhirValidationError(
            str(resource_type),
            [ResourceIssue("resourceType", f"unknown resourceType {resource_type!r}")],
        )
    try:
        _validator(resource_type).validate_python(resource)
    except ValidationError as error:
        issues = [
            ResourceIssue(_path(tuple(detail["loc"])), _message(detail))
            for detail in error.errors(include_url=False)
        ]
        raise FhirValidationError(resource_type, issues) from None


def _message(detail: Any) -> str:
    kind = detail["type"]
    if kind == "missing":
        return "required element is missing"
    if kind == "extra_forbidden":
        return "unknown element"
    if kind == "string_pattern_mismatch":
        return f"{detail['input']!r} does not have the expected format"
    return str(detail["msg"]).removeprefix("Value error, ")
