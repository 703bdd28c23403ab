from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "wraparound.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wraparound.accounts import checks  # noqa: F401  (registers the deploy checks)
