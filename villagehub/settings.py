"""Village Hub settings: one module, driven by environment variables (see README.md)."""

import os
from pathlib import Path

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("VILLAGEHUB_VAR_DIR", BASE_DIR.parent / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

# The development key is public: refusing to run without a real one when DEBUG is off
# keeps a forgotten variable from becoming a forged-session hole in production.
_DEVELOPMENT_SECRET = "django-insecure-village-hub-development-key-do-not-use"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", _DEVELOPMENT_SECRET)
if not DEBUG and (SECRET_KEY == _DEVELOPMENT_SECRET or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "DEBUG is off but SECRET_KEY is not set to a real secret (at least 32 random "
        "characters). Set SECRET_KEY in the environment, e.g. "
        "SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "villagehub.accounts.apps.HubAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_countries",
    "django_tasks",
    "django_tasks_db",
    "villagehub.core",
    "villagehub.taxonomy",
    "villagehub.organisations",
    "villagehub.communities",
    "villagehub.countries",
    "villagehub.practices",
    "villagehub.news",
    "villagehub.notices",
    "villagehub.comments",
    "villagehub.contact",
    "villagehub.dashboard",
    "villagehub.interchange",
    "villagehub.search",
    "villagehub.events",
    "villagehub.accounts",
    "villagehub.contributions",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "villagehub.catalogue",
    "villagehub.ngsi",
    "villagehub.indicators",
    "villagehub.matchmaking",
    "villagehub.solutions",
    "villagehub.strategies",
    "villagehub.matching",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "villagehub.core.middleware.NoContentLengthMiddleware",
    "django.middleware.common.CommonMiddleware",
    "villagehub.core.middleware.OpenDataCorsMiddleware",
    "villagehub.core.middleware.ApiProblemMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "villagehub.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "villagehub.core.context_processors.hub",
            ],
        },
    },
]

WSGI_APPLICATION = "villagehub.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'villagehub.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers go on while one writer commits; IMMEDIATE takes the write lock at
    # BEGIN so that concurrent writers queue instead of failing with "database is locked".
    # Connections are kept like PostgreSQL's (DATABASE_CONN_MAX_AGE): in autocommit a kept
    # connection holds no lock or snapshot between requests, and a new one would read the
    # schema of every table again before its first query.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # The temporary table of the search ranking (search.sqlite.ranked) stays in memory.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;"
        ),
    }
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME") or None}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not os.environ.get(
    "TEST_DATABASE_NAME"
):
    # A file rather than Django's shared in-memory database: concurrency tests need SQLite's
    # real locking (an in-memory shared cache fails at once instead of waiting).
    DATABASES["default"]["TEST"]["NAME"] = str(VAR_DIR / "test.sqlite3")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("sv", _("Swedish")),
    ("lv", _("Latvian")),
    ("fr", _("French")),
    ("fi", _("Finnish")),
    ("pt", _("Portuguese")),
    ("da", _("Danish")),
    ("sl", _("Slovenian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Brussels")
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
if DEBUG:
    # WhiteNoise serves from the finders in development but expects the folder to exist.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# `outbox://` (the development default) keeps mail in the database, readable at /outbox/.
EMAIL_URL = os.environ.get("EMAIL_URL", "outbox://" if DEBUG else "console://")
if EMAIL_URL == "outbox://":
    EMAIL_BACKEND = "villagehub.core.mail.OutboxBackend"
else:
    vars().update(dj_email_url.parse(EMAIL_URL))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Village Hub <hub@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work (e-mail, reminders): the django-tasks backport with its database backend,
# run by `villagehub worker`. TASKS_BACKEND=immediate runs tasks in the request instead.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_task_backend = os.environ.get("TASKS_BACKEND", "database")
if _task_backend not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}, not {_task_backend!r}."
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_task_backend]}}

# The public address of the hub, for links in e-mails and calendars.
HUB_URL = os.environ.get("HUB_URL", "http://127.0.0.1:8000").rstrip("/")
# Accounts: django-allauth with e-mail addresses as the sign-in name, verified e-mail, and
# two-factor authentication (TOTP with recovery codes), which coordinators must use.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "villagehub.accounts.forms_signup.SignupConsentForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Failed sign-ins, sign-ups and password resets are rate limited per address and per IP;
# after 5 failed sign-ins (wrong passwords or wrong codes) to one account in 15 minutes it is
# locked for the rest of them, even for the right password. The back office signs in here too.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/15m/key",
    "signup": "20/h/ip",
    "reset_password": "20/h/ip,5/h/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
}
# The hub's rate limits and allauth's see the same client address (core.ratelimit.client_ip);
# allauth's e-mails greet in the hub's name, not the host name.
ACCOUNT_ADAPTER = "villagehub.accounts.adapter.HubAccountAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = os.environ.get("HUB_NAME", "Village Hub")

# Rate limits keep their counters in the cache (one per worker process by default).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Whole list pages for anonymous visitors (core.pagecache), apart from the rate-limit
    # counters so that many distinct addresses cannot push those out.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
}
# How long a kept page may serve at most; it is replaced at once when its data changes.
# 0 turns the page cache off.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
# Registrations and survey answers one address may post per hour.
REGISTRATION_RATE_LIMIT = int(os.environ.get("REGISTRATION_RATE_LIMIT", "60"))
# Newsletters: workers that deliver an issue at once, and messages a second each sends (0: as
# fast as the mail server takes them).
NEWSLETTER_WORKERS = int(os.environ.get("NEWSLETTER_WORKERS", "2"))
NEWSLETTER_RATE = float(os.environ.get("NEWSLETTER_RATE", "0"))
# A newsletter worker silent this long is taken for dead and its unsent messages are sent by
# another (the benchmark shortens it to see the recovery).
NEWSLETTER_LEASE = int(os.environ.get("NEWSLETTER_LEASE", "600"))
# How often the worker looks for scheduled issues and automatic digests that fell due.
NEWSLETTER_TICK = int(os.environ.get("NEWSLETTER_TICK", "60"))
# Personal data of registrations is anonymised this many months after the event.
REGISTRATION_RETENTION_MONTHS = int(os.environ.get("REGISTRATION_RETENTION_MONTHS", "24"))
# Comments one address may post per hour, and messages through the contact forms.
COMMENT_RATE_LIMIT = int(os.environ.get("COMMENT_RATE_LIMIT", "30"))
CONTACT_RATE_LIMIT = int(os.environ.get("CONTACT_RATE_LIMIT", "5"))
# Messages through the contact forms (and the replies to them) are deleted after this many days.
CONTACT_RETENTION_DAYS = int(os.environ.get("CONTACT_RETENTION_DAYS", "365"))

# The version of the privacy notice people accept when they register (shown at /privacy/).
# Newest first; each has its text in core/templates/core/privacy/<version>.html.
PRIVACY_NOTICE_VERSIONS = ["2026-11-23"]
PRIVACY_NOTICE_VERSION = PRIVACY_NOTICE_VERSIONS[0]

# What the installation calls itself on the home page and in the header.
HUB_NAME = os.environ.get("HUB_NAME", "Village Hub")
# The slug of the network that runs this installation; its description opens the home page.
HUB_NETWORK = os.environ.get("HUB_NETWORK", "")

# Map tiles for the interactive map (loaded only when a visitor asks for it).
MAP_TILES_URL = os.environ.get("MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_ATTRIBUTION = os.environ.get(
    "MAP_ATTRIBUTION", "© OpenStreetMap contributors (openstreetmap.org/copyright)"
)

# Content Security Policy (django-csp): scripts and styles only from the hub's own files,
# never inline; images also from the map tile server and data: URIs (QR codes for two-factor
# set-up); no framing, no plugins, forms only to the hub.
_TILES_ORIGIN = "/".join(MAP_TILES_URL.split("/")[:3])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", _TILES_ORIGIN],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (os.environ["SECURE_PROXY_SSL_HEADER"], "https")
# How many proxies of our own stand before the hub, each appending the address it saw to
# X-Forwarded-For. 0 (no proxy): the header is never read, as anyone can send it.
_proxies = os.environ.get("TRUSTED_PROXY_COUNT", "0")
if not (_proxies.isascii() and _proxies.isdigit()):
    raise ImproperlyConfigured(
        f"TRUSTED_PROXY_COUNT must be the number of proxies (0 or more), not {_proxies!r}."
    )
TRUSTED_PROXY_COUNT = ALLAUTH_TRUSTED_PROXY_COUNT = int(_proxies)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
