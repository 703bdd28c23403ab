"""Locking an agency's billing month: the report as submitted, with the pack and its version, audited."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from wraparound.accounts.models import Role
from wraparound.audit.actions import record
from wraparound.audit.models import Action
from wraparound.registry.access import Viewer, deny
from wraparound.worklists.billing.engine import member_months
from wraparound.worklists.billing.locks import month_bounds, month_label
from wraparound.worklists.billing.report import report_json
from wraparound.worklists.billing.rulepacks import NoPackInEffect, pack_for
from wraparound.worklists.models import BillingMonthLock

REPORT_ROLES = frozenset({Role.SUPERVISOR, Role.PROGRAM_ADMINISTRATOR})
LOCK_ROLES = frozenset({Role.PROGRAM_ADMINISTRATOR})


class LockRefused(Exception):
    """A month that cannot be locked (not over yet, already locked, no pack); the message says why."""


def may_see_report(viewer: Viewer) -> bool:
    return viewer.organization_id is not None and viewer.role in REPORT_ROLES


def may_lock(viewer: Viewer) -> bool:
    return viewer.organization_id is not None and viewer.role in LOCK_ROLES


def do_lock_month(viewer: Viewer, month: dt.date) -> BillingMonthLock:
    """Submit the agency's month: store the report, refuse changes to its contacts from now on."""
    if not may_lock(viewer):
        raise deny(viewer, what="BillingMonthLock")
    assert viewer.organization_id is not None and viewer.user_id is not None
    month = month.replace(day=1)
    _, end = month_bounds(month)
    if end > timezone.now():
        raise LockRefused(
            gettext("%(month)s has not ended yet; lock it once it has.") % {"month": month_label(month)}
        )
    try:
        pack = pack_for(month)
    except NoPackInEffect:
        raise LockRefused(
            gettext("No billing rule pack is in effect for %(month)s.") % {"month": month_label(month)}
        ) from None
    already = gettext("%(month)s is already locked.") % {"month": month_label(month)}
    try:
        with transaction.atomic():
            if BillingMonthLock.objects.filter(organization_id=viewer.organization_id, month=month).exists():
                raise LockRefused(already)
            members = member_months(viewer.organization_id, month, pack)
            report = report_json(month, pack, members)
            lock = BillingMonthLock.objects.create(
                organization_id=viewer.organization_id,
                month=month,
                locked_at=timezone.now(),
                locked_by_id=viewer.user_id,
                pack=pack.name,
                pack_version=pack.version,
                report=report,
            )
            record(
                viewer.actor,
                Action.CREATE,
                resource_type="BillingMonthLock",
                resource_id=str(lock.pk),
                detail={
                    "month": report["month"],
                    "pack": pack.name,
                    "pack_version": pack.version,
                    "billable": report["billable"],
                    "not_billable": report["not_billable"],
                },
            )
    except IntegrityError:
        raise LockRefused(already) from None  # locked at the same moment by someone else
    return lock
