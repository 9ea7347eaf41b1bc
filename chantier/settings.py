"""Settings for Chantier, read from the environment.

Nothing here needs to be set for a first try: SQLite in var/, DEBUG on. In production set at least
SECRET_KEY, DEBUG=0, ALLOWED_HOSTS and DATABASE_URL (postgres://user:password@host:5432/name).
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default):
    value = os.getenv(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 0 or 1, not {value!r}")


def envlist(name, default):
    value = os.getenv(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def envint(name, default):
    value = os.getenv(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


DEBUG = envbool("DEBUG", True)
SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-not-secret"
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tables2",
    "django_filters",
    "import_export",
    "template_partials",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "django_ratelimit",
    # Lower apps never import higher ones: lib ← partners ← plans ← suivi ← meetings ← notifications ← bilans, tableur, recherche ← demo
    # (README, Layout).
    "partners",
    "plans",
    "suivi",
    "meetings",
    "notifications",
    "bilans",
    "tableur",
    "recherche",
    "demo",  # above them all: the first run's demo accounts and fictional activity (load_demo)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Expiry after SESSION_COOKIE_AGE without a request, without writing the session on every page.
    "lib.sessions.SlidingExpiryMiddleware",
    # Django's: the switch's cookie (set_language), and the response's Content-Language. Where it would
    # follow the browser's Accept-Language, partners.languages.LanguageMiddleware (below) puts fr-CA.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After it: a signed-in person's own choice of language, else the cookie's, else fr-CA (never the
    # browser's Accept-Language: partners.languages says why).
    "partners.languages.LanguageMiddleware",
    # Every page needs a signed-in person unless its view says otherwise (@login_not_required).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Who may do what is decided in each app's rules.py; the account backend (Django's model backend) still
# checks passwords and is_active.
AUTHENTICATION_BACKENDS = [
    # First: it refuses a locked-out sign-in before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "partners.backends.AccountBackend",
]

ROOT_URLCONF = "chantier.urls"
WSGI_APPLICATION = "chantier.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.unread_notifications",
            ],
            "builtins": ["lib.typography"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'var' / 'chantier.sqlite3'}",
        conn_max_age=envint("CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] not in {
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
}:
    raise ImproperlyConfigured("DATABASE_URL must be a sqlite:// or postgres:// address")

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Tests on a file rather than in memory: the browser tests' live server answers several requests at
    # once (htmx loads parts of a page together), and an in-memory database is one connection shared by
    # every thread. One file per test process, so that parallel runs do not meet.
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(tempfile.gettempdir(), f"chantier-test-{os.getpid()}.sqlite3")}
    # Several processes share the file (gunicorn's workers, the tasks worker): readers never wait for a
    # writer (WAL), and a writer takes the lock when its transaction begins (IMMEDIATE), so that a second
    # writer waits its turn (timeout, in seconds) instead of failing halfway with « database is locked ».
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "plans:home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 60 * 60 * 8)
# The age counts from the last request (expiry after inactivity): lib.sessions moves it every few minutes.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = not DEBUG

# HTTPS in production: every plain-HTTP request is redirected and browsers are told (HSTS) to come back
# over HTTPS only. SECURE_SSL_REDIRECT=0 only when the proxy in front redirects by itself. Behind a proxy
# that ends TLS, BEHIND_TLS_PROXY=1 trusts its X-Forwarded-Proto (and, for the logs, the address it appends
# to X-Forwarded-For): set it only when that proxy is the sole way in and overwrites these headers.
BEHIND_TLS_PROXY = envbool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = []  # each addition says why
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # Preloading writes the domain, subdomains included, into browsers' built-in lists for months: the
    # host's decision, not a default. `check --deploy` would warn about it (W021) on every sound setup.
    SILENCED_SYSTEM_CHECKS += ["security.W021"]

# French as spoken in Quebec first: with plain "fr", France's date formats would apply.
LANGUAGE_CODE = "fr-ca"
LANGUAGES = [("fr-ca", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["chantier.formats"]
# The switch's choice, for a year (a signed-in person's is also stored on them: partners.languages).
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "America/Toronto"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded files (steps' proofs, bilans' PDFs, spreadsheets between preview and import) on an S3-compatible
# service when S3_BUCKET is set, so that several app servers share them. The bucket stays private: the app
# reads a file and serves it itself, after its permission check; it never hands out the bucket's address.
S3_BUCKET = os.getenv("S3_BUCKET", "")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.getenv("S3_ENDPOINT_URL") or None,
            "region_name": os.getenv("S3_REGION") or None,
            "access_key": os.getenv("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.getenv("S3_SECRET_ACCESS_KEY") or None,
            "addressing_style": os.getenv("S3_ADDRESSING_STYLE") or None,  # "path" for MinIO and the like
            # Two files of one name on one step are two files, as on disk (the backend overwrites by default).
            "file_overwrite": False,
        },
    }

# The plan page lists every action up to this many; beyond, each objective's actions load as they come into view.
PLAN_PAGE_INLINE_ACTIONS = envint("PLAN_PAGE_INLINE_ACTIONS", 300)

# Files attached to steps (issue 4): 10 MB each at most.
STEP_FILE_MAX_BYTES = envint("STEP_FILE_MAX_BYTES", 10_000_000)
# Child processes that lay out the parts of a long bilan side by side (0: one per core; never more than
# the cores; 1: none, in the task's own process). Each holds one part's layout: a few hundred MB.
BILAN_RENDER_PROCESSES = envint("BILAN_RENDER_PROCESSES", 2)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Uploads (issue 11): a page takes files only if its view says so (lib/uploads.py), and the handler stops
# storing a file once it is past that page's limit. Under 2.5 MB a file stays in memory, on disk above.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "lib.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Files attached to one step, and all the steps' files of one plan together (2 GB).
STEP_FILES_MAX = envint("STEP_FILES_MAX", 10)
PLAN_FILES_MAX_BYTES = envint("PLAN_FILES_MAX_BYTES", 2_000_000_000)

# Background tasks (yearly reports): run at once in development, by `manage.py db_worker` in production.
TASKS = {
    "default": {
        "BACKEND": os.getenv(
            "TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend" if DEBUG else "django_tasks_db.backend.DatabaseBackend",
        )
    }
}

EMAIL_BACKEND = os.getenv("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "chantier@localhost")
# With EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend, the server to send through.
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
# The app's address, for the links of emails sent without a request (reminders, `send_reminders`).
SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000")
# A reminder's one-click links (« Inscrire une étape », « Rien de nouveau ») work this many days, once each
# (notifications/links.py); a password change ends them sooner.
SESAME_MAX_AGE = timedelta(days=envint("REMINDER_LINK_DAYS", 7))
SESAME_TOKEN_NAME = "t"

# The person responsible for personal information (Quebec's Law 25), named on the privacy page; when
# neither is set, the page names the instance administrators (`make_admin`).
PRIVACY_OFFICER_NAME = os.getenv("PRIVACY_OFFICER_NAME", "")
PRIVACY_OFFICER_EMAIL = os.getenv("PRIVACY_OFFICER_EMAIL", "")

# Sign-in guard (django-axes, issue 11). Failures are counted in the database (AccessAttempt), so every app
# server sees the same count. The limits (5 from one client, 20 from everywhere for one username, within
# 30 minutes) are explained in partners/sign_in.py. A further attempt during a lockout starts the 30 minutes
# again (axes' default), so a guesser who keeps trying stays locked out.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_FAILURE_LIMIT = "partners.sign_in.failure_limit"
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_CALLABLE = "partners.sign_in.lockout_response"
# Someone who finally remembers their password starts again from zero.
AXES_RESET_ON_SUCCESS = True
# The client's address as the logs write it (the proxy's X-Forwarded-For entry behind BEHIND_TLS_PROXY).
AXES_CLIENT_IP_CALLABLE = "partners.signals.client_address"
# Successful sign-ins are not written to the database with their address and browser: the app does not
# need them (Law 25); the lockout needs only the failures.
AXES_DISABLE_ACCESS_LOG = True

# A cache shared by every app server: django-ratelimit counts password reset emails in it. Its table is
# created by a migration (partners 0005), and by Django's test runner for the test database.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "chantier_cache"},
}
# django-ratelimit calls the database cache "not atomic": two requests at the same instant may count as
# one. For a limit of a few emails an hour that is a slack of one or two, not an open door.
SILENCED_SYSTEM_CHECKS += ["django_ratelimit.E003", "django_ratelimit.W001"]

# Content-Security-Policy (django-csp): scripts and styles only from the app's own static files, no inline
# script, style or event attribute (their behaviour is in static/js/chantier.js), and no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

# Logging: one line per event on standard error, for the host to collect (journald, docker logs); an
# error's traceback follows on the next lines. Without this, Django logs nothing when DEBUG is off.
# Errors (django.request), refusals (403 in django.request, CSRF in django.security.csrf) and sign-ins
# (chantier.auth: partners/signals.py) all come this way.
LOG_LEVEL = os.getenv("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {LOG_LEVEL!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Local time with its offset (TIME_ZONE): 2026-12-01T18:33:47-0500 INFO chantier.auth sign-in …
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s", "datefmt": "%Y-%m-%dT%H:%M:%S%z"}
    },
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    # Django's loggers hand their records to the root's handler instead of their own (which, with DEBUG
    # off, would only mail the ADMINS nobody set).
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # WeasyPrint and fontTools narrate every step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes announces its configuration at INFO on every start, management commands included;
        # its lockouts are warnings and still reach the log.
        "axes": {"level": "WARNING"},
    },
}
