from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "wraparound.risk"
    label = "risk"
    verbose_name = _("Risk stratification")
    default_auto_field = "django.db.models.BigAutoField"
