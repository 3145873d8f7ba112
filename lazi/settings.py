"""LAZI settings, by section. Every value comes from the environment (or a `.env` file beside manage.py).

The embedded default (no DATABASE_URL, no REDIS_URL) runs on a SQLite file with tasks executed in-process,
so a newcomer sees LAZI work without any server. Production sets DATABASE_URL (PostgreSQL) and REDIS_URL.
"""

import os
import tempfile
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A .env file is optional; real environment variables always win over it.
if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"), overwrite=False)

# --- Core -----------------------------------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Development values only when DEBUG: a production deployment without a real key refuses to start.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="lazi-dev-only-insecure-key" if DEBUG else environ.Env.NOTSET)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# LAZI's own apps: the integration core first, then one app per ServiceTitan module (the API mounts each one).
LAZI_APPS = [
    "servicetitan",
    "pricebook",
    "crm",
    "jobs",
    "dispatch",
    "accounting",
    "inventory",
    "sales",
    "memberships",
    "tenants",
]

INSTALLED_APPS = [
    # Django's admin with LAZI's site: a start page for staff, the pricebook first (servicetitan/admin_site.py).
    "servicetitan.admin_site.LaziAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc from our own static files: /api/docs/ works offline
    "django_celery_beat",
    *LAZI_APPS,
]
# The dev tools (the ServiceTitan simulator `st_simulator`, the benchmarks `st_bench`) are an app of their own, installed
# by default because the demo, the tests and the benchmarks need them. A production deployment sets
# LAZI_DEV_TOOLS=false: nothing in the core imports them, so LAZI runs the same without.
LAZI_DEV_TOOLS = env.bool("LAZI_DEV_TOOLS", default=True)
if LAZI_DEV_TOOLS:
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves the admin's static files from the web process in production (after collectstatic).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "lazi.urls"
WSGI_APPLICATION = "lazi.wsgi.application"

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

# --- HTTPS (deployments behind TLS) ------------------------------------------------------------------------------------
# DJANGO_SECURE=true turns on what `manage.py check --deploy` asks for: HTTPS redirect, HSTS, secure cookies. Behind a
# proxy that terminates TLS, DJANGO_SECURE_PROXY_SSL_HEADER=true trusts its X-Forwarded-Proto header.
SECURE = env.bool("DJANGO_SECURE", default=False)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=SECURE)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31_536_000 if SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=SECURE)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=SECURE)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE
if env.bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Database -------------------------------------------------------------------------------------------------------
# Embedded default: a SQLite file in the project. Production: DATABASE_URL=postgres://…
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Syncs write while the admin reads; WAL plus a busy timeout keeps SQLite from answering "database is locked".
    # BEGIN IMMEDIATE takes the write lock when a transaction starts: a deferred one that reads, then writes after
    # another writer committed, fails at once (its snapshot is stale), whatever the timeout (two pushes claiming).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
    # Tests run on a file as well (one per process): Django's default test database, a shared in-memory one, locks
    # whole tables and answers "database table is locked" at once, without waiting, so threads could not race.
    DATABASES["default"].setdefault("TEST", {}).setdefault(
        "NAME", str(Path(tempfile.gettempdir()) / f"lazi-test-{os.getpid()}.sqlite3")
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Redis ---------------------------------------------------------------------------------------------------
# REDIS_URL holds everything that must be shared by every process of a deployment: the OAuth token, the request
# budget, the sync locks, and the Celery broker. Unset, they live in this process (fine for one process only).
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lazi"}}

# --- Celery ---------------------------------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Without a broker, tasks run in-process at enqueue time (the embedded default).
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# Syncs run for minutes: acknowledge after the work, fetch one task at a time, so a killed worker's task is redone.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A task a lost worker never acknowledged is redelivered after this many seconds. Pushes take seconds; a sync that
# outlives it is redelivered while running and then skipped by the sync lock (it only leaves a follow-up request), so
# one hour fits both: a killed worker's work is redone within the hour, not after six.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"

# --- ServiceTitan ---------------------------------------------------------------------------------------------------
SERVICE_TITAN = {
    "CLIENT_ID": env("SERVICE_TITAN_CLIENT_ID", default=""),
    "CLIENT_SECRET": env("SERVICE_TITAN_CLIENT_SECRET", default=""),
    "APP_KEY": env("SERVICE_TITAN_APP_KEY", default=""),
    "TENANT_ID": env("SERVICE_TITAN_TENANT_ID", default=""),
    "API_URL": env("SERVICE_TITAN_API_URL", default="https://api.servicetitan.io").rstrip("/"),
    "AUTH_URL": env("SERVICE_TITAN_AUTH_URL", default="https://auth.servicetitan.io").rstrip("/"),
    # The request budget shared by every process. ServiceTitan publishes 60 requests/second per app per tenant;
    # the default stays below it. 0 disables a window (e.g. the reference's 60/min + 3600/h + 10 concurrent is
    # RATE_PER_SECOND=0 RATE_PER_MINUTE=60 RATE_PER_HOUR=3600 MAX_CONCURRENCY=10).
    "RATE_PER_SECOND": env.int("SERVICE_TITAN_RATE_PER_SECOND", default=50),
    "RATE_PER_MINUTE": env.int("SERVICE_TITAN_RATE_PER_MINUTE", default=0),
    "RATE_PER_HOUR": env.int("SERVICE_TITAN_RATE_PER_HOUR", default=0),
    "MAX_CONCURRENCY": env.int("SERVICE_TITAN_MAX_CONCURRENCY", default=10),
    # Attempts per request for 429/5xx/timeouts/broken bodies, and the backoff base in seconds.
    "MAX_ATTEMPTS": env.int("SERVICE_TITAN_MAX_ATTEMPTS", default=6),
    "BACKOFF_BASE": env.float("SERVICE_TITAN_BACKOFF_BASE", default=0.5),
    "BACKOFF_MAX": env.float("SERVICE_TITAN_BACKOFF_MAX", default=60.0),
    # ServiceTitan's own server timeout is 100 s; wait a little longer before giving up on a read.
    "CONNECT_TIMEOUT": env.float("SERVICE_TITAN_CONNECT_TIMEOUT", default=10.0),
    "READ_TIMEOUT": env.float("SERVICE_TITAN_READ_TIMEOUT", default=110.0),
    # Page size for list endpoints (ServiceTitan allows 1..5000).
    "PAGE_SIZE": env.int("SERVICE_TITAN_PAGE_SIZE", default=5000),
    # List endpoints without export are read from the last seen modifiedOn minus this overlap, so a record changed
    # while the previous run was paging (ServiceTitan does not order lists) is not missed.
    "SYNC_OVERLAP_SECONDS": env.int("SERVICE_TITAN_SYNC_OVERLAP_SECONDS", default=600),
    # Inbound webhooks: the HMAC key; the header carrying the signature (ServiceTitan's exact V2 header name is not
    # settled in its public material); HMAC may be turned off only explicitly (`false`), never by a missing secret.
    "WEBHOOK_SECRET": env("SERVICE_TITAN_WEBHOOK_SECRET", default=""),
    "WEBHOOK_SIGNATURE_HEADER": env("SERVICE_TITAN_WEBHOOK_SIGNATURE_HEADER", default="X-ServiceTitan-Signature"),
    "WEBHOOK_HMAC": env.bool("SERVICE_TITAN_WEBHOOK_HMAC", default=True),
    # A delivery whose timestamp is older (or further in the future) than this many seconds is refused; covers
    # ServiceTitan's retries (10, 30, 60, 300 s). 0 turns the check off.
    "WEBHOOK_MAX_AGE_SECONDS": env.int("SERVICE_TITAN_WEBHOOK_MAX_AGE_SECONDS", default=900),
}

# --- Tenants ----------------------------------------------------------------------------------------------------------
# The Fernet key (urlsafe base64, 32 bytes: `python -c "from cryptography.fernet import Fernet;
# print(Fernet.generate_key().decode())"`) encrypting the tenants' client secrets, app keys and webhook keys at rest.
# Required in production to store a secret; in DEBUG/tests without it a key derived from SECRET_KEY is used (warned).
# Changing it makes stored secrets unreadable: type them again in the admin.
LAZI_ENCRYPTION_KEY = env("LAZI_ENCRYPTION_KEY", default="")
# Read once here, from DJANGO_DEBUG: tests run with DEBUG turned off by pytest-django yet keep the development key.
LAZI_ENCRYPTION_DEV_FALLBACK = DEBUG

# --- Logs kept in the database ------------------------------------------------------------------------------------------
# Webhook deliveries and sync runs older than this many days are deleted by a scheduled task (`setup_schedules`); the
# latest run and the latest successful run of every entity are always kept.
LAZI_LOG_RETENTION_DAYS = env.int("LAZI_LOG_RETENTION_DAYS", default=30)

# --- Pricebook overrides ----------------------------------------------------------------------------------------------
PRICEBOOK_IMAGE_MAX_BYTES = env.int("PRICEBOOK_IMAGE_MAX_BYTES", default=5 * 1024 * 1024)
# Minutes after which an override left "pushing" (its worker was killed) is pending again and retried by the next push
# (the safety-net schedule runs every 5 minutes). Longer than one push batch takes; read in seconds by the push code.
PRICEBOOK_PUSH_STALE_AFTER = env.float("PRICEBOOK_PUSH_STALE_AFTER", default=5) * 60
# Items per `PATCH /pricebook` batch push (a rejected batch is split, so good items still go).
PRICEBOOK_PUSH_BATCH_SIZE = env.int("PRICEBOOK_PUSH_BATCH_SIZE", default=500)
# ServiceTitan's images shown in the admin are kept in the Django cache: at most this many bytes in all (the oldest go
# first; one image larger than a quarter of it is never kept), each for this many seconds.
PRICEBOOK_IMAGE_CACHE_BYTES = env.int("PRICEBOOK_IMAGE_CACHE_BYTES", default=64 * 1024 * 1024)
PRICEBOOK_IMAGE_CACHE_SECONDS = env.int("PRICEBOOK_IMAGE_CACHE_SECONDS", default=24 * 3600)
# Pricebook health: how far (in %) a price may sit from the markup its rule (or the tier table) gives before it is
# "off the tier", when the rule names no tolerance of its own.
PRICEBOOK_HEALTH_TIER_TOLERANCE = env.str("PRICEBOOK_HEALTH_TIER_TOLERANCE", default="5")

# --- REST API ---------------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["servicetitan.api.permissions.ModelPermissionsWithView"],
    "DEFAULT_FILTER_BACKENDS": [
        # The request's tenant only (X-LAZI-Tenant / ?tenant=): lists, details, search, exports.
        "tenants.api.scoping.TenantScopeFilter",
        "servicetitan.api.filters.KnownQueryParameters",
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        # `?ordering=` answered 400 for an unknown name, ended on a unique key (stable pages).
        "servicetitan.api.filters.DeclaredOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "servicetitan.api.pagination.LaziPagination",
    # ServiceTitan's errors answered in words by every view (unreachable or unconfigured: 503; refused: 400).
    "EXCEPTION_HANDLER": "servicetitan.api.errors.exception_handler",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "LAZI API",
    "DESCRIPTION": "The ServiceTitan mirror: pricebook, CRM, jobs, dispatch, accounting, inventory, sales (estimates), memberships.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # No anonymous access anywhere in the API, its schema and docs included.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Every operation documents the tenant header and `?tenant=` (tenants.api.scoping).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tenants.api.scoping.tenant_parameters",
    ],
    # Several models have a `status`: each choice set gets its own name.
    "ENUM_NAME_OVERRIDES": {
        "RepriceBatchStatusEnum": "pricebook.models.RepriceBatch.Status",
        "RepriceRowStatusEnum": "pricebook.models.RepriceRow.Status",
        # `item_type`: the four kinds an override has, and the three priced SKU kinds (rules, sales per item).
        "OverrideItemTypeEnum": "pricebook.models.PricebookOverride.ItemType",
        "SkuItemTypeEnum": "pricebook.models.PricingRule.ItemType",
        # The central pricebook's mapping review: the SKU kinds and categories (matched by path).
        "CentralMappingItemTypeEnum": "pricebook.models_central.MAPPING_ITEM_TYPES",
        # `type`: a customer's contact is a phone number, an e-mail address or a fax (ServiceTitan's ContactType).
        # (A customer's `type` keeps the name it had alone.)
        "ContactTypeEnum": "crm.models.CustomerContact.Type",
        "TypeEnum": "crm.models.Customer.Type",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Auth, i18n, static -----------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
# Dates and times in one format with the time zone wherever staff read them (lazi/formats/en/formats.py).
FORMAT_MODULE_PATH = ["lazi.formats"]
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Whitenoise reads STATIC_ROOT at start-up; without collectstatic (development, tests) it is empty but present.
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media"))
LOGIN_URL = "admin:login"

# --- Logging ----------------------------------------------------------------------------------------------------------
# Every handler passes through the redaction filter, so a token or secret can't reach a log line by accident.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "servicetitan.logging.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": env("LAZI_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
