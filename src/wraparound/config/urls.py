from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from wraparound.accounts import views as accounts_views

urlpatterns = [
    path("login/", accounts_views.sign_in, name="login"),
    path("logout/", accounts_views.sign_out, name="logout"),
    path("accounts/", include("wraparound.accounts.urls")),
    # Every other URL requires sign-in (LoginRequiredMiddleware); choosing a language does not.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("audit/", include("wraparound.audit.urls")),
    path("", include("wraparound.consent.urls")),
    path("", include("wraparound.enrollment.urls")),
    path("", include("wraparound.careplans.urls")),
    path("", include("wraparound.worklists.urls")),
    path("", include("wraparound.transitions.urls")),
    path("billing/", include("wraparound.worklists.billing.urls")),
    path("", include("wraparound.web.urls")),
]
