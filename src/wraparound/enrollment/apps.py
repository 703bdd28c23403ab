from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentConfig(AppConfig):
    name = "wraparound.enrollment"
    label = "enrollment"
    verbose_name = _("Enrollment")
    default_auto_field = "django.db.models.BigAutoField"
