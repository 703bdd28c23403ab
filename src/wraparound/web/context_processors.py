"""What every page's frame needs: the navigation, the signed-in user, the organization acted for."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wraparound.accounts.acting import acting_membership as _acting_membership
from wraparound.accounts.models import Membership, Role
from wraparound.registry.access import NO_RECORD_ROLES

# Roles that work from lists of identifiable patients (registry.access: not analysts, privacy
# officers or system administrators).
PATIENT_LIST_ROLES = frozenset(r.value for r in Role) - {r.value for r in NO_RECORD_ROLES}

PIPELINE_ROLES = frozenset(
    {
        Role.SUPERVISOR.value,
        Role.PROGRAM_ADMINISTRATOR.value,
        Role.CARE_MANAGER.value,
        Role.CARE_COORDINATOR.value,
    }
)

# The left navigation, by job (UI.md).  An entry shows once its URL name exists (the app that
# builds the screen adds the route, and the link appears) and only to the roles named (None: all).
NAVIGATION: tuple[tuple[Promise, str, frozenset[str] | None], ...] = (
    (_("My worklist"), "worklists:my_worklist", PATIENT_LIST_ROLES),
    (_("Patients"), "web:patient_list", PATIENT_LIST_ROLES),
    (_("Enrollment"), "enrollment:pipeline", PIPELINE_ROLES),
    (_("Caseloads"), "worklists:supervisor", frozenset({Role.SUPERVISOR, Role.PROGRAM_ADMINISTRATOR})),
    (_("Billing"), "billing:report", frozenset({Role.SUPERVISOR, Role.PROGRAM_ADMINISTRATOR})),
    (_("Transitions"), "transitions:transition_list", PATIENT_LIST_ROLES),
    (_("Referrals"), "referrals:referral_list", None),
    (_("Registry"), "assessments:registry", None),
    (_("Reports"), "measures:report_list", None),
    (_("Audit"), "audit:report", frozenset({Role.PRIVACY_OFFICER})),
    (_("Admin"), "accounts:admin_home", None),
)


@dataclass(frozen=True)
class NavigationItem:
    label: str
    url: str
    is_current: bool


def navigation(request: HttpRequest) -> list[NavigationItem]:
    """The entries whose screens exist and that the acting role may use; the current one marked."""
    items: list[NavigationItem] = []
    acting = getattr(request, "acting", None)
    role = acting.role if acting is not None else ""
    for label, url_name, roles in NAVIGATION:
        granted = url_name == "web:patient_list" and bool(acting and acting.grants_identifiable_access)
        if roles is not None and role not in roles and not granted:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append(NavigationItem(str(label), url, False))
    # The current entry is the one whose address is the longest start of this page's: on
    # /worklist/supervisor/ that is "Caseloads", not "My worklist" as well.
    matching = [item.url for item in items if item.url != "/" and request.path.startswith(item.url)]
    current = max(matching, key=len, default=None)
    return [NavigationItem(item.label, item.url, item.url == current) for item in items]


def user_display_name(request: HttpRequest) -> str:
    user = request.user
    if not user.is_authenticated:
        return ""
    get_full_name = getattr(user, "get_full_name", None)
    full_name = get_full_name() if callable(get_full_name) else ""
    return str(full_name or user.get_username())


def acting_membership(request: HttpRequest) -> Membership | None:
    """The organization and role the user acts in (``accounts.acting``, set on the request)."""
    if not request.user.is_authenticated:
        return None
    acting = getattr(request, "acting", None)
    return acting if acting is not None else _acting_membership(request)


def frame(request: HttpRequest) -> dict[str, object]:
    """Context for ``web/base.html``: ``navigation``, ``user_display_name``, ``user_role`` and
    ``acting_organization`` (None when the user has no membership yet); a view may pass its own."""
    signed_in = request.user.is_authenticated
    membership = acting_membership(request)
    return {
        "navigation": navigation(request) if signed_in else [],
        "user_display_name": user_display_name(request),
        "user_role": membership.get_role_display() if membership else None,
        "acting_organization": membership.organization.name if membership else None,
        "acting_membership_id": membership.pk if membership else None,
        "memberships": getattr(request, "memberships", None) or [],
    }
