"""The care plan on paper, as a PDF in the patient's language (English or Spanish).

Labels come from the translation catalog under ``translation.override``; what
the patient and the team wrote is printed as written.  The PDF uses the
standard Helvetica font (no font files to install), whose Windows-1252
encoding covers English and Spanish; any other character is printed as its
closest unaccented letter, or "?".
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF  # type: ignore[import-untyped]

from wraparound.careplans.snapshot import Snapshot, readable
from wraparound.registry.models import Patient

LANGUAGES = ("en", "es")
ENCODING = "windows-1252"
MARGIN = 15
LINE = 5.5


def language_for(patient: Patient, chosen: str | None = None) -> str:
    """The chosen language when it is one we print, else the patient's preferred one (else English)."""
    if chosen in LANGUAGES:
        return str(chosen)
    return "es" if (patient.language_code or "").lower().startswith("es") else "en"


def printable(text: object) -> str:
    """``text`` in the PDF font's encoding: accents kept, other letters simplified, the rest "?"."""
    out: list[str] = []
    for char in str(text):
        try:
            char.encode(ENCODING)
        except UnicodeEncodeError:
            plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
            out.append(plain or "?")
        else:
            out.append(char)
    return "".join(out)


def _date(value: str | dt.date | None, language: str) -> str:
    if not value:
        return "—"
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    if language == "es":
        return formats.date_format(day, r"j \d\e F \d\e Y")
    return day.strftime("%m/%d/%Y")


@dataclass(frozen=True)
class PrintedPlan:
    """What the printout needs beyond the snapshot."""

    patient: Patient
    version: int
    snapshot: Snapshot
    lead_care_manager: str
    organization: str


class _Document:
    def __init__(self, language: str, compress: bool) -> None:
        self.language = language
        self.pdf = FPDF(format="Letter")
        self.pdf.core_fonts_encoding = ENCODING
        self.pdf.set_compression(compress)
        self.pdf.set_margins(MARGIN, MARGIN, MARGIN)
        self.pdf.set_auto_page_break(auto=True, margin=MARGIN)
        self.pdf.add_page()

    def text(self, value: object, *, size: float = 10.5, style: str = "", gap: float = 0) -> None:
        self.pdf.set_font("Helvetica", style, size)
        self.pdf.multi_cell(0, LINE if size < 13 else 8, printable(value), new_x="LMARGIN", new_y="NEXT")
        if gap:
            self.pdf.ln(gap)

    def heading(self, value: str) -> None:
        self.pdf.ln(3)
        self.text(value, size=13, style="B")
        self.pdf.set_draw_color(160, 160, 160)
        y = self.pdf.get_y()
        self.pdf.line(MARGIN, y, self.pdf.w - MARGIN, y)
        self.pdf.ln(1.5)

    def labelled(self, label: str, value: object) -> None:
        self.pdf.set_font("Helvetica", "B", 10.5)
        self.pdf.write(LINE, printable(f"{label}: "))
        self.pdf.set_font("Helvetica", "", 10.5)
        self.pdf.write(LINE, printable(value if value not in (None, "") else "—"))
        self.pdf.ln(LINE)


def _header(doc: _Document, plan: PrintedPlan) -> None:
    patient, language = plan.patient, doc.language
    doc.text(_("Care plan"), size=18, style="B")
    doc.text(patient.display_name, size=13, style="B")
    born = _date(patient.birth_date, language) if patient.birth_date else "—"
    doc.text(f"{_('Born')} {born}  ·  {_('Medicaid ID')}: {patient.medicaid_id or '—'}")
    doc.text(
        f"{_('Lead care manager')}: {plan.lead_care_manager or '—'}  ·  {plan.organization}  ·  "
        + _("Version %(number)s, printed %(date)s")
        % {"number": plan.version, "date": _date(timezone.localdate(), language)},
        gap=1,
    )


def _about_me(doc: _Document, snapshot: Snapshot) -> None:
    doc.heading(_("About me"))
    for name, label in (
        ("strengths", _("My strengths")),
        ("preferences", _("What matters to me")),
        ("family_role", _("My family's role")),
    ):
        doc.labelled(label, snapshot.get(name) or "")


def _problems_and_goals(doc: _Document, snapshot: Snapshot) -> None:
    language = doc.language
    doc.heading(_("Problems"))
    if not snapshot["problems"]:
        doc.text(_("None recorded."))
    for problem in snapshot["problems"]:
        kind = readable("problems", "kind", problem["kind"])
        status = readable("problems", "status", problem["status"])
        doc.text(f"• {problem['description']} ({kind}; {status})")
    doc.heading(_("My goals"))
    if not snapshot["goals"]:
        doc.text(_("None recorded."))
    for goal in snapshot["goals"]:
        doc.text(f"“{goal['text']}”", style="B")
        doc.labelled(_("Measure"), goal["measure"])
        doc.labelled(_("Target"), goal["target"])
        doc.labelled(_("Target date"), _date(goal["target_date"], language))
        doc.labelled(_("Status"), readable("goals", "status", goal["status"]))
        if goal["problem"]:
            doc.labelled(_("Problem"), goal["problem"])
        doc.pdf.ln(1.5)
    doc.heading(_("What we will do"))
    if not snapshot["interventions"]:
        doc.text(_("None recorded."))
    for intervention in snapshot["interventions"]:
        doc.text(f"• {intervention['description']}", style="B")
        doc.labelled(_("Who"), intervention["owner"])
        doc.labelled(_("Due on"), _date(intervention["due_on"], language))
        doc.labelled(_("Status"), readable("interventions", "status", intervention["status"]))
        if intervention["goal"]:
            doc.labelled(_("Goal"), intervention["goal"])
        doc.pdf.ln(1.5)


def _agreement(doc: _Document, snapshot: Snapshot) -> None:
    language = doc.language
    doc.heading(_("Agreement and review"))
    if snapshot.get("acknowledged_on"):
        how = readable("plan", "acknowledgement", snapshot.get("acknowledgement"))
        doc.labelled(_("Acknowledged on"), f"{_date(snapshot['acknowledged_on'], language)} ({how})")
        if snapshot.get("acknowledgement_note"):
            doc.labelled(_("Note"), snapshot["acknowledgement_note"])
    else:
        doc.labelled(_("Acknowledged on"), _("Not yet"))
    doc.labelled(_("Last reviewed on"), _date(snapshot.get("last_reviewed_on"), language))
    doc.labelled(_("Next review due"), _date(snapshot.get("next_review_due"), language))


def render_pdf(plan: PrintedPlan, language: str, *, compress: bool = True) -> bytes:
    """The plan as PDF bytes, its labels in ``language``."""
    with translation.override(language):
        doc = _Document(language, compress)
        doc.pdf.set_title(printable(f"{_('Care plan')} · {plan.patient.display_name}"))
        doc.pdf.set_lang(language)
        _header(doc, plan)
        _about_me(doc, plan.snapshot)
        _problems_and_goals(doc, plan.snapshot)
        _agreement(doc, plan.snapshot)
        return bytes(doc.pdf.output())
