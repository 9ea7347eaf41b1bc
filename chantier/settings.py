"""Settings for Chantier, read from the environment.

Nothing here needs to be set for a first try: SQLite in var/, DEBUG on. In production set at least
SECRET_KEY, DEBUG=0, ALLOWED_HOSTS and DATABASE_URL (postgres://user:password@host:5432/name).
"""

import os
import tempfile
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
    # Lower apps never import higher ones: lib ← partners ← plans ← suivi ← bilans, tableur (README, Layout).
    "partners",
    "plans",
    "suivi",
    "bilans",
    "tableur",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # No LocaleMiddleware yet: the English catalogue does not exist, and a browser set to English would
    # get Django's own strings in English beside ours in French. Everyone gets fr-CA until it does.
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a signed-in person unless its view says otherwise (@login_not_required).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

# Who may do what is decided in each app's rules.py; the account backend (Django's model backend) still
# checks passwords and is_active.
AUTHENTICATION_BACKENDS = [
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
            ],
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
SESSION_SAVE_EVERY_REQUEST = True  # the age counts from the last request: expiry after inactivity
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG

# French as spoken in Quebec first: with plain "fr", France's date formats would apply.
LANGUAGE_CODE = "fr-ca"
LANGUAGES = [("fr-ca", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
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

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"
