"""One member's complete record: the resources of their bundle, in the order Synthea writes them
(the patient, coverage, then each encounter followed by what was recorded during it).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from wraparound.synth import clinical, clock, codes, fhir, prevalence
from wraparound.synth.clock import format_datetime
from wraparound.synth.codes import Diagnosis, FhirJson
from wraparound.synth.history import Visit, plan_visits
from wraparound.synth.network import Network
from wraparound.synth.population import ChronicCondition, Member, Window, draw_member, member_rng, new_id

AMBULATORY_COST = {
    "wellness": 165.0,
    "problem": 115.0,
    "follow_up": 120.0,
    "behavioral": 135.0,
    "substance": 125.0,
    "home": 150.0,
}
EMERGENCY_COST = 820.0
INPATIENT_DAY_COST = 2_450.0


@dataclass(slots=True)
class Order:
    medication: str
    condition: str
    status: str = "completed"


class MemberRecord:
    """Builds the FHIR resources of one member."""

    def __init__(
        self, rng: random.Random, member: Member, visits: list[Visit], network: Network, window: Window
    ) -> None:
        self.rng = rng
        self.member = member
        self.visits = visits
        self.network = network
        self.window = window
        self.refs = fhir.Refs(network.relative, member.id)
        self.profile = clinical.draw_profile(rng, member)
        self.out: list[FhirJson] = []
        self.condition_ids: dict[str, str] = {}
        self.recorded_at: dict[str, list[FhirJson]] = {}
        self.orders: dict[int, list[Order]] = {}
        self.coverage_ref: FhirJson = {}
        self.last_a1c = -clock.DAY * 10_000
        self.flu_seasons: set[int] = set()
        self.tdap_given = False
        self.start_text = ""
        self.end_text = ""
        self.noted_text = ""

    def build(self) -> list[FhirJson]:
        member = self.member
        self.out.append(fhir.patient(member))
        coverage_id = new_id(self.rng)
        self.coverage_ref = self.refs.local("Coverage", coverage_id)
        self.out.append(fhir.coverage(coverage_id, member, self.refs, self.network.payer))
        if member.medicare_id:
            self.out.append(
                fhir.coverage(new_id(self.rng), member, self.refs, self.network.payer, medicare=True)
            )
        self.schedule_conditions()
        self.schedule_social_needs()
        self.schedule_orders()
        for position, visit in enumerate(self.visits):
            self.emit_visit(position, visit)
        if not self.visits:
            self.out.extend(self.recorded_at.get("", []))
        return self.out

    # --- problems --------------------------------------------------------------------------

    def recording_visit(self, key: str, condition: ChronicCondition) -> Visit | None:
        for visit in self.visits:
            if key in visit.diagnoses:
                return visit
        after = [visit for visit in self.visits if visit.start >= condition.onset]
        office = (visit for visit in after if visit.encounter_class in ("AMB", "VR"))
        return next(office, after[0] if after else None)

    def schedule_conditions(self) -> None:
        rng, window = self.rng, self.window
        for key, condition in self.member.conditions.items():
            visit = self.recording_visit(key, condition)
            if visit is None and condition.onset >= max(window.start, self.member.coverage_start):
                continue
            condition.recorded = visit.start if visit else max(condition.onset, self.member.coverage_start)
            abatement = None
            status = condition.final_status
            room = window.end - clock.DAY - (condition.recorded + 60 * clock.DAY)
            if status != "active" and room > 30 * clock.DAY:
                abatement = condition.recorded + 60 * clock.DAY + int(rng.random() * room)
            elif status != "active":
                status = "active"
            condition.abatement = abatement
            condition_id = new_id(rng)
            self.condition_ids[key] = condition_id
            resource = fhir.condition(
                condition_id,
                self.refs,
                condition.diagnosis,
                codes.PROBLEM_LIST_ITEM,
                visit.id if visit else None,
                format_datetime(condition.onset),
                format_datetime(condition.recorded),
                status,
                format_datetime(abatement) if abatement is not None else None,
            )
            self.recorded_at.setdefault(visit.id if visit else "", []).append(resource)

    def schedule_social_needs(self) -> None:
        member = self.member
        if not member.social:
            return
        primary = [visit for visit in self.visits if visit.primary_care and member.age_at(visit.start) >= 18]
        if not primary:
            return
        first = next((visit for visit in primary if visit.kind == "wellness"), primary[0])
        later = [visit for visit in primary if visit.start >= first.start + 90 * clock.DAY]
        recorded = format_datetime(first.start)
        for need in member.social:
            abatement = None
            if need.resolves and later:
                abatement = later[int(self.rng.random() * len(later))].start
            resource = fhir.condition(
                new_id(self.rng),
                self.refs,
                need.diagnosis,
                codes.SDOH_CATEGORY,
                first.id,
                recorded,
                recorded,
                "resolved" if abatement else "active",
                format_datetime(abatement) if abatement is not None else None,
            )
            self.recorded_at.setdefault(first.id, []).append(resource)

    def acute_condition(self, visit: Visit, diagnosis: Diagnosis) -> FhirJson:
        onset = visit.start - int(self.rng.random() * 72) * clock.HOUR
        abatement: int | None = visit.start + self.rng.randint(7, 28) * clock.DAY
        if abatement is not None and abatement >= self.window.end:
            abatement = None
        return fhir.condition(
            new_id(self.rng),
            self.refs,
            diagnosis,
            codes.ENCOUNTER_DIAGNOSIS,
            visit.id,
            format_datetime(onset),
            self.start_text,
            "resolved" if abatement else "active",
            format_datetime(abatement) if abatement is not None else None,
        )

    # --- medication orders -----------------------------------------------------------------

    def prescribing(self, visit: Visit, condition_key: str) -> bool:
        if visit.encounter_class not in ("AMB", "VR"):
            return False
        if condition_key in clinical.BEHAVIORAL_TREATMENT:
            return visit.behavioral or visit.primary_care or visit.kind == "problem"
        return visit.primary_care or visit.kind == "problem"

    def schedule_orders(self) -> None:
        for medication, key in clinical.treatments(self.rng, self.member):
            condition = self.member.conditions[key]
            if key not in self.condition_ids:
                continue
            last_order: Order | None = None
            last_time = -1
            for position, visit in enumerate(self.visits):
                if visit.start < condition.recorded or not self.prescribing(visit, key):
                    continue
                if condition.abatement is not None and visit.start >= condition.abatement:
                    break
                if last_order is not None and visit.start - last_time < clinical.RENEWAL_DAYS * clock.DAY:
                    continue
                last_order, last_time = Order(medication, key), visit.start
                self.orders.setdefault(position, []).append(last_order)
            if last_order is not None:
                last_order.status = "stopped" if condition.abatement is not None else "active"

    # --- one visit -------------------------------------------------------------------------

    def emit_visit(self, position: int, visit: Visit) -> None:
        encounter_ref = self.refs.local("Encounter", visit.id)
        self.start_text = format_datetime(visit.start)
        self.end_text = format_datetime(visit.end)
        self.noted_text = format_datetime(visit.start + 10 * clock.MINUTE)
        self.out.append(fhir.encounter(visit, self.refs, self.start_text, self.end_text))
        self.out.extend(self.recorded_at.get(visit.id, ()))
        if visit.acute and visit.reason is not None:
            self.out.append(self.acute_condition(visit, visit.reason))
        if position == 0:
            self.emit_allergies(visit)
        self.emit_vitals(visit, encounter_ref)
        self.emit_labs(visit, encounter_ref)
        self.emit_surveys(visit, encounter_ref)
        self.emit_procedures(visit, encounter_ref)
        self.emit_immunizations(visit, encounter_ref)
        for order in self.orders.get(position, ()):
            self.out.append(
                fhir.medication_request(
                    new_id(self.rng),
                    self.refs,
                    encounter_ref,
                    codes.MEDICATIONS[order.medication],
                    visit.practitioner.reference,
                    self.end_text,
                    order.status,
                    self.condition_ids.get(order.condition),
                )
            )
        if not visit.in_progress:
            self.emit_claim(visit, encounter_ref)

    def emit_allergies(self, visit: Visit) -> None:
        for allergen in self.member.allergies:
            severe = self.rng.random() < 0.15
            reaction = allergen.reactions[int(self.rng.random() * len(allergen.reactions))]
            if not severe and reaction is codes.REACTIONS["anaphylaxis"]:
                reaction = allergen.reactions[0]
            self.out.append(
                fhir.allergy(new_id(self.rng), self.refs, allergen, self.start_text, severe, reaction)
            )

    def emit_vitals(self, visit: Visit, encounter_ref: FhirJson) -> None:
        member, rng, profile = self.member, self.rng, self.profile
        if visit.encounter_class == "VR" or (
            visit.behavioral and not (member.count(prevalence.SERIOUS_MENTAL_ILLNESS) and rng.random() < 0.3)
        ):
            return
        at = visit.start + 5 * clock.MINUTE
        age = member.age_at(at)
        if age >= 3 and not visit.behavioral:
            systolic, diastolic = clinical.blood_pressure(
                rng, member, profile, at, visit.encounter_class == "EMER"
            )
            self.out.append(
                fhir.blood_pressure(
                    new_id(rng), self.refs, encounter_ref, self.noted_text, systolic, diastolic
                )
            )
        if visit.encounter_class in ("EMER", "IMP"):
            return
        weight, bmi = clinical.body(rng, member, profile, at)
        self.out.append(
            fhir.measurement(
                new_id(rng),
                self.refs,
                encounter_ref,
                "vital-signs",
                codes.BODY_WEIGHT,
                self.noted_text,
                weight,
                "kg",
            )
        )
        if age >= 2 and visit.encounter_class != "HH":
            self.out.append(
                fhir.measurement(
                    new_id(rng),
                    self.refs,
                    encounter_ref,
                    "vital-signs",
                    codes.BMI,
                    self.noted_text,
                    bmi,
                    "kg/m2",
                )
            )

    def emit_labs(self, visit: Visit, encounter_ref: FhirJson) -> None:
        member, rng = self.member, self.rng
        at = visit.start + 20 * clock.MINUTE
        diabetes = member.conditions.get("diabetes")
        diagnosed = diabetes is not None and diabetes.recorded and diabetes.recorded <= visit.start
        if diagnosed and diabetes is not None:
            due = visit.start - self.last_a1c >= 80 * clock.DAY
            wanted = (
                (visit.primary_care or visit.kind == "problem") and visit.encounter_class == "AMB" and due
            )
            if not (wanted or (visit.encounter_class == "IMP" and rng.random() < 0.5)):
                return
            value = clinical.hba1c(rng, member, self.profile, at, diabetes.recorded)
        elif (
            visit.kind == "wellness"
            and member.age_at(at) >= 18
            and (member.bmi or 0) >= 30
            and rng.random() < 0.25
        ):
            value = clinical.hba1c(rng, member, self.profile, at, None)
        else:
            return
        self.last_a1c = visit.start
        self.out.append(
            fhir.measurement(
                new_id(rng), self.refs, encounter_ref, "laboratory", codes.HBA1C, self.noted_text, value, "%"
            )
        )

    def days_since_recorded(self, key: str, at: int) -> float | None:
        condition = self.member.conditions.get(key)
        if (
            condition is None
            or key not in self.condition_ids
            or not condition.recorded
            or condition.recorded > at
        ):
            return None
        if condition.abatement is not None and at >= condition.abatement:
            return None
        return (at - condition.recorded) / clock.DAY

    def emit_surveys(self, visit: Visit, encounter_ref: FhirJson) -> None:
        member, rng, refs = self.member, self.rng, self.refs
        at = visit.start + 10 * clock.MINUTE
        age = member.age_at(at)
        if age < 12 or visit.encounter_class in ("EMER", "IMP", "HH"):
            return
        depressed = self.days_since_recorded("depression", at)
        anxious = self.days_since_recorded("anxiety", at)
        focused = visit.behavioral or visit.reason_key in ("depression", "anxiety")
        phq9: int | None = None
        if depressed is not None and (focused or visit.kind == "wellness") and rng.random() < 0.85:
            phq9 = clinical.phq9(rng, self.profile, depressed)
        if visit.kind == "wellness" and rng.random() < 0.8:
            phq2 = clinical.phq2_from_phq9(phq9) if phq9 is not None else clinical.screening_phq2(rng)
            self.out.append(
                fhir.measurement(
                    new_id(rng), refs, encounter_ref, "survey", codes.PHQ2, self.noted_text, phq2, "{score}"
                )
            )
            if phq9 is None and phq2 >= 3:
                phq9 = 5 + int(rng.random() * 10)
        if phq9 is not None:
            self.out.append(
                fhir.measurement(
                    new_id(rng), refs, encounter_ref, "survey", codes.PHQ9, self.noted_text, phq9, "{score}"
                )
            )
        if anxious is not None and focused and rng.random() < 0.8:
            gad7 = clinical.gad7(rng, self.profile, anxious)
            self.out.append(
                fhir.measurement(
                    new_id(rng), refs, encounter_ref, "survey", codes.GAD7, self.noted_text, gad7, "{score}"
                )
            )
        if visit.kind == "wellness" and age >= 13 and member.smoking and rng.random() < 0.9:
            self.out.append(
                fhir.coded_observation(
                    new_id(rng),
                    refs,
                    encounter_ref,
                    "social-history",
                    codes.SMOKING_STATUS,
                    self.noted_text,
                    codes.SMOKING_VALUES[member.smoking],
                )
            )

    def emit_procedures(self, visit: Visit, encounter_ref: FhirJson) -> None:
        member, rng = self.member, self.rng
        wanted: list[str] = []
        adult = member.age_at(visit.start) >= 18
        if visit.kind == "wellness" and adult:
            wanted += [
                key
                for key, chance in (
                    ("social_needs_assessment", 0.5),
                    ("depression_screening", 0.6),
                    ("substance_use_assessment", 0.3),
                )
                if rng.random() < chance
            ]
        if visit.after_discharge and rng.random() < 0.8:
            wanted.append("medication_reconciliation")
        if visit.primary_care and visit.encounter_class == "AMB":
            if member.has("diabetes", visit.start) and rng.random() < 0.2:
                wanted.append("retinal_exam")
            if (member.has("asthma", visit.start) or member.has("copd", visit.start)) and rng.random() < 0.1:
                wanted.append("spirometry")
        if visit.kind == "substance" and rng.random() < 0.7:
            wanted.append("substance_counseling")
        elif visit.kind == "behavioral" and visit.type is codes.ENCOUNTER_TYPES["psychotherapy"]:
            wanted.append("psychotherapy")
        if not wanted:
            return
        start = visit.start + 10 * clock.MINUTE
        end = start + 15 * clock.MINUTE if visit.in_progress else min(start + 15 * clock.MINUTE, visit.end)
        end_text = format_datetime(end)
        for key in wanted:
            self.out.append(
                fhir.procedure(
                    new_id(rng),
                    self.refs,
                    visit,
                    encounter_ref,
                    codes.PROCEDURES[key],
                    self.noted_text,
                    end_text,
                )
            )

    def emit_immunizations(self, visit: Visit, encounter_ref: FhirJson) -> None:
        if not (visit.primary_care and visit.encounter_class == "AMB"):
            return
        member, rng = self.member, self.rng
        at = visit.start + 25 * clock.MINUTE
        age = member.age_at(at)
        season = clinical.flu_season(at)
        if season is not None and season not in self.flu_seasons and age >= 0.5:
            self.flu_seasons.add(season)
            if rng.random() < self.profile.flu:
                vaccine = codes.VACCINES["influenza_child" if age < 18 else "influenza_adult"]
                self.out.append(
                    fhir.immunization(new_id(rng), self.refs, visit, encounter_ref, vaccine, self.noted_text)
                )
        if not self.tdap_given and visit.kind == "wellness" and 11 <= age < 13 and rng.random() < 0.7:
            self.tdap_given = True
            self.out.append(
                fhir.immunization(
                    new_id(rng), self.refs, visit, encounter_ref, codes.VACCINES["tdap"], self.noted_text
                )
            )

    def claim_diagnoses(self, visit: Visit) -> list[codes.Code]:
        member = self.member
        principal: codes.Code | None = visit.reason.claim_icd10 if visit.reason is not None else None
        if principal is None:
            if visit.kind == "wellness":
                principal = codes.CHILD_EXAM_ICD if member.age_at(visit.start) < 18 else codes.ADULT_EXAM_ICD
            else:
                principal = codes.FOLLOW_UP_ICD
        diagnoses = [principal]
        for key, condition in member.conditions.items():
            code = condition.diagnosis.icd10
            if len(diagnoses) >= 5:
                break
            if (
                code is not None
                and key in self.condition_ids
                and condition.recorded <= visit.start
                and (condition.abatement is None or condition.abatement > visit.start)
                and code not in diagnoses
            ):
                diagnoses.append(code)
        return diagnoses

    def emit_claim(self, visit: Visit, encounter_ref: FhirJson) -> None:
        rng = self.rng
        if visit.encounter_class == "IMP":
            days = max(1, (visit.end - visit.start) // clock.DAY)
            total = INPATIENT_DAY_COST * days * rng.uniform(0.8, 1.3)
        elif visit.encounter_class == "EMER":
            total = EMERGENCY_COST * rng.lognormvariate(0.0, 0.45)
        else:
            total = AMBULATORY_COST.get(visit.kind, 120.0) * (0.7 if visit.encounter_class == "VR" else 1.0)
            total *= rng.uniform(0.85, 1.2)
        self.out.append(
            fhir.claim(
                new_id(rng),
                self.refs,
                visit,
                encounter_ref,
                self.coverage_ref,
                self.claim_diagnoses(visit),
                round(total, 2),
                self.start_text,
                self.end_text,
            )
        )


def member_resources(seed: int, index: int, network: Network, window: Window) -> list[FhirJson]:
    """Every resource of member ``index`` (0-based) in the population drawn with ``seed``."""
    rng = member_rng(seed, index)
    member = draw_member(rng, seed, index, network, window)
    visits = plan_visits(rng, member, window)
    return MemberRecord(rng, member, visits, network, window).build()
