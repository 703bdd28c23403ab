"""Permission-checked reads of a person's record.

Every view, API and export reads patient data through these functions, so that
authorization (the security-core issue) has a single place to enforce.  Today
the rule is "signed in"; the functions already take the user for that reason.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from wraparound.registry.models import Patient

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def _require_signed_in(user: AbstractBaseUser | AnonymousUser) -> None:
    if not user.is_authenticated:
        raise PermissionDenied("Sign in to see patient records.")


def access_patient(user: AbstractBaseUser | AnonymousUser, patient_id: uuid.UUID | str) -> Patient:
    """The patient, if ``user`` may open their record; raises PermissionDenied or Http404."""
    _require_signed_in(user)
    try:
        return Patient.objects.get(pk=patient_id)
    except (Patient.DoesNotExist, ValueError, TypeError):
        raise Http404("No such patient.") from None


def access_patients(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Patient]:
    """The patients ``user`` may see in lists and searches, filtered in the query."""
    _require_signed_in(user)
    return Patient.objects.all()
