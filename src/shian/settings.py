"""ShiAn settings: one module, fed by SHIAN_* environment variables.

SHIAN_PROFILE=development (default) or production. In production every required
setting must be given, and ``manage.py check --deploy`` is clean.
"""

import contextlib
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"SHIAN_{name}", default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


PROFILE = env("PROFILE", "development")
if PROFILE not in {"development", "production"}:
    raise ImproperlyConfigured(f"SHIAN_PROFILE must be 'development' or 'production', not {PROFILE!r}")
PRODUCTION = PROFILE == "production"


def required(name: str, dev_default: str) -> str:
    value = env(name)
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"SHIAN_{name} must be set when SHIAN_PROFILE=production")
    return dev_default


DATA_DIR = Path(env("DATA_DIR", str(PROJECT_DIR / "var")))
DEBUG = env_bool("DEBUG", not PRODUCTION)
SECRET_KEY = required("SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789abcdef")
ALLOWED_HOSTS = [h.strip() for h in required("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in (env("CSRF_TRUSTED_ORIGINS", "") or "").split(",") if o.strip()]

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
    "ninja",
    "shian.core",
    "shian.registry",
    "shian.hazards",
    "shian.supervision",
    "shian.inspections",
    "shian.oversight",
    "shian.selfchecks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files, right after SecurityMiddleware
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shian.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "shian.core.middleware.RequestContextMiddleware",
    "shian.core.middleware.RejectControlCharactersMiddleware",
]

ROOT_URLCONF = "shian.urls"
API_OBJECT = "shian.api.api"  # the one NinjaAPI (every app's router), for `shian export_openapi`
WSGI_APPLICATION = "shian.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "core:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shian.core.context_processors.navigation",
            ],
        },
    }
]

# --- database --------------------------------------------------------------------------
DEFAULT_SQLITE = f"sqlite:///{DATA_DIR / 'shian.sqlite3'}"
# Persistent connections (seconds; each gunicorn thread keeps its own), checked before reuse.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", DEFAULT_SQLITE), conn_max_age=int(env("CONN_MAX_AGE", "60")), conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = int(env("CONN_MAX_AGE", "0"))
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers and one writer work at once; IMMEDIATE avoids lock-upgrade deadlocks.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- background tasks (Django's tasks API through the django-tasks backport) -------------
# Default: the database is the queue (`shian db_worker`). At scale: SHIAN_TASKS_BACKEND=
# django_tasks_rq.RQBackend with SHIAN_REDIS_URL (install the `rq` extra; workers: `shian rqworker default`).
TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
if env("REDIS_URL"):
    RQ_QUEUES = {"default": {"URL": env("REDIS_URL")}}
if TASKS["default"]["BACKEND"].startswith("django_tasks_rq."):
    INSTALLED_APPS.append("django_rq")  # its queues (RQ_QUEUES) and the `rqworker` command
JOBS_HEARTBEAT_SECONDS = float(env("JOBS_HEARTBEAT_SECONDS", "10"))
JOBS_STALE_SECONDS = float(env("JOBS_STALE_SECONDS", "300"))  # a running job silent this long has lost its worker
SCHEDULER_TIME_ZONE = env("SCHEDULER_TIME_ZONE", "Asia/Shanghai")

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if env("REDIS_URL"):
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("REDIS_URL")}

# --- authentication and sessions (等保2.0 level 3 / ASVS L2, see docs/security.md) ------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(env("PASSWORD_MIN_LENGTH", "10"))},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_MAX_FAILURES = int(env("LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_SECONDS = int(env("LOGIN_LOCKOUT_SECONDS", "300"))
SESSION_COOKIE_AGE = int(env("SESSION_IDLE_SECONDS", "900"))  # idle timeout: renewed on every request
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
API_TOKEN_TTL_DAYS = int(env("API_TOKEN_TTL_DAYS", "30"))

# --- internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- static and uploaded files --------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise serves /static/ from STATIC_ROOT. Under the production profile and under `shian serve
# --production` (which sets SHIAN_STATIC_MANIFEST=1 and runs collectstatic) the files are hashed and
# pre-compressed (gzip), so they can be cached for ever; the dev server serves them from the apps.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", PRODUCTION)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
IMPORT_MAX_BYTES = int(env("IMPORT_MAX_BYTES", str(50 * 1024 * 1024)))
IMPORT_SYNC_MAX_ROWS = int(env("IMPORT_SYNC_MAX_ROWS", "2000"))  # larger files are imported by a background job
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- security headers -----------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env("HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "shian": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
        # server errors (500s) are logged with their traceback also when DEBUG is off
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

# the SQLite data directory must exist before the first connection
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
# WhiteNoise looks for the collected static files at start-up; the folder exists before collectstatic
with contextlib.suppress(OSError):  # a read-only deployment collects static files at build time
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
