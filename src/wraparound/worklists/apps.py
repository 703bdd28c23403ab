from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorklistsConfig(AppConfig):
    name = "wraparound.worklists"
    label = "worklists"
    verbose_name = _("Worklists")
    default_auto_field = "django.db.models.BigAutoField"
