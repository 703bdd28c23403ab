from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Hl7v2Config(AppConfig):
    name = "wraparound.hl7v2"
    label = "hl7v2"
    verbose_name = _("HL7 v2 intake")
    default_auto_field = "django.db.models.BigAutoField"
