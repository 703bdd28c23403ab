"""Decisions are stored once per patient, pack and version; the command decides all and exports."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.eligibility.conftest import AS_OF, condition, member
from wraparound.eligibility.actions import do_decide
from wraparound.eligibility.models import EligibilityDecision

pytestmark = pytest.mark.django_db


def test_recomputing_replaces_the_decision_for_the_same_pack_and_version() -> None:
    dana = member()
    condition(dana, "44054006")
    hypertension = condition(dana, "59621000", onset=2021)

    assert do_decide([dana.id], "federal-1945", as_of=AS_OF) == 1
    first = EligibilityDecision.objects.get(patient=dana)
    assert first.eligible and first.criteria["met"] == ["two_or_more_chronic"]
    assert first.evidence["criteria"]["two_or_more_chronic"][1]["id"] == str(hypertension.id)
    assert first.explanation == "Eligible: diabetes (since 2019) and hypertension (since 2021)"

    hypertension.status = "resolved"
    hypertension.save()
    do_decide([dana.id], "federal-1945", as_of=AS_OF)

    again = EligibilityDecision.objects.get(patient=dana)
    assert again.pk == first.pk
    assert not again.eligible
    assert again.explanation == "Not eligible: diabetes (since 2019)"


def test_each_pack_keeps_its_own_decision() -> None:
    dana = member()
    condition(dana, icd10="B20")

    do_decide(None, "federal-1945", as_of=AS_OF)
    do_decide(None, "new-york", as_of=AS_OF)

    decisions = dict(EligibilityDecision.objects.filter(patient=dana).values_list("pack", "eligible"))
    assert decisions == {"federal-1945": False, "new-york": True}


def test_the_command_decides_everyone_and_exports_the_eligible_with_reasons(tmp_path: Path) -> None:
    dana, sam = member("Rivera"), member("Okafor")
    condition(dana, "44054006", onset=dt.date.today().year - 1)
    condition(dana, "59621000")
    condition(sam, "59621000")
    target = tmp_path / "eligible.csv"

    call_command("eligibility", "--all", "--program", "federal-1945")
    call_command("eligibility", "--program", "federal-1945", "--export", str(target))

    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["patient_id"] for row in rows] == [str(dana.id)]
    assert rows[0]["criteria_met"] == "two_or_more_chronic"
    assert rows[0]["categories"] == "diabetes;hypertension"
    assert rows[0]["explanation"].startswith("Eligible: diabetes (since ")
    assert rows[0]["version"] == "2025.1"


def test_the_command_refuses_an_unknown_program_and_a_missing_action() -> None:
    with pytest.raises(CommandError, match="no eligibility pack named 'atlantis'"):
        call_command("eligibility", "--all", "--program", "atlantis")
    with pytest.raises(CommandError, match="--all"):
        call_command("eligibility")
