"""Settings, read from the environment.

With nothing set (and DEBUG=1) the app runs embedded: SQLite, eager Celery, console e-mail,
local media. DATABASE_URL and REDIS_URL switch it to PostgreSQL and real Celery workers.
Every variable is listed in README.md.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for a local run)."
        )
    SECRET_KEY = "insecure-local-development-key-not-for-production"  # noqa: S105

# Fernet keys for complainant contact data; the first encrypts, all decrypt (rotation).
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
if not FIELD_ENCRYPTION_KEYS and not DEBUG:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set when DEBUG is off.")

# Key of the blind indexes (keyed digests of phones and chat senders, for look-ups on encrypted
# data). Empty: derived from SECRET_KEY, as before this setting existed; set it before rotating
# SECRET_KEY, to the old SECRET_KEY, or every index stops matching.
BLIND_INDEX_KEY = os.environ.get("BLIND_INDEX_KEY", "")
# Raw chat message bodies (with senders' phone numbers and names) are emptied this many days
# after they arrived (intake.tasks.raw_messages_purge, nightly).
RAW_MESSAGE_RETENTION_DAYS = int(os.environ.get("RAW_MESSAGE_RETENTION_DAYS", "90"))

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "csp",
    "viewflow",
    "viewflow.workflow",
    "casework",
    "contractors",
    "oversight",
    "projects",
    "ratings",
    "portal",
    "workflows",
    "intake",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: turns a lockout found while logging in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
# The chat webhooks' own URL conf, used by their lean handler (config/wsgi.py).
WEBHOOK_URLCONF = "intake.webhook_urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "config.context_processors.baqylau",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for the write lock instead of failing at once; concurrent requests are rare here.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out user name and address is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/staff/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Kazakhstan has been on UTC+5 everywhere since 1 March 2024; tzdata ships that rule.
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Almaty")
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "ru")
LANGUAGES = [
    ("kk", _("Kazakh")),
    ("ru", _("Russian")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Kazakh date and number formats (Django ships none for kk).
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Originals of uploaded photos (with location EXIF) live outside MEDIA_ROOT: never served.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "media-private"))
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", 15 * 1024 * 1024))
# Memory one photo's pixels may take once decoded (casework/uploads.py): 128 MiB holds a
# 24-megapixel HEIC or PNG; a larger JPEG is decoded at a reduced scale, anything else is refused.
IMAGE_DECODE_MAX_BYTES = int(os.environ.get("IMAGE_DECODE_MAX_BYTES", 128 * 1024 * 1024))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "baqylau@localhost")

# Projects' site cameras (projects/camera_fetch.py): snapshots are fetched only from these hosts
# (comma-separated; ".example.kz" allows its subdomains), never from a non-public address.
PROJECT_CAMERA_HOSTS = env_list("PROJECT_CAMERA_HOSTS")
# Origins (scheme://host[:port]) the live HLS streams come from: allowed by the page's CSP.
PROJECT_CAMERA_STREAM_ORIGINS = env_list("PROJECT_CAMERA_STREAM_ORIGINS")
PROJECT_CAMERA_TIMEOUT_S = float(os.environ.get("PROJECT_CAMERA_TIMEOUT_S", "10"))
PROJECT_CAMERA_MAX_BYTES = int(os.environ.get("PROJECT_CAMERA_MAX_BYTES", 5 * 1024 * 1024))
# A camera is shown offline after this many failed snapshots in a row.
PROJECT_CAMERA_OFFLINE_AFTER = int(os.environ.get("PROJECT_CAMERA_OFFLINE_AFTER", "3"))

# Public address of the site, used in links sent to citizens (tracking pages).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

REDIS_URL = os.environ.get("REDIS_URL", "")
# Embedded mode: an in-process broker, named with a host so that kombu does not warn "No hostname
# was supplied" each time a task is sent (it did, on every page of `make run` that queued a job).
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# A dead broker must not hang a request: publishing gives up fast and the outbox relay retries.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 0, "socket_connect_timeout": 2}
CELERY_TASK_PUBLISH_RETRY = False

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "workflows.api.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Baqylau API",
    "DESCRIPTION": "Public-works complaint cases: lifecycle, audit events, deadlines.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The schema and its browser are for signed-in users (staff, API clients with a token).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Several models have a `status`: each enum gets a name of its own.
    "ENUM_NAME_OVERRIDES": {
        "InquiryStatusEnum": "oversight.models.Inquiry.Status",
        "SanctionStatusEnum": "oversight.models.Sanction.Status",
        "RedFlagStatusEnum": "oversight.models.RedFlagHit.Status",
    },
}

# Map tiles for Leaflet maps; empty shows markers on a blank background (tests, offline sites).
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_ATTRIBUTION = os.environ.get("MAP_ATTRIBUTION", "© OpenStreetMap contributors")
# The public map's tiles (portal): OpenStreetMap's own servers are for development only (their
# tile usage policy forbids heavy use); production sets a tile server of its own. Empty: no tiles.
MAP_TILES_URL = os.environ.get("MAP_TILES_URL", MAP_TILE_URL)
MAP_TILES_ATTRIBUTION = os.environ.get("MAP_TILES_ATTRIBUTION", MAP_ATTRIBUTION)
# A complaint within this many metres of a project's place, while the works run or the warranty
# holds, is linked to the project (projects/linking.py).
PROJECT_CASE_BUFFER_M = float(os.environ.get("PROJECT_CASE_BUFFER_M", "30"))


def _origin(url: str) -> list[str]:
    """The scheme and host of a URL (or tile URL template), for the Content-Security-Policy."""
    parts = urlsplit(url.replace("{s}", "*"))
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme and parts.netloc else []


# Region prefix used for tracking codes when a case's region has none (should not happen).
DEFAULT_TRACKING_PREFIX = "KZ"

# Login throttling (django-axes), for the staff login and the admin's: after LOGIN_FAILURE_LIMIT
# wrong passwords for one user name from one address, that pair is refused (even with the right
# password) for LOGIN_LOCKOUT_MINUTES after its last failure. Attempts and logins are kept in
# the database (admin: "Axes") and each lockout is logged.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=float(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_CLIENT_IP_CALLABLE = "casework.client_ip.client_ip"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# A staff login lasts one working day, not Django's two weeks.
SESSION_COOKIE_AGE = int(float(os.environ.get("SESSION_HOURS", "8")) * 3600)

# HTTPS only, in production: plain HTTP is redirected and browsers are told (HSTS) never to try
# it again. Both follow SECURE_COOKIES (off only where the site is served over plain HTTP, such
# as the smoke test on loopback). The probes answer over plain HTTP on loopback.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SESSION_COOKIE_SECURE)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = int(
    os.environ.get("SECURE_HSTS_SECONDS", "31536000" if SESSION_COOKIE_SECURE else "0")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Asking browsers to preload HTTPS binds the whole domain and takes months to undo: a decision
# for the domain's owner (SECURE_HSTS_PRELOAD=1), not a default.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Content-Security-Policy (django-csp): scripts, styles, fonts and fetches from this site only;
# images also from the map tile server. Inline style attributes are allowed (progress bars,
# Leaflet, Swagger UI); inline scripts are not (every script is a static file).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [
            SELF,
            "data:",
            "blob:",
            *dict.fromkeys(_origin(MAP_TILE_URL) + _origin(MAP_TILES_URL)),
        ],
        "font-src": [SELF],
        # Site cameras' live streams (hls.js reads the playlist and segments, then plays them
        # from a blob: MediaSource): PROJECT_CAMERA_STREAM_ORIGINS, e.g. https://cam.example.kz.
        "connect-src": [SELF, *PROJECT_CAMERA_STREAM_ORIGINS],
        "media-src": [SELF, "blob:", *PROJECT_CAMERA_STREAM_ORIGINS],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}


# ---------------------------------------------------------------------------------------------
# Production deployment (deploy/): proxy, databases, storage, queues, health, logs, errors.
# Every variable is in README's "Running for real"; the pieces are in deploy/.
# ---------------------------------------------------------------------------------------------

# nginx terminates TLS and overwrites X-Forwarded-Proto (deploy/nginx/baqylau.conf); gunicorn
# listens on loopback only, so nobody else can set the header.
if env_bool("BEHIND_PROXY", not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Per-address limits (intake/throttle.py) then take the client's address from the last
# X-Forwarded-For entry, which nginx appends; REMOTE_ADDR is nginx itself.
CLIENT_IP_FROM_FORWARDED_FOR = env_bool("BEHIND_PROXY", not DEBUG)
# Photos and report files: Django checks who asks, then nginx sends the bytes from its internal
# locations (X-Accel-Redirect). Off: Django streams them itself (development, tests).
MEDIA_ACCEL_REDIRECT = env_bool("MEDIA_ACCEL_REDIRECT")

# Behind PgBouncer in transaction mode a connection is not ours between transactions: no
# server-side cursors, no prepared statements on it. The webhooks' prepared store statement then
# goes to PostgreSQL directly through DATABASE_DIRECT_URL (the `direct` alias).
DB_PGBOUNCER = env_bool("DB_PGBOUNCER")
if DB_PGBOUNCER:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
for _alias, _variable in (("replica", "DATABASE_REPLICA_URL"), ("direct", "DATABASE_DIRECT_URL")):
    if os.environ.get(_variable):
        DATABASES[_alias] = dj_database_url.parse(
            os.environ[_variable], conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]
        )
        DATABASES[_alias]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["casework.replica.ReplicaRouter"]

# Media: local disk by default; MEDIA_STORAGE=s3 puts public copies, originals and report files
# in a private S3-compatible bucket, handed out only as short-lived signed URLs.
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "local")
if MEDIA_STORAGE not in ("local", "s3"):
    raise ImproperlyConfigured("MEDIA_STORAGE must be 'local' or 's3'.")
MEDIA_URL_EXPIRE = int(os.environ.get("MEDIA_URL_EXPIRE", "60"))


def _s3(prefix: str) -> dict:
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("S3_BUCKET", "baqylau-media"),
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION", "us-east-1"),
            "access_key": os.environ.get("S3_ACCESS_KEY_ID", ""),
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY", ""),
            "location": prefix,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": MEDIA_URL_EXPIRE,
            "file_overwrite": False,
            "signature_version": "s3v4",
            "addressing_style": os.environ.get("S3_ADDRESSING_STYLE", "path"),
        },
    }


if MEDIA_STORAGE == "s3":
    STORAGES = {
        "default": _s3("public"),
        "private": _s3("private"),
        "reports": _s3("reports"),
    }
else:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {"BACKEND": "casework.media.PrivateFileSystemStorage"},
        "reports": {"BACKEND": "casework.media.ReportFileSystemStorage"},
    }
if MEDIA_STORAGE == "s3":
    # Photos are handed out as redirects to signed URLs of the bucket: images come from there too.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] += _origin(
        os.environ.get("S3_ENDPOINT_URL") or "https://*.amazonaws.com"
    )
STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    if DEBUG
    else "config.staticfiles.HashedStaticFilesStorage"
}

# Celery: three queues, so that a month's reports never delay a citizen's reply. The broker may
# be Redis Sentinel: REDIS_URL=sentinel://host:26379;sentinel://host2:26379 with
# REDIS_SENTINEL_MASTER naming the master.
CELERY_TASK_DEFAULT_QUEUE = "default"
# Outbox jobs: each kind names its queue where its handler is registered (casework/outbox.py):
# messages to citizens and over the chat platforms run as the outbox_notify_* tasks on `notify`,
# so a platform that keeps failing never delays staff e-mail or intake, which run on `default`.
CELERY_TASK_ROUTES = {
    "reports.tasks.report_run": {"queue": "reports"},
    "reports.tasks.monthly_schedule": {"queue": "reports"},
    "portal.tasks.open_data_dump": {"queue": "reports"},
    "casework.tasks.outbox_notify_run": {"queue": "notify"},
    "casework.tasks.outbox_notify_run_many": {"queue": "notify"},
}
# Outbox retries: a failed job waits OUTBOX_RETRY_BASE_S * 2**attempts seconds (60 s, 2 min,
# 4 min, ... about two hours over its 8 attempts). A copy handed to the broker that no worker
# claimed within OUTBOX_REQUEUE_AFTER_S (lost when Redis restarted without its data) is handed
# over again by the relay.
OUTBOX_RETRY_BASE_S = float(os.environ.get("OUTBOX_RETRY_BASE_S", "30"))
OUTBOX_REQUEUE_AFTER_S = float(os.environ.get("OUTBOX_REQUEUE_AFTER_S", "600"))
REDIS_SENTINEL_MASTER = os.environ.get("REDIS_SENTINEL_MASTER", "")
if REDIS_URL.startswith("sentinel://"):
    if not REDIS_SENTINEL_MASTER:
        raise ImproperlyConfigured("REDIS_SENTINEL_MASTER must name the master for sentinel://.")
    _sentinel_options = {
        "master_name": REDIS_SENTINEL_MASTER,
        "socket_timeout": 2,
        "socket_connect_timeout": 2,
    }
    CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, **_sentinel_options}
    CELERY_BROKER_TRANSPORT_OPTIONS["sentinel_kwargs"] = {"socket_timeout": 2}
    # Django's cache follows the same Sentinel master (the beat heartbeat and throttles live
    # there); the redis client finds the master through the sentinels.
    CACHES["default"] = {
        "BACKEND": "config.redis_sentinel.SentinelRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"master_name": REDIS_SENTINEL_MASTER},
    }

# Health (/healthz, /readyz) and metrics (/metrics).
READY_OUTBOX_BACKLOG_MAX = int(os.environ.get("READY_OUTBOX_BACKLOG_MAX", "500"))
READY_BEAT_MAX_AGE_S = int(os.environ.get("READY_BEAT_MAX_AGE_S", "120"))
# Addresses allowed to read /metrics (Prometheus scrapes over loopback or a private network).
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", "127.0.0.1,::1")

MIDDLEWARE = [
    "config.observability.request_id",
    "config.observability.request_metrics",
    *MIDDLEWARE,
]

# Logs: one JSON object a line with the request id (nginx's X-Request-ID), to stdout/journald.
# LOG_FORMAT=text for a person reading a terminal.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # RequestIdFilter also keeps a refused request (4xx) to one line: Django logs it once, and
    # the filter drops the traceback of the PermissionDenied or Http404 that caused it.
    "filters": {"request_id": {"()": "config.observability.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "config.observability.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
        # Lockouts and failed logins are warnings; axes' INFO lines are noise on every start.
        "axes": {"level": "WARNING"},
    },
}

SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        send_default_pii=False,
    )
