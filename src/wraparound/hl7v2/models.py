"""The durable inbox of HL7 v2 messages received over MLLP, and the quarantine of those that could not be read.

A message is committed here before its acknowledgment is written (docs/mllp.md).  Processing the
inbox into encounters, alerts and tasks is later work: it claims rows by ``status``.
"""

from __future__ import annotations

from django.db import models


class InboxMessage(models.Model):
    """One message as received, with the header fields the processor and the matching need."""

    class Status(models.TextChoices):
        RECEIVED = "received"
        PROCESSED = "processed"
        FAILED = "failed"
        IGNORED = "ignored"  # acknowledged AR: a message type or trigger event we do not take

    raw = models.BinaryField(help_text="the bytes between the MLLP start and end blocks, unchanged")
    raw_sha256 = models.CharField(max_length=64)
    encoding = models.CharField(max_length=32, help_text="the codec the fields below were read with")
    sending_application = models.CharField(max_length=255, blank=True)  # MSH-3, as sent
    sending_facility = models.CharField(max_length=255, blank=True)  # MSH-4, as sent
    control_id = models.CharField(max_length=199)  # MSH-10
    message_type = models.CharField(max_length=20)  # MSH-9.1
    trigger_event = models.CharField(max_length=20, blank=True)  # MSH-9.2
    version = models.CharField(max_length=20)  # MSH-12
    event_time = models.DateTimeField(null=True, blank=True)  # EVN-2, else MSH-7
    patient_identifiers = models.TextField(blank=True)  # PID-3, as sent (repetitions joined by ~)
    received_at = models.DateTimeField()
    peer = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            # A sender's control id identifies its message (HL7 v2 chapter 2, MSH-10): a re-sent
            # message conflicts here and is not stored twice.
            models.UniqueConstraint(
                fields=["control_id", "sending_facility", "sending_application"],
                name="hl7v2_inbox_one_per_control_id",
            )
        ]
        indexes = [models.Index(fields=["status", "id"], name="hl7v2_inbox_status")]

    def __str__(self) -> str:
        return f"{self.message_type}^{self.trigger_event} {self.control_id} from {self.sending_facility}"


class QuarantinedMessage(models.Model):
    """A frame that could not be read as a message we accept, kept with the reason it was refused."""

    raw = models.BinaryField()
    raw_sha256 = models.CharField(max_length=64, unique=True)  # the same bytes sent again: one row
    reason = models.TextField()
    error_code = models.PositiveIntegerField()  # HL7 table 0357
    control_id = models.CharField(max_length=199, blank=True)  # when one could be read
    received_at = models.DateTimeField()
    peer = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"quarantined {self.control_id or '(no control id)'}: {self.reason}"
