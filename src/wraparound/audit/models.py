"""The audit log: one append-only, hash-chained row per access to or change of identifiable data.

Each row's ``hash`` is SHA-256 over its own fields and the previous row's
hash (``chain.py``), so an edited, deleted or inserted row breaks the chain
at that point; ``AuditChainHead`` keeps the last link, so that a deleted
tail shows too.  Rows are numbered by the writer (``id`` = previous + 1,
under a lock), never by a sequence that could skip.  On both databases a
trigger refuses UPDATE and DELETE of audit rows (migration 0002).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    VIEW = "view", _("View")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    EXPORT = "export", _("Export")
    PRINT = "print", _("Print")
    BREAK_GLASS = "break_glass", _("Break the glass")
    BREAK_GLASS_REVIEW = "break_glass_review", _("Break-glass review")
    CONSENT_CHANGE = "consent_change", _("Consent change")
    SIGN_IN = "sign_in", _("Sign-in")
    SIGN_OUT = "sign_out", _("Sign-out")
    SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
    ACCESS_DENIED = "access_denied", _("Access denied")
    ACCOUNT_CHANGE = "account_change", _("Account change")


class AuditEvent(models.Model):
    id = models.BigIntegerField(primary_key=True)  # previous row's + 1, assigned under the chain lock
    occurred_at = models.DateTimeField()
    # Plain values, not foreign keys: the log outlives the users, organizations and patients it names.
    user_id = models.BigIntegerField(null=True, blank=True)
    username = models.CharField(max_length=150, blank=True)
    organization_id = models.BigIntegerField(null=True, blank=True)
    role = models.CharField(max_length=40, blank=True)
    patient_id = models.UUIDField(null=True, blank=True)
    resource_type = models.CharField(max_length=64, blank=True)
    resource_id = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=24, choices=Action.choices)
    reason = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    detail = models.TextField(blank=True)  # JSON text, as hashed
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["patient_id", "occurred_at"], name="audit_patient_time"),
            models.Index(fields=["user_id", "occurred_at"], name="audit_user_time"),
            models.Index(fields=["organization_id", "occurred_at"], name="audit_organization_time"),
            models.Index(fields=["occurred_at"], name="audit_time"),
            models.Index(fields=["action", "occurred_at"], name="audit_action_time"),
        ]

    def __str__(self) -> str:
        return f"#{self.id} {self.occurred_at:%Y-%m-%d %H:%M:%S} {self.username} {self.action}"


class AuditChainHead(models.Model):
    """The chain's last link (one row): the writers' lock, and the witness of the tail."""

    id = models.SmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"audit head #{self.last_id}"
