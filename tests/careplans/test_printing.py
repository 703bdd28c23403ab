"""The printable plan: a PDF in the patient's language, the patient's words as written, audited as a print."""

from __future__ import annotations

import re
import zlib

from django.test import Client
from django.urls import reverse

from tests.accounts.helpers import sign_in
from wraparound.audit.models import Action, AuditEvent
from wraparound.careplans import printing

from .conftest import World
from .helpers import goal, narrative, save, start_plan


def _text(pdf: bytes) -> str:
    """The page content of a PDF from fpdf2: its streams, inflated, as Latin-1 text.

    Each stream is cut by its /Length, not by searching for "endstream": compressed bytes may end
    in a carriage return, which a search would take for the line break before the keyword."""
    parts = []
    for found in re.finditer(rb"/Length (\d+)[^>]*>>\s*stream\r?\n", pdf):
        stream = pdf[found.end() : found.end() + int(found.group(1))]
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            parts.append(stream)
    return b"\n".join(parts).decode("latin-1")


def _pdf(world: World, query: dict[str, str] | None = None) -> bytes:
    client = Client()
    sign_in(client, world.users["alice"])
    response = client.get(
        reverse("careplans:care_plan_pdf", kwargs={"patient_id": world.patient.pk}), query or {}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response.content


def test_a_spanish_speaking_patient_gets_the_plan_in_spanish_with_her_words_as_written(world: World) -> None:
    plan = start_plan(world)
    save(world, "alice", plan, goal("Quiero bajar mi azúcar y caminar con mi nieta", target="A1c < 8%"))
    save(world, "alice", plan, narrative(strengths="Mi fe — y mi hija Ana ☺"))
    pdf = _pdf(world)
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    assert "Quiero bajar mi azúcar y caminar con mi nieta" in text
    assert "Plan de cuidado" in text and "Estado" in text and "Problemas" in text
    assert "Mi fe" in text  # the smiley outside the font's characters became "?"
    assert AuditEvent.objects.filter(
        action=Action.PRINT, resource_type="CarePlan", patient_id=world.patient.pk
    ).exists()


def test_the_language_can_be_chosen(world: World) -> None:
    plan = start_plan(world)
    save(world, "alice", plan, goal("Quiero bajar mi azúcar"))
    text = _text(_pdf(world, {"lang": "en"}))
    assert "Care plan" in text and "Status" in text and "Quiero bajar mi azúcar" in text


def test_language_for_the_patient() -> None:
    class Someone:
        language_code = "es-MX"

    assert printing.language_for(Someone(), None) == "es"  # type: ignore[arg-type]
    assert printing.language_for(Someone(), "en") == "en"  # type: ignore[arg-type]
    assert printing.language_for(Someone(), "fr") == "es"  # type: ignore[arg-type]
    Someone.language_code = ""
    assert printing.language_for(Someone(), None) == "en"  # type: ignore[arg-type]


def test_characters_outside_the_font_are_replaced_not_fatal() -> None:
    assert printing.printable("Ñandú “bien” — ☺ Łódź") == "Ñandú “bien” — ? ?ódz"
