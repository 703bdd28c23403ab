"""The monthly billing report of an agency: live from the engine, or as submitted once locked.

Both come out as the same rows (``Row``), built from the JSON the lock keeps, so that the
screen, the CSV export and the command show a locked month exactly as it was submitted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from wraparound.enrollment.models import OutreachAttempt
from wraparound.risk.models import Tier
from wraparound.web.formatting import local_date
from wraparound.worklists.billing.engine import Basis, Evidence, MemberMonth, member_months, reason_text
from wraparound.worklists.billing.locks import lock_for
from wraparound.worklists.billing.rulepacks import BillingPack, pack_for
from wraparound.worklists.models import BillingMonthLock, Contact, CoreService

CSV_COLUMNS = [
    "month",
    "patient_id",
    "name",
    "medicaid_id",
    "basis",
    "billable",
    "tier",
    "rate",
    "amount",
    "reason",
    "evidence",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def evidence_json(evidence: Evidence) -> dict[str, Any]:
    return {
        "kind": evidence.kind,
        "id": evidence.id,
        "at": evidence.at.isoformat(),
        "mode": evidence.mode,
        "services": list(evidence.services),
        "successful": evidence.successful,
        "outcome": evidence.outcome,
        "qualifies": evidence.qualifies,
    }


def member_json(member: MemberMonth) -> dict[str, Any]:
    patient = member.patient
    return {
        "patient_id": str(patient.pk),
        "name": f"{patient.family_name}, {patient.given_names}".strip(", "),
        "medicaid_id": patient.medicaid_id or "",
        "basis": str(member.basis),
        "billable": member.billable,
        "reason_code": str(member.reason_code),
        "reason_params": member.reason_params,
        "reason": member.reason,
        "tier": member.tier,
        "rate": str(member.rate) if member.rate is not None else None,
        "amount": str(member.amount) if member.amount is not None else None,
        "evidence": [evidence_json(item) for item in member.evidence],
    }


def report_json(month: dt.date, pack: BillingPack, members: list[MemberMonth]) -> dict[str, Any]:
    rows = [member_json(member) for member in members]
    return {
        "month": month.strftime("%Y-%m"),
        "pack": pack.name,
        "pack_version": pack.version,
        "members": rows,
        "billable": sum(1 for row in rows if row["billable"]),
        "not_billable": sum(1 for row in rows if not row["billable"]),
        "total": _total(rows),
    }


def _total(rows: list[dict[str, Any]]) -> str | None:
    amounts = [Decimal(row["amount"]) for row in rows if row["amount"] is not None]
    return str(sum(amounts, Decimal("0.00"))) if amounts else None


@dataclass(frozen=True)
class EvidenceRow:
    kind: str
    id: int
    at: dt.datetime
    mode_label: str
    services: list[str]
    successful: bool
    outcome_label: str
    qualifies: bool

    @property
    def is_contact(self) -> bool:
        return self.kind == "contact"

    def summary(self) -> str:
        """The evidence in words for the screen, without database ids: "Mar 4 · phone · care coordination …"."""
        day = local_date(self.at)
        when = date_format(day, "M j") if day else ""
        mode = _lower_first(self.mode_label)
        if self.is_contact:
            what = "; ".join(_lower_first(service) for service in self.services) or gettext("no core service")
            if not self.successful:
                what = gettext("%(what)s (not successful)") % {"what": what}
            return gettext("%(date)s · %(mode)s · %(what)s") % {"date": when, "mode": mode, "what": what}
        if self.outcome_label:
            return gettext("%(date)s · outreach attempt · %(mode)s · %(outcome)s") % {
                "date": when,
                "mode": mode,
                "outcome": _lower_first(self.outcome_label),
            }
        return gettext("%(date)s · outreach attempt · %(mode)s") % {"date": when, "mode": mode}

    def text(self) -> str:
        """The evidence as the CSV keeps it (with the contact's or attempt's id, for reconciling)."""
        when = timezone.localtime(self.at).strftime("%m/%d/%Y")
        if self.is_contact:
            what = "; ".join(self.services) or gettext("no core service")
            if not self.successful:
                what = gettext("%(what)s (not successful)") % {"what": what}
            return gettext("contact %(id)s on %(date)s (%(mode)s): %(what)s") % {
                "id": self.id,
                "date": when,
                "mode": self.mode_label.lower(),
                "what": what,
            }
        return gettext("outreach attempt %(id)s on %(date)s (%(mode)s): %(outcome)s") % {
            "id": self.id,
            "date": when,
            "mode": self.mode_label.lower(),
            "outcome": self.outcome_label.lower(),
        }


def _lower_first(text: str) -> str:
    """ "Comprehensive care management" → "comprehensive care management" (the rest as written)."""
    return text[:1].lower() + text[1:]


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _evidence_row(item: dict[str, Any]) -> EvidenceRow:
    is_contact = item["kind"] == "contact"
    return EvidenceRow(
        kind=item["kind"],
        id=int(item["id"]),
        at=dt.datetime.fromisoformat(item["at"]),
        mode_label=_label(Contact.Mode if is_contact else OutreachAttempt.Mode, item["mode"]),
        services=[_label(CoreService, code) for code in item.get("services", [])],
        successful=bool(item.get("successful", True)),
        outcome_label=_label(OutreachAttempt.Outcome, item.get("outcome", "")) if item.get("outcome") else "",
        qualifies=bool(item.get("qualifies")),
    )


BASIS_LABELS = {
    Basis.ENROLLED: lambda: gettext("Enrolled"),
    Basis.OUTREACH: lambda: gettext("Outreach"),
    Basis.NONE: lambda: gettext("Identified"),
}


@dataclass(frozen=True)
class Row:
    patient_id: str
    name: str
    medicaid_id: str
    basis: str
    billable: bool
    reason: str
    tier: str
    rate: Decimal | None
    amount: Decimal | None
    evidence: list[EvidenceRow]

    @property
    def basis_label(self) -> str:
        try:
            return BASIS_LABELS[Basis(self.basis)]()
        except ValueError:
            return self.basis

    @property
    def tier_label(self) -> str:
        return _label(Tier, self.tier) if self.tier else ""


def _row(item: dict[str, Any]) -> Row:
    return Row(
        patient_id=item["patient_id"],
        name=item["name"],
        medicaid_id=item["medicaid_id"],
        basis=item["basis"],
        billable=bool(item["billable"]),
        reason=reason_text(item["reason_code"], item.get("reason_params") or {}),
        tier=item.get("tier", ""),
        rate=Decimal(item["rate"]) if item.get("rate") is not None else None,
        amount=Decimal(item["amount"]) if item.get("amount") is not None else None,
        evidence=[_evidence_row(evidence) for evidence in item.get("evidence", [])],
    )


@dataclass(frozen=True)
class BillingReport:
    month: dt.date
    pack_name: str
    pack_version: str
    rows: list[Row]
    lock: BillingMonthLock | None

    @property
    def billable_count(self) -> int:
        return sum(1 for row in self.rows if row.billable)

    @property
    def not_billable_count(self) -> int:
        return len(self.rows) - self.billable_count

    @property
    def total(self) -> Decimal | None:
        amounts = [row.amount for row in self.rows if row.amount is not None]
        return sum(amounts, Decimal("0.00")) if amounts else None

    @property
    def has_rates(self) -> bool:
        return any(row.rate is not None for row in self.rows)


SHOW_ALL = ""
SHOW_BILLABLE = "billable"
SHOW_NOT_BILLABLE = "not_billable"


def _folded(text: str) -> str:
    """Lower case without accents, so that "pena" finds "Peña"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def filter_rows(rows: Iterable[Row], *, show: str = SHOW_ALL, name: str = "") -> list[Row]:
    """The rows to list: billable or not (``show``), and whose name holds every word of ``name``."""
    words = _folded(name).replace(",", " ").split()
    chosen = []
    for row in rows:
        if show == SHOW_BILLABLE and not row.billable:
            continue
        if show == SHOW_NOT_BILLABLE and row.billable:
            continue
        if words and not all(word in _folded(row.name) for word in words):
            continue
        chosen.append(row)
    return chosen


def build_report(organization_id: int, month: dt.date) -> BillingReport:
    """The month as locked, or computed now by the pack in effect (raises ``NoPackInEffect``)."""
    month = month.replace(day=1)
    lock = lock_for(organization_id, month)
    if lock is not None:
        data: dict[str, Any] = lock.report
        return BillingReport(
            month, lock.pack, lock.pack_version, [_row(item) for item in data.get("members", [])], lock
        )
    pack = pack_for(month)
    members = member_months(organization_id, month, pack)
    return BillingReport(month, pack.name, pack.version, [_row(member_json(m)) for m in members], None)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def report_csv(report: BillingReport) -> str:
    """The report's table as CSV: one line per member, the same columns as the screen."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in report.rows:
        writer.writerow(
            [
                _cell(value)
                for value in (
                    report.month.strftime("%Y-%m"),
                    row.patient_id,
                    row.name,
                    row.medicaid_id,
                    row.basis,
                    "yes" if row.billable else "no",
                    row.tier,
                    row.rate,
                    row.amount,
                    row.reason,
                    " | ".join(item.text() for item in row.evidence),
                )
            ]
        )
    return out.getvalue()
