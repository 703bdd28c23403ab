"""The patient search behind the top-bar box and the patient list.

One box takes any mix of name words (any order), a birth date (MM/DD/YYYY or
YYYY-MM-DD) and identifiers (Medicaid ID, MRN or any other patient
identifier).  Every part narrows the result; all filtering happens in the
query, on the set of patients the user may see.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from wraparound.registry.models import Identifier, Patient

US_DATE_PATTERN = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$")
ISO_DATE_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
TOKEN_SEPARATORS = re.compile(r"[\s,;]+")
SELECTIVE_WORD_LENGTH = 3

LIST_COLUMNS = (
    "id",
    "source_id",
    "family_name",
    "given_names",
    "preferred_name",
    "birth_date",
    "gender",
    "medicaid_id",
    "city",
    "state",
    "language_code",
    "language",
    "interpreter_needed",
    "deceased_at",
)


@dataclass(frozen=True)
class PatientQuery:
    """What the user typed, split into the parts the search understands."""

    text: str
    name_words: tuple[str, ...] = ()
    birth_dates: tuple[dt.date, ...] = ()
    identifiers: tuple[str, ...] = ()
    error: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.name_words or self.birth_dates or self.identifiers or self.error)


def parse_date(token: str) -> dt.date | None:
    """A date typed as MM/DD/YYYY, M/D/YYYY, MM-DD-YYYY or YYYY-MM-DD; ValueError if impossible."""
    if match := US_DATE_PATTERN.match(token):
        month, day, year = (int(part) for part in match.groups())
        return dt.date(year, month, day)
    if match := ISO_DATE_PATTERN.match(token):
        year, month, day = (int(part) for part in match.groups())
        return dt.date(year, month, day)
    return None


def parse_patient_query(text: str) -> PatientQuery:
    text = text.strip()[:200]
    name_words: list[str] = []
    birth_dates: list[dt.date] = []
    identifiers: list[str] = []
    for token in TOKEN_SEPARATORS.split(text):
        if not token:
            continue
        try:
            day = parse_date(token)
        except ValueError:
            message = _("%(value)s is not a valid date. Use MM/DD/YYYY, for example 03/14/1970.")
            return PatientQuery(text=text, error=message % {"value": token})
        if day is not None:
            birth_dates.append(day)
        elif any(character.isdigit() for character in token):
            identifiers.append(token)
        else:
            name_words.append(token.lower())
    return PatientQuery(
        text=text,
        name_words=tuple(name_words),
        birth_dates=tuple(birth_dates),
        identifiers=tuple(identifiers),
    )


def name_word_filter(word: str) -> Q:
    """``word`` starts one of the words of the name (``search_name`` is lower-case 'given family')."""
    return Q(search_name__startswith=word) | Q(search_name__contains=f" {word}")


def identifier_filter(patients: QuerySet[Patient], token: str) -> Q | None:
    """Patients with ``token`` as Medicaid ID or as another identifier (MRN...), in any letter case.

    None when no patient has it.  Each lookup is checked on its own index first, so that the
    final query never has to OR two indexes together (which SQLite answers with a full scan).
    """
    variants = sorted({token, token.upper(), token.lower()})
    owners = Identifier.objects.filter(resource_type="Patient", value__in=variants).values("resource_id")
    parts = [Q(medicaid_id__in=variants)] if patients.filter(medicaid_id__in=variants).exists() else []
    if owners.exists():
        parts.append(Q(pk__in=owners))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else parts[0] | parts[1]


def name_filter(patients: QuerySet[Patient], words: list[str]) -> Q:
    """Every word starts a word of the name.

    Short words match many patients: the query walks the name index in list order and stops
    once the page is full.  Longer words match few: they are looked up through the
    ``search_name`` index alone (a subquery of matching names), which spares SQLite reading
    each patient's row with its FHIR JSON; a search over 100,000 patients stays in tens of
    milliseconds either way.
    """
    condition = Q()
    for word in words:
        condition &= name_word_filter(word)
    if min(len(word) for word in words) < SELECTIVE_WORD_LENGTH:
        return condition
    return Q(search_name__in=patients.filter(condition).values("search_name"))


def search_patients(patients: QuerySet[Patient], query: PatientQuery) -> QuerySet[Patient]:
    """``patients`` narrowed by every part of ``query``, in name order, with the list's columns only.

    A token with digits is an identifier when some patient has it, else part of a name
    (synthetic names carry digits).
    """
    if query.error:
        return patients.none()
    condition = Q()
    for day in query.birth_dates:
        condition &= Q(birth_date=day)
    name_words = list(query.name_words)
    for token in query.identifiers:
        by_identifier = identifier_filter(patients, token)
        if by_identifier is None:
            name_words.append(token.lower())
        else:
            condition &= by_identifier
    if name_words:
        condition &= name_filter(patients, name_words)
    return patients.filter(condition).only(*LIST_COLUMNS).order_by("family_name", "given_names", "id")
