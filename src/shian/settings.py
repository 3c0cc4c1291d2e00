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
# personal data encrypted at rest (core/crypto.py, docs/security.md "Personal data"): "id:base64key,…" (the first
# encrypts, all decrypt) and the keyed-hash key for exact lookups; development derives both from SECRET_KEY
FIELD_KEYS = required("FIELD_KEYS", "")
FIELD_HASH_KEY = required("FIELD_HASH_KEY", "")
FIELD_CRYPTO_PROVIDER = env("FIELD_CRYPTO_PROVIDER", "shian.core.crypto.AesGcmSha256")
FIELD_CRYPTO_READERS = [p.strip() for p in (env("FIELD_CRYPTO_READERS", "") or "").split(",") if p.strip()]
ALLOWED_HOSTS = [h.strip() for h in required("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in (env("CSRF_TRUSTED_ORIGINS", "") or "").split(",") if o.strip()]
if PRODUCTION:  # what `check --deploy` only warns about is refused outright under the production profile
    if DEBUG:
        raise ImproperlyConfigured("SHIAN_DEBUG must be off when SHIAN_PROFILE=production")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-"):
        raise ImproperlyConfigured(
            "SHIAN_SECRET_KEY is too weak for SHIAN_PROFILE=production: it needs at least 50 characters, "
            "5 of them different (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(50))'`)"
        )
    if "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "SHIAN_ALLOWED_HOSTS may not be * when SHIAN_PROFILE=production: list the site's host names"
        )

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
    "shian.accounts",
    "shian.registry",
    "shian.hazards",
    "shian.supervision",
    "shian.inspections",
    "shian.oversight",
    "shian.selfchecks",
    "shian.twofactor",
]

MIDDLEWARE = [
    # X-Shian-Queries for benchmarks/bench_pages.py; removes itself at start-up unless QUERY_COUNT_HEADER
    "shian.core.querycount.QueryCountMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files, right after SecurityMiddleware
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shian.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "shian.twofactor.middleware.SecondFactorMiddleware",  # a code after the password; enrolment
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "shian.core.middleware.RequestContextMiddleware",
    "shian.core.request_guards.RequestGuardMiddleware",  # body size, JSON depth, multipart, 64-bit integers
    "shian.core.middleware.RejectControlCharactersMiddleware",
    "shian.accounts.middleware.RateLimitMiddleware",  # 429 beyond RATE_LIMIT_* (shared by every process)
    "shian.accounts.middleware.SessionPolicyMiddleware",  # absolute session lifetime, forced password change
]

ROOT_URLCONF = "shian.urls"
SHIAN_API = "shian.api.api"  # the one NinjaAPI (core reads its schema without importing later apps)
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
# Password policy, one preset per deployment (shian.accounts.passwords; docs/security.md):
# dengbao = 等保2.0 L3: >= 8 characters, 3 of 4 classes, changed every 90 days, not one of the last 5;
# asvs = OWASP ASVS 5.0 L2: >= 12 characters, no composition rule, no forced rotation. Both: deny-list.
PASSWORD_POLICIES = {
    "dengbao": {"min_length": 8, "min_classes": 3, "max_age_days": 90, "history": 5},
    "asvs": {"min_length": 12, "min_classes": 0, "max_age_days": 0, "history": 0},
}
PASSWORD_POLICY = env("PASSWORD_POLICY", "dengbao")
if PASSWORD_POLICY not in PASSWORD_POLICIES:
    raise ImproperlyConfigured(f"SHIAN_PASSWORD_POLICY must be 'dengbao' or 'asvs', not {PASSWORD_POLICY!r}")
_policy = PASSWORD_POLICIES[PASSWORD_POLICY]
PASSWORD_MAX_AGE_DAYS = int(env("PASSWORD_MAX_AGE_DAYS", str(_policy["max_age_days"])))  # 0: no rotation
PASSWORD_HISTORY = int(env("PASSWORD_HISTORY", str(_policy["history"])))  # 0: no history kept
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(env("PASSWORD_MIN_LENGTH", str(_policy["min_length"])))},
    },
    {"NAME": "shian.accounts.validators.DenyListValidator"},  # Django's common passwords + Chinese favourites
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    *(
        [{"NAME": "shian.accounts.validators.ComplexityValidator", "OPTIONS": {"min_classes": _policy["min_classes"]}}]
        if _policy["min_classes"]
        else []
    ),
    *(
        [{"NAME": "shian.accounts.validators.HistoryValidator", "OPTIONS": {"count": PASSWORD_HISTORY}}]
        if PASSWORD_HISTORY
        else []
    ),
    # not a rule: after any new password is saved, restart its clock, keep history, revoke API tokens
    {"NAME": "shian.accounts.validators.PasswordChangedHook"},
]
# sign-in lockout per account name (also unknown names) and throttle per source address (accounts.throttle)
LOGIN_MAX_FAILURES = int(env("LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_SECONDS = int(env("LOGIN_LOCKOUT_SECONDS", "300"))
LOGIN_IP_MAX_FAILURES = int(env("LOGIN_IP_MAX_FAILURES", "30"))
LOGIN_IP_WINDOW_SECONDS = int(env("LOGIN_IP_WINDOW_SECONDS", "900"))
LOGIN_IP_LOCKOUT_SECONDS = int(env("LOGIN_IP_LOCKOUT_SECONDS", "900"))
# request-rate limits ("requests/seconds"; accounts.middleware): anonymous writes and API calls per source
# address; API calls per token or account. Counted in the database, or in Redis when SHIAN_REDIS_URL is set.
RATE_LIMIT_ANONYMOUS = env("RATE_LIMIT_ANONYMOUS", "60/60")
RATE_LIMIT_API = env("RATE_LIMIT_API", "1200/60")
SESSION_ABSOLUTE_SECONDS = int(env("SESSION_ABSOLUTE_SECONDS", str(12 * 3600)))  # however active the session
SESSION_COOKIE_AGE = int(env("SESSION_IDLE_SECONDS", "900"))  # idle timeout: renewed on every request
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
API_TOKEN_TTL_DAYS = int(env("API_TOKEN_TTL_DAYS", "30"))

# KPI snapshots (core.snapshots): figures older than this are shown with a warning; writes that change a
# region's figures queue its recompute (off: only the hourly run and the refresh button)
KPI_SNAPSHOT_STALE_MINUTES = float(env("KPI_SNAPSHOT_STALE_MINUTES", "90"))
KPI_SNAPSHOT_AUTO_REFRESH = env_bool("KPI_SNAPSHOT_AUTO_REFRESH", True)
# X-Shian-Queries / X-Shian-Query-Ms response headers for the page-speed benchmark (core.querycount)
QUERY_COUNT_HEADER = env_bool("QUERY_COUNT_HEADER", False)
API_TOKEN_MAX_PER_USER = int(env("API_TOKEN_MAX_PER_USER", "5"))  # unexpired tokens one account may hold
# second factor (shian.twofactor, TOTP): regulators and the administrator must enrol when enforced (on in
# production; off in development so the demo logins work); an account with an authenticator always gives a code
MFA_ENFORCE = env_bool("MFA_ENFORCE", PRODUCTION)
MFA_ISSUER = env("MFA_ISSUER", "ShiAn")  # the name authenticator apps show
MFA_REAUTH_SECONDS = int(env("MFA_REAUTH_SECONDS", "300"))  # re-authentication is valid this long
MFA_MAX_FAILURES = int(env("MFA_MAX_FAILURES", "5"))  # wrong codes/passwords within MFA_LOCKOUT_SECONDS lock
MFA_LOCKOUT_SECONDS = int(env("MFA_LOCKOUT_SECONDS", "300"))
# views that need a re-authentication within MFA_REAUTH_SECONDS (password, and code if enrolled), by URL name,
# for views that cannot take twofactor.decorators.require_recent_auth themselves (core imports no later app)
MFA_REAUTH_VIEWS: list[str] = ["core:token_create", "accounts:password_change"]

# --- audit log: hash chain, anchors, client address (core.auditchain, docs/security.md) ---------
AUDIT_KEY = required("AUDIT_KEY", "")  # the chain's MAC key; development: derived from SECRET_KEY
if PRODUCTION and len(AUDIT_KEY) < 32:
    raise ImproperlyConfigured("SHIAN_AUDIT_KEY must be at least 32 characters (e.g. `openssl rand -hex 32`)")
AUDIT_OLD_KEYS = [k.strip() for k in (env("AUDIT_OLD_KEYS", "") or "").split(",") if k.strip()]  # retired keys
AUDIT_HASH = env("AUDIT_HASH", "hmac-sha256")  # or hmac-sm3 (OpenSSL with SM3)
AUDIT_ANCHOR_FILE = env("AUDIT_ANCHOR_FILE", str(DATA_DIR / "audit-anchors.jsonl"))
# proxies (addresses or CIDRs) whose X-Forwarded-For is believed; the client is the right-most other hop
TRUSTED_PROXIES = [p.strip() for p in (env("TRUSTED_PROXIES", "") or "").split(",") if p.strip()]
TRUSTED_PROXY_HEADER = env("TRUSTED_PROXY_HEADER", "X-Forwarded-For")

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
# what an uploaded spreadsheet may hold (core.spreadsheets; docs/security.md "Spreadsheet uploads")
IMPORT_MAX_ROWS = int(env("IMPORT_MAX_ROWS", "200000"))  # data rows
IMPORT_MAX_COLUMNS = int(env("IMPORT_MAX_COLUMNS", "100"))
IMPORT_MAX_CELLS = int(env("IMPORT_MAX_CELLS", "6000000"))  # first to last used cell, as a rectangle
IMPORT_MAX_CELL_CHARS = int(env("IMPORT_MAX_CELL_CHARS", "32767"))
IMPORT_XLSX_MAX_UNCOMPRESSED = int(env("IMPORT_XLSX_MAX_UNCOMPRESSED", str(512 * 1024 * 1024)))  # bytes
IMPORT_XLSX_MAX_RATIO = int(env("IMPORT_XLSX_MAX_RATIO", "200"))  # inflation of one part over 1 MB
IMPORT_XLSX_MAX_ENTRIES = int(env("IMPORT_XLSX_MAX_ENTRIES", "1000"))
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
