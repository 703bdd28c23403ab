"""Recording and revoking consent: audited, effective at once (access is decided per request)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from wraparound.audit.models import Action
from wraparound.consent.evidence import evidence_problem
from wraparound.consent.models import Category, Consent, Part2Program
from wraparound.core.models import CareOrganization
from wraparound.registry.access import Viewer, access_patient


def do_record_consent(
    viewer: Viewer,
    *,
    patient_id: object,
    scope: str,
    categories: Iterable[str],
    evidence: str,
    grantee_organization: CareOrganization | None = None,
    grantee_role: str = "",
    grantee_user_id: int | None = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    document_name: str = "",
    document_sha256: str = "",
    attestation: str = "",
) -> Consent:
    """Record a consent the patient gave; the recorder must be able to open the record."""
    chosen = [str(Category(c)) for c in categories]
    problem = evidence_problem(evidence, document_sha256, attestation)
    if problem:
        raise ValueError(problem)
    if grantee_organization is None and grantee_user_id is None:
        raise ValueError("A consent needs a grantee: an organization or a person.")
    # Authorize before the transaction: a refusal's audit row must not roll back with it.
    access = access_patient(viewer, str(patient_id), action=Action.CONSENT_CHANGE, resource_type="Consent")
    assert viewer.user_id is not None
    consent = Consent.objects.create(
        patient=access.patient,
        scope=scope,
        grantee_organization=grantee_organization,
        grantee_role=grantee_role,
        grantee_user_id=grantee_user_id,
        categories=chosen,
        period_start=period_start or timezone.localdate(),
        period_end=period_end,
        evidence=evidence,
        document_name=document_name,
        document_sha256=document_sha256,
        attestation=attestation,
        recorded_by_id=viewer.user_id,
        recorded_at=timezone.now(),
    )
    return consent


def do_revoke_consent(viewer: Viewer, consent: Consent) -> Consent:
    """Revoke at once: the next request of anyone it covered no longer sees what it shared."""
    access_patient(
        viewer,
        str(consent.patient_id),
        action=Action.CONSENT_CHANGE,
        resource_type="Consent",
        resource_id=str(consent.pk),
        detail={"revoked": True},
    )
    with transaction.atomic():
        revoked = Consent.objects.filter(pk=consent.pk, status=Consent.Status.ACTIVE).update(
            status=Consent.Status.REVOKED, revoked_by_id=viewer.user_id, revoked_at=timezone.now()
        )
    if not revoked:
        raise ValueError("This consent is no longer in force.")
    consent.refresh_from_db()
    return consent


def do_designate_part2_program(
    *, source: str, name: str, organization: CareOrganization | None = None
) -> Part2Program:
    """Mark an import source as a 42 CFR Part 2 program: its SUD records are segmented from now on."""
    program, _ = Part2Program.objects.update_or_create(
        source=source, defaults={"name": name, "organization": organization, "designated_at": timezone.now()}
    )
    return program
