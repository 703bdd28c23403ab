from __future__ import annotations

from django.apps import AppConfig


class SynthConfig(AppConfig):
    name = "wraparound.synth"
    label = "synth"
    default_auto_field = "django.db.models.BigAutoField"
