"""One settings module, driven by the environment.  See docs/configuration.md."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from wraparound.config.env import env, envbool, envint

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = Path(env("WRAPAROUND_HOME", str(Path.cwd())))
VAR_DIR = BASE_DIR / "var"

DEBUG = envbool("DEBUG", False)
SECRET_KEY = env("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and envbool("WRAPAROUND_REQUIRE_SECRET", False):
        raise RuntimeError("SECRET_KEY (or SECRET_KEY_FILE) must be set in production")
    # A development key; `wraparound demo` and the tests run with it.  Production sets SECRET_KEY.
    SECRET_KEY = "wraparound-development-key-not-for-production-use-0123456789abcdef"

ALLOWED_HOSTS = [host for host in env("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if host]
PORT = envint("PORT", 8000)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "wraparound.core",
    "wraparound.accounts",
    "wraparound.audit",
    "wraparound.registry",
    "wraparound.consent",
    "wraparound.careplans",
    "wraparound.enrollment",
    "wraparound.eligibility",
    "wraparound.risk",
    "wraparound.referrals",
    "wraparound.worklists",
    "wraparound.hl7v2",
    "wraparound.transitions",
    "wraparound.ingest",
    "wraparound.synth",
    "wraparound.web",
    "wraparound.cli",
]

MIDDLEWARE = [
    "wraparound.audit.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "wraparound.accounts.middleware.ActingMembershipMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Sign-in and sessions (accounts/session_middleware.py): idle and absolute time-outs first,
    # then the second factor, then "every URL requires sign-in" (views opt out: login_not_required).
    "wraparound.accounts.session_middleware.SessionTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "wraparound.accounts.session_middleware.SecondFactorMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a lockout into the "too many attempts" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wraparound.config.urls"
WSGI_APPLICATION = "wraparound.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wraparound.web.context_processors.frame",
            ],
        },
    }
]


def _database(url: str) -> dict[str, object]:
    # Kept open between requests (a new PostgreSQL connection costs a process fork), and checked
    # before reuse, so that a restarted server costs one failed ping, not an error page.
    config: dict[str, object] = dict(
        dj_database_url.parse(
            url, conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")), conn_health_checks=True
        )
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        name = Path(str(config["NAME"]))
        if str(name) not in ("", ":memory:"):
            name.parent.mkdir(parents=True, exist_ok=True)
        config["OPTIONS"] = {
            # WAL lets the web app read while an import writes; IMMEDIATE avoids
            # "database is locked" upgrades from read to write transactions.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
                " PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
        config["TEST"] = {"NAME": env("WRAPAROUND_TEST_SQLITE", "") or None}
    return config


DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'wraparound.sqlite3'}")
DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# NIST SP 800-63B: length and a blocklist, no composition rules.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "wraparound.accounts.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Argon2id for new and changed passwords; PBKDF2 hashes still verify (and are upgraded at sign-in).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# django-axes first: it refuses a locked-out username+address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"  # the first screen the acting role may use
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", not DEBUG and envbool("HTTPS", False))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = envint("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)

# The security core (docs/security.md).  Switching either off is for benchmarks only:
# `wraparound check --deploy` fails while one is off.
AUDIT_ENABLED = envbool("AUDIT_ENABLED", True)
AUTHORIZATION_ENABLED = envbool("AUTHORIZATION_ENABLED", True)
BREAK_GLASS_HOURS = envint("BREAK_GLASS_HOURS", 4)
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)

# Sign-in: a second factor (TOTP, or a single-use recovery code) for every role that can see
# identifiable data (accounts/roles.py: MFA_ROLES); docs/security.md.
MFA_REQUIRED = envbool("MFA_REQUIRED", True)
OTP_TOTP_ISSUER = "Wraparound"
# Sessions end after SESSION_IDLE_SECONDS without a request, and SESSION_COOKIE_AGE
# (SESSION_ABSOLUTE_SECONDS) after sign-in whatever happens; both are checked on the server
# (accounts/session_middleware.py), and the page warns before the first.
SESSION_IDLE_SECONDS = envint("SESSION_IDLE_SECONDS", 900)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Lockout (django-axes): 5 failed passwords for one username from one address lock that pair out.
# The cool-off doubles with each further lockout within 24 hours: 15 min, 30 min, 1 h... at most
# 24 h (accounts/lockout.py: cool_off).  A successful sign-in starts the count again.
AXES_FAILURE_LIMIT = envint("SIGN_IN_FAILURE_LIMIT", 5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = "wraparound.accounts.lockout.cool_off"
AXES_USE_ATTEMPT_EXPIRATION = True  # each pair expires on its own cool-off, not the latest request's
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # the back-off counts earlier failures from it
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "wraparound.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "wraparound.audit.actions.client_address"
AXES_VERBOSE = False

# HTTP hardening.  HTTPS=true (production behind TLS) turns on the redirect, HSTS and secure cookies.
HTTPS = envbool("HTTPS", False)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", HTTPS)
if envbool("BEHIND_TLS_PROXY", TRUSTED_PROXY_COUNT > 0):
    # The reverse proxy that terminates TLS says so in X-Forwarded-Proto (and must overwrite it).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True  # forms and htmx take the token from the page, never from the cookie
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Background work (ARCHITECTURE.md): the django-tasks API with its database backend; `wraparound worker`
# runs the jobs.  TASKS_BACKEND=immediate runs each job at once in the caller, as the test suite does
# (pytest sets PYTEST_VERSION while it runs).
TASKS_BACKEND = env("TASKS_BACKEND", "immediate" if os.environ.get("PYTEST_VERSION") else "database")
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TASKS_BACKEND == "immediate"
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

# Care plans are reviewed every CARE_PLAN_REVIEW_DAYS days: a task for the lead care manager is due
# that long after the plan is made and after each recorded review (careplans.actions).
CARE_PLAN_REVIEW_DAYS = envint("CARE_PLAN_REVIEW_DAYS", 90)

LANGUAGE_CODE = "en-us"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Without collectstatic (the demo, the tests) files are found on each request instead of scanned at start.
WHITENOISE_AUTOREFRESH = DEBUG or not STATIC_ROOT.exists()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
