"""Writing the audit log: the only code that adds audit rows.

``record`` appends one row per patient (a list view passes every patient it
shows) under the chain lock, in the caller's transaction when there is one,
so that an audited change and its audit row commit or roll back together.
"""

from __future__ import annotations

import functools
import ipaddress
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from wraparound.audit.chain import GENESIS_HASH, row_hash
from wraparound.audit.models import Action, AuditChainHead, AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.http import HttpRequest

    from wraparound.accounts.models import BreakGlassGrant

USER_AGENT_LENGTH = 400


@dataclass(frozen=True)
class Actor:
    """Who acts, for which organization, in which role, from where, in which request."""

    user_id: int | None
    username: str
    organization_id: int | None = None
    role: str = ""
    ip_address: str | None = None
    user_agent: str = ""
    request_id: str = ""

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(user_id=None, username=name)

    @classmethod
    def from_request(cls, request: HttpRequest, username: str = "") -> Actor:
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        acting = getattr(request, "acting", None)
        return cls(
            user_id=user.pk if signed_in and user is not None else None,
            username=(user.get_username() if signed_in and user is not None else username)[:150],
            organization_id=acting.organization_id if acting is not None else None,
            role=acting.role if acting is not None else "",
            ip_address=client_address(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH],
            request_id=getattr(request, "request_id", ""),
        )


def client_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the proxy's X-Forwarded-For when TRUSTED_PROXY_COUNT says so."""
    trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if trusted:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
        ]
        if len(forwarded) >= trusted:
            return valid_ip_address(forwarded[-trusted])
    return valid_ip_address(request.META.get("REMOTE_ADDR"))


def valid_ip_address(value: str | None) -> str | None:
    """The address as the database stores it, or None for anything that is not one (a forged header)."""
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.split("%", 1)[0]))
    except ValueError:
        return None


def record(
    actor: Actor,
    action: Action,
    *,
    patient_ids: Iterable[uuid.UUID | str | None] = (None,),
    resource_type: str = "",
    resource_id: str = "",
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> list[AuditEvent]:
    """Append one audit row per patient (one row with no patient when there is none)."""
    if not settings.AUDIT_ENABLED:
        return []
    patients = [_patient_uuid(p) for p in patient_ids]
    if not patients:
        return []  # an empty list of patients: nothing was shown, nothing to write
    detail_text = orjson.dumps(detail, option=orjson.OPT_SORT_KEYS).decode() if detail else ""
    ip_address = valid_ip_address(actor.ip_address)
    fields = AuditEvent._meta.concrete_fields
    with transaction.atomic(), connection.cursor() as cursor:
        last_id, last_hash = _locked_head(cursor)
        now = timezone.now()  # under the lock, so that time never runs backwards along the chain
        events = []
        rows = []
        same: dict[str, Any] | None = None
        previous_hash, next_id = last_hash, last_id + 1
        for patient_id in patients:
            values: dict[str, Any] = {
                "id": next_id,
                "occurred_at": now,
                "user_id": actor.user_id,
                "username": actor.username,
                "organization_id": actor.organization_id,
                "role": actor.role,
                "patient_id": patient_id,
                "resource_type": resource_type,
                "resource_id": str(resource_id),
                "action": str(action),
                "reason": reason,
                "ip_address": ip_address,
                "user_agent": actor.user_agent,
                "request_id": actor.request_id,
                "detail": detail_text,
                "previous_hash": previous_hash,
            }
            values["hash"] = previous_hash = row_hash(values)
            events.append(AuditEvent(**values))
            if same is None:  # what every row of this call shares is prepared for the database once
                same = {f.attname: f.get_db_prep_save(values[f.attname], connection) for f in fields}
            rows.append(
                [
                    same[f.attname]
                    if f.attname not in _PER_ROW
                    else f.get_db_prep_save(values[f.attname], connection)
                    for f in fields
                ]
            )
            next_id += 1
        # Plain SQL: every page view writes here, and the ORM's statement building cost more than
        # the statements themselves.
        head_update = f"UPDATE {_HEAD} SET last_id = %s, last_hash = %s WHERE id = 1"
        head: list[Any] = [next_id - 1, previous_hash]
        if connection.vendor == "postgresql":
            # One statement, one round trip, whatever the number of rows: a column of values per
            # parameter (unnest), and the head moved by the same statement (a data-modifying WITH).
            columns = [list(column) for column in zip(*rows, strict=True)]
            cursor.execute(f"WITH appended AS ({_unnest_insert_sql()}) {head_update}", [*columns, *head])
        else:
            # Multi-row VALUES, a few hundred rows a statement.
            for start in range(0, len(rows), ROWS_PER_STATEMENT):
                chunk = rows[start : start + ROWS_PER_STATEMENT]
                cursor.execute(_insert_sql(len(chunk)), [value for row in chunk for value in row])
            cursor.execute(head_update, head)
    return events


_HEAD = AuditChainHead._meta.db_table
_PER_ROW = frozenset({"id", "patient_id", "previous_hash", "hash"})  # the rest is the same along one call


ROWS_PER_STATEMENT = 500  # 17 columns: well under SQLite's 32,766 parameters


@functools.cache
def _insert_head() -> tuple[str, str]:
    fields = AuditEvent._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    return f"INSERT INTO {table} ({columns}) VALUES ", "(" + ", ".join(["%s"] * len(fields)) + ")"


@functools.cache
def _unnest_insert_sql() -> str:
    start, _one_row = _insert_head()
    # cast_db_type: the type without its length (varchar, not varchar(150)), as arrays want it.
    casts = [field.cast_db_type(connection) for field in AuditEvent._meta.concrete_fields]  # type: ignore[attr-defined]
    arrays = ", ".join(f"%s::{cast}[]" for cast in casts)
    return start.replace(" VALUES ", f" SELECT * FROM unnest({arrays})")


def _insert_sql(rows: int) -> str:
    start, one_row = _insert_head()
    return start + ", ".join([one_row] * rows)


def _locked_head(cursor: Any) -> tuple[int, str]:
    """The chain head (last id, last hash), locked until the transaction ends; created at genesis
    if a flush removed it.  On SQLite the write transaction (BEGIN IMMEDIATE) is the lock."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    select = f"SELECT last_id, last_hash FROM {_HEAD} WHERE id = 1{lock}"
    cursor.execute(select)
    found = cursor.fetchone()
    if found is None:
        # Two writers may both find it missing: the second insert does nothing and waits for the first.
        cursor.execute(
            f"INSERT INTO {_HEAD} (id, last_id, last_hash) VALUES (1, 0, %s) ON CONFLICT DO NOTHING",
            [GENESIS_HASH],
        )
        cursor.execute(select)
        found = cursor.fetchone()
    return int(found[0]), str(found[1])


def _patient_uuid(value: uuid.UUID | str | None) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))


class BreakGlassReviewError(Exception):
    """Why a break-glass grant cannot be signed off; ``code`` is stable, the message is for the screen."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def do_review_break_glass(
    *, actor_user: AbstractBaseUser, actor: Actor, grant: BreakGlassGrant, note: str
) -> BreakGlassGrant:
    """The privacy officer signs off a break-glass grant: who, when, what they found; one audit row.

    The sign-off claims the grant with a conditional update, so two officers
    signing off at once leave one review.  Nobody signs off their own
    emergency access.
    """
    note = note.strip()
    if not note:
        raise BreakGlassReviewError("note_required", gettext("Write what the review found."))
    if grant.user_id == actor_user.pk:
        raise BreakGlassReviewError(
            "own_grant",
            gettext("You cannot sign off your own emergency access: another privacy officer must."),
        )
    with transaction.atomic():
        reviewed_at = timezone.now()
        claimed = (
            type(grant)
            ._default_manager.filter(pk=grant.pk, reviewed_at__isnull=True)
            .update(reviewed_by_id=actor_user.pk, reviewed_at=reviewed_at, review_note=note)
        )
        if not claimed:
            raise BreakGlassReviewError(
                "already_reviewed", gettext("This emergency access was already signed off.")
            )
        record(
            actor,
            Action.BREAK_GLASS_REVIEW,
            patient_ids=[grant.patient_id],
            resource_type="BreakGlassGrant",
            resource_id=str(grant.pk),
            reason=note,
            detail={
                "grant_user_id": grant.user_id,
                "grant_role": grant.role,
                "started_at": grant.started_at.isoformat(),
                "expires_at": grant.expires_at.isoformat(),
            },
        )
    grant.reviewed_by_id = actor_user.pk
    grant.reviewed_at = reviewed_at
    grant.review_note = note
    return grant
