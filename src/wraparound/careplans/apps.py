from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareplansConfig(AppConfig):
    name = "wraparound.careplans"
    label = "careplans"
    verbose_name = _("Care plans")
    default_auto_field = "django.db.models.BigAutoField"
