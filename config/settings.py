"""Settings, all read from the environment (see .env.example for the full list)."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import environ

from config.keys import checked_secret, parse_jwt_keys, parse_pii_keys

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# No default key: without DEBUG a missing, short or published key stops the process here (config/keys.py).
SECRET_KEY = checked_secret("DJANGO_SECRET_KEY", env("DJANGO_SECRET_KEY", default=""), debug=DEBUG)
# JWT signing keys with their key ids, newest first: the first signs, every one verifies (rotation).
JWT_KEYS = parse_jwt_keys(env("VIGIL_JWT_KEYS", default=""), debug=DEBUG)
# Fernet keys for personal data at rest (affected users' contact details), newest first: the first encrypts.
PII_KEYS = parse_pii_keys(env("VIGIL_PII_KEY", default=""))

# Tenants are reached as <slug>.<BASE_DOMAIN>; the bare BASE_DOMAIN and PUBLIC_HOSTS serve the public schema.
BASE_DOMAIN = env("VIGIL_BASE_DOMAIN", default="localhost")
PUBLIC_HOSTS = env.list("VIGIL_PUBLIC_HOSTS", default=["localhost", "127.0.0.1", "testserver"])
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[BASE_DOMAIN, f".{BASE_DOMAIN}", *PUBLIC_HOSTS])

SHARED_APPS = [
    # Before django_tenants, so that its refusing delete_tenant and clone_tenant shadow django-tenants' own.
    "tenants",
    "django_tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "strawberry_django",
    "tenants.identity",
    "tenants.audit",
    "tenants.billing",
    # No models: installed for its templates (GraphiQL) and its OpenAPI extensions (ApiConfig.ready).
    "api",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "tenants.identity",
    "tenants.audit",
    "tenants.notifications",
    "monitoring",
    "responses",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
AUTH_USER_MODEL = "identity.User"

MIDDLEWARE = [
    "api.middleware.ErrorShapeMiddleware",
    # Before tenant resolution: it answers CORS preflights itself (a preflight carries no X-Tenant).
    "corsheaders.middleware.CorsMiddleware",
    "api.middleware.RequestSizeLimitMiddleware",
    "api.middleware.QueryStringMiddleware",
    "tenants.middleware.TenantResolutionMiddleware",
    "api.middleware.AuditOriginMiddleware",
    "api.middleware.RateLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.common.CommonMiddleware",
    # The API authenticates by header, which CSRF cannot forge (its views are exempt); these guard any page that
    # ever uses cookies, and keep the docs and GraphiQL out of other sites' frames.
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]

# Defaults point at the services scripts/services.sh runs; the VIGIL_*_PORT variables move both together.
_PG_PORT = env("VIGIL_PG_PORT", default="54329")
_REDIS_PORT = env("VIGIL_REDIS_PORT", default="63799")
_ES_PORT = env("VIGIL_ES_PORT", default="9299")
_STRIPE_PORT = env("VIGIL_STRIPE_PORT", default="12111")

DATABASES = {"default": env.db("DATABASE_URL", default=f"postgres://vigil@127.0.0.1:{_PG_PORT}/vigil")}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default=f"redis://127.0.0.1:{_REDIS_PORT}/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Cache keys carry the schema, so one tenant never reads another's entries.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    }
}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=f"redis://127.0.0.1:{_REDIS_PORT}/1")
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
# A request must not hang on a dead broker: give up quickly, the outbox and beat catch up.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "config.beat:Scheduler"
CELERY_BEAT_SCHEDULE_FILENAME = env("CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / ".services" / "celerybeat"))
CELERY_BEAT_SCHEDULE = {
    # No tenant_schemas key: the tenant-aware scheduler sends one copy per tenant, in that tenant's schema.
    "search-index-ensure": {
        "task": "monitoring.search_index_ensure",
        "schedule": timedelta(minutes=env.int("VIGIL_INDEX_CHECK_MINUTES", default=5)),
    },
    # Beat evaluates every scope (so flatline and recovery work without new mentions).
    "warning-evaluate": {
        "task": "monitoring.warning_evaluate",
        "schedule": timedelta(seconds=env.int("VIGIL_WARNING_TICK_SECONDS", default=60)),
    },
    "search-outbox-drain": {
        "task": "monitoring.search_outbox_drain",
        "schedule": timedelta(seconds=env.int("VIGIL_OUTBOX_DRAIN_SECONDS", default=30)),
    },
    "topics-refresh": {
        "task": "monitoring.topics_refresh",
        "schedule": timedelta(seconds=env.int("VIGIL_TOPICS_REFRESH_SECONDS", default=30)),
    },
    "case-clocks": {
        "task": "responses.case_clocks",
        "schedule": timedelta(seconds=env.int("VIGIL_SLA_CHECK_SECONDS", default=60)),
    },
    # Whole hours of talk after a case's peak, against its baseline: `case.recovered` once per case.
    "case-recovery": {
        "task": "responses.recovery_check",
        "schedule": timedelta(minutes=env.int("VIGIL_RECOVERY_CHECK_MINUTES", default=15)),
    },
    # Open commitments past their due time become missed: `commitment.missed` once each.
    "commitments-check": {
        "task": "responses.commitments_check",
        "schedule": timedelta(seconds=env.int("VIGIL_COMMITMENT_CHECK_SECONDS", default=60)),
    },
    "webhooks-retry-due": {
        "task": "notifications.webhooks_retry_due",
        "schedule": timedelta(seconds=env.int("WEBHOOK_RETRY_SWEEP_SECONDS", default=60)),
    },
    # Once, in the public schema (config.beat sends public entries): trials and grace periods that ran out, and
    # purges of canceled tenants whose retention is over.
    "billing-lifecycle": {
        "task": "billing.lifecycle_sweep",
        "schedule": timedelta(minutes=env.int("VIGIL_BILLING_SWEEP_MINUTES", default=60)),
        "tenant_schemas": ["public"],
    },
    # Public schema: each tenant's API requests from Redis and its seats, rules and brands into its usage days.
    "billing-usage-flush": {
        "task": "billing.usage_flush",
        "schedule": timedelta(seconds=env.int("VIGIL_USAGE_FLUSH_SECONDS", default=300)),
        "tenant_schemas": ["public"],
    },
    # Public schema: mentions not yet reported to Stripe, as Billing Meter events.
    "billing-usage-report": {
        "task": "billing.usage_report",
        "schedule": timedelta(minutes=env.int("VIGIL_USAGE_REPORT_MINUTES", default=60)),
        "tenant_schemas": ["public"],
    },
}

# Reputation recovery (responses.recovery): the baseline is the case's scope over these days before detection; the
# talk has recovered once each hour's volume is within the relative tolerance of the baseline's hourly mean (above it;
# less is fine) and its negative share within the tolerance (in share, 0.05 = 5 points), for the sustained hours.
RECOVERY_BASELINE_DAYS = env.int("VIGIL_RECOVERY_BASELINE_DAYS", default=7)
RECOVERY_VOLUME_TOLERANCE = env.float("VIGIL_RECOVERY_VOLUME_TOLERANCE", default=0.2)
RECOVERY_NEGATIVE_TOLERANCE = env.float("VIGIL_RECOVERY_NEGATIVE_TOLERANCE", default=0.05)
RECOVERY_SUSTAINED_HOURS = env.int("VIGIL_RECOVERY_SUSTAINED_HOURS", default=6)

# What happens when the warning engine opens, escalates, reminds, de-escalates or resolves an alert: each is called
# with the change after the alert's transaction commits; one that fails is a dead letter (kind alert_handler).
VIGIL_ALERT_HANDLERS = env.list(
    "VIGIL_ALERT_HANDLERS",
    default=[
        "monitoring.warning.notifications.notify_change",
        "responses.promotion.handlers.alert_promote",
        "responses.watch.handlers.alert_recurrence",
    ],
)

SHARED_DATA_DIR = Path(env("VIGIL_SHARED_DATA_DIR", default=str(BASE_DIR.parent / "shared" / "data")))

ELASTICSEARCH_URL = env("ELASTICSEARCH_URL", default=f"http://127.0.0.1:{_ES_PORT}")
ELASTICSEARCH_TIMEOUT = env.float("ELASTICSEARCH_TIMEOUT", default=10.0)
ES_INDEX_PREFIX = env("VIGIL_ES_INDEX_PREFIX", default="vigil")
ES_NUMBER_OF_REPLICAS = env.int("VIGIL_ES_REPLICAS", default=0)

STRIPE_API_BASE = env("STRIPE_API_BASE", default=f"http://127.0.0.1:{_STRIPE_PORT}")
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="sk_test_123")
# The signing secret of the webhook endpoint (whsec_...). Empty: POST /api/v1/billing/stripe-webhook answers 503.
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
# How old (seconds) a webhook's signed timestamp may be; older ones are refused as replays.
STRIPE_WEBHOOK_TOLERANCE = env.int("STRIPE_WEBHOOK_TOLERANCE", default=300)
# The plan a new tenant starts on, and how long its trial lasts.
BILLING_DEFAULT_PLAN = env("VIGIL_BILLING_DEFAULT_PLAN", default="trial")
BILLING_TRIAL_DAYS = env.int("VIGIL_BILLING_TRIAL_DAYS", default=14)
# How long a past_due account keeps working (and a trial that ended without a subscription) before the lifecycle
# sweep suspends it.
BILLING_GRACE_DAYS = env.int("VIGIL_BILLING_GRACE_DAYS", default=7)
# How long a canceled tenant's data is kept before the sweep purges its schema and search indices. Not the plan's
# `retention_days` (how long a live tenant's mentions are kept): this is the platform's, the same for every plan.
BILLING_RETENTION_DAYS = env.int("VIGIL_BILLING_RETENTION_DAYS", default=30)
# Whether plans' limits bite: the monthly mentions quota, seats, rules and brands (402 plan_limit) and the plan's
# API requests a minute. Usage is metered either way; the test settings turn enforcement off but for its own tests.
BILLING_ENFORCE_LIMITS = env.bool("VIGIL_BILLING_ENFORCE_LIMITS", default=True)
# The Billing Meter's event name in Stripe that mentions are reported to, and how many meter events one run sends.
STRIPE_METER_EVENT_NAME = env("STRIPE_METER_EVENT_NAME", default="vigil_mentions")
BILLING_USAGE_REPORT_BATCH = env.int("VIGIL_USAGE_REPORT_BATCH", default=500)

# Ingest limits per request (413 above them).
INGEST_MAX_ITEMS = env.int("VIGIL_INGEST_MAX_ITEMS", default=5000)
INGEST_MAX_BYTES = env.int("VIGIL_INGEST_MAX_BYTES", default=8 * 1024 * 1024)
# Mentions published before this date or more than this many seconds ahead of the server's clock are refused,
# per item (sender bugs: year 1, clocks set wrong).
INGEST_EARLIEST_PUBLISHED_AT = datetime.fromisoformat(env("VIGIL_INGEST_EARLIEST_DATE", default="2000-01-01")).replace(
    tzinfo=UTC
)
INGEST_FUTURE_TOLERANCE_SECONDS = env.int("VIGIL_INGEST_FUTURE_SECONDS", default=300)
# Authors with at least this many followers count as influential in the warning buckets.
WARNING_INFLUENTIAL_FOLLOWERS = env.int("VIGIL_INFLUENTIAL_FOLLOWERS", default=100_000)
# A refresh takes in mentions ingested at least this long ago, so a slow ingest transaction cannot commit a
# mention below the watermark after the refresh stepped over its id.
VIGIL_TOPICS_SETTLE_SECONDS = env.int("VIGIL_TOPICS_SETTLE_SECONDS", default=10)
# How long one refresh may run before it leaves the rest to the next beat.
VIGIL_TOPICS_REFRESH_BUDGET_SECONDS = env.float("VIGIL_TOPICS_REFRESH_BUDGET_SECONDS", default=25.0)
SEARCH_OUTBOX_BATCH = env.int("VIGIL_OUTBOX_BATCH", default=2000)

HEALTH_CHECK_TIMEOUT = env.float("VIGIL_HEALTH_CHECK_TIMEOUT", default=2.0)

# Outgoing notifications: email, and signed webhooks (Standard Webhooks) with retries.
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="vigil@localhost")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# A hung SMTP server must not hold a worker forever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# Where the file-based email backend (the demo's) writes each message.
EMAIL_FILE_PATH = env("DJANGO_EMAIL_FILE_PATH", default=str(BASE_DIR / ".demo" / "mail"))
# Invitations and password resets (api/invitations.py): how long a mailed token works, and where its link points
# (the page that posts the token to /api/v1/invitations/accept or /api/v1/auth/password-reset/confirm).
INVITATION_TTL_HOURS = env.int("VIGIL_INVITATION_TTL_HOURS", default=72)
PASSWORD_RESET_TTL_MINUTES = env.int("VIGIL_PASSWORD_RESET_TTL_MINUTES", default=60)
ACCOUNT_LINK_BASE_URL = env("VIGIL_ACCOUNT_LINK_BASE_URL", default="http://127.0.0.1:8000")
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
# Tenants' webhooks never reach private or loopback addresses (our own services) but for these exact
# host:port pairs, e.g. the demo's receiver on 127.0.0.1:8765.
WEBHOOK_ALLOWED_TARGETS = env.list("WEBHOOK_ALLOWED_TARGETS", default=[])

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.rest.authentication.JWTAuthentication",
        "api.rest.authentication.ApiKeyAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.rest.permissions.IsAuthenticatedCaller"],
    "DEFAULT_RENDERER_CLASSES": ["api.rest.renderers.VigilJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.rest.parsers.StrictJSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.rest.pagination.KeysetPagination",
    # Datetimes reach the renderer as they are, which writes them in config.timestamps' one format.
    "DATETIME_FORMAT": None,
    "EXCEPTION_HANDLER": "api.rest.errors.exception_handler",
    # OPTIONS is not an API method (CORS preflights are answered by middleware before any view): 405, not metadata.
    "DEFAULT_METADATA_CLASS": None,
    "DEFAULT_SCHEMA_CLASS": "api.rest.schema.VigilAutoSchema",
    "UNAUTHENTICATED_USER": None,
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    # Tokens are signed and verified by tenants.identity.tokens with JWT_KEYS; this keeps simplejwt off SECRET_KEY.
    "SIGNING_KEY": JWT_KEYS[0][1],
    "USER_ID_CLAIM": "user_id",
    "UPDATE_LAST_LOGIN": False,
}

# Argon2id with OWASP's minimum parameters (19 MiB, 2 passes, 1 lane) costs ~tens of ms; bench/password_hashing.py
# measures it against PBKDF2's ~1 s of CPU per guess. PBKDF2 stays to verify old hashes (upgraded at next login).
PASSWORD_HASHERS = [
    "config.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
ARGON2_TIME_COST = env.int("VIGIL_ARGON2_TIME_COST", default=2)
ARGON2_MEMORY_COST_KIB = env.int("VIGIL_ARGON2_MEMORY_KIB", default=19 * 1024)
ARGON2_PARALLELISM = env.int("VIGIL_ARGON2_PARALLELISM", default=1)

# Abuse limits (api/ratelimit.py). Requests per fixed minute per API key or user, and per client address for
# callers without valid credentials; REST and GraphQL count together.
RATE_LIMIT_PER_MINUTE = env.int("VIGIL_RATE_LIMIT_PER_MINUTE", default=600)
RATE_LIMIT_ANONYMOUS_PER_MINUTE = env.int("VIGIL_RATE_LIMIT_ANONYMOUS_PER_MINUTE", default=60)
# Failed logins per (tenant, email) and per client address within the window, then 429 until the window ends
# (tenants/identity/login_limits.py).
LOGIN_MAX_FAILURES = env.int("VIGIL_LOGIN_MAX_FAILURES", default=5)
LOGIN_MAX_FAILURES_PER_ADDRESS = env.int("VIGIL_LOGIN_MAX_FAILURES_PER_ADDRESS", default=20)
LOGIN_WINDOW_SECONDS = env.int("VIGIL_LOGIN_WINDOW_SECONDS", default=15 * 60)
# Requests to the endpoints that need no credentials but a mailed token (accept an invitation, ask for or confirm a
# password reset) per client address, and reset requests per email address, within the window; then 429.
ACCOUNT_MAX_REQUESTS_PER_ADDRESS = env.int("VIGIL_ACCOUNT_MAX_REQUESTS_PER_ADDRESS", default=20)
ACCOUNT_MAX_REQUESTS_PER_EMAIL = env.int("VIGIL_ACCOUNT_MAX_REQUESTS_PER_EMAIL", default=5)
ACCOUNT_WINDOW_SECONDS = env.int("VIGIL_ACCOUNT_WINDOW_SECONDS", default=15 * 60)
# X-Forwarded-For names the client only when the direct peer is one of these proxies (addresses or networks, e.g.
# nginx on loopback); otherwise REMOTE_ADDR does. Used by the rate limits and the audit log alike.
TRUSTED_PROXIES = env.list("VIGIL_TRUSTED_PROXIES", default=["127.0.0.1", "::1"])

# HTTPS behind nginx: it terminates TLS and sets X-Forwarded-Proto. Production defaults; `manage.py check --deploy`
# passes with them and DJANGO_SECURE_SSL_REDIRECT=true (off by default so plain-HTTP local runs keep working).
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=True) else None
)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
# Load balancers probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

SPECTACULAR_SETTINGS = {
    "TITLE": "Vigil API",
    "DESCRIPTION": (
        "Social media crisis response. Tenants are addressed by host (<slug>.BASE_DOMAIN) or the X-Tenant header. "
        "Authenticate with `Authorization: Bearer <JWT>` (people) or `Authorization: Api-Key <key>` (integrators). "
        "In Swagger UI, Authorize with the tenant (`Tenant`) and one credential (`JWT` or `ApiKey`). Every error "
        'answer is `{"error": {"code", "message", "field"}}` (schema `Error`).'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_URLCONF": "config.urls_schema",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `kind`, `format` or `status`; name each choice set after what it is.
    "ENUM_NAME_OVERRIDES": {
        "NotificationChannelKindEnum": "tenants.notifications.models.ChannelKind",
        "WebhookFormatEnum": "tenants.notifications.models.WebhookFormat",
        "DeliveryStatusEnum": "tenants.notifications.models.DeliveryStatus",
        "AlertLevelEnum": "monitoring.models.warning.Level",
        "ScenarioEnum": "responses.models.Scenario",
        "StatementChannelEnum": "responses.models.Channel",
        "CaseRoleEnum": "responses.models.CaseRole",
        "RoleEnum": "tenants.identity.roles.Role",
        "SeverityEnum": "responses.models.Severity",
        "TaskStatusEnum": "responses.models.TaskStatus",
        "FollowUpStatusEnum": "responses.models.FollowUpStatus",
        "ReplyChannelEnum": "responses.models.ReplyChannel",
        "CompensationApprovalEnum": "responses.models.CompensationApproval",
        "TransitionEnum": "responses.cases.services.TRANSITIONS",
        "TopicStatusEnum": "monitoring.models.topics.TopicStatus",
        "FollowUpTransitionEnum": "responses.aftercare.follow_up_services.TRANSITIONS",
        "CommitmentKindEnum": "responses.models.CommitmentKind",
        "CommitmentStatusEnum": "responses.models.CommitmentStatus",
        "PlaybookRevisionStatusEnum": "responses.models.RevisionStatus",
    },
    # One per domain (api.rest.schema.MODULE_TAGS says which views go where), in the order Swagger UI lists them.
    "TAGS": [
        {"name": "identity", "description": "Logging in, the caller, users and API keys."},
        {"name": "monitoring", "description": "Ingesting and reading mentions; monitoring rules and brands."},
        {"name": "search", "description": "Full-text mention search with filters, highlights and aggregations."},
        {"name": "analytics", "description": "Over a scope: who carried the spread, and where volume is heading."},
        {"name": "warning", "description": "Early warning: policies and their backtests, alerts, silences."},
        {"name": "cases", "description": "Crisis cases: lifecycle, team, tasks, timeline and SLA targets."},
        {
            "name": "aftercare",
            "description": "After the crisis: affected users and their contacts, follow-ups with them.",
        },
        {"name": "statements", "description": "Crisis statements: versions, ordered approvals, publishing."},
        {"name": "reply-scripts", "description": "Approved reply scripts and rendering them with variables."},
        {"name": "playbooks", "description": "Playbooks with versions; activating one on a case."},
        {"name": "notifications", "description": "Webhook and chat notification channels and their delivery log."},
        {"name": "audit", "description": "The tenant's security audit log."},
        {"name": "dead-letters", "description": "Background work that failed for good, and retrying it."},
        {"name": "health", "description": "Liveness and readiness probes (any host, no credentials)."},
        {"name": "platform", "description": "Billing admins, on the public host: tenants, their plans and status."},
        {"name": "billing", "description": "Billing: Stripe's webhooks (public host)."},
    ],
}

# Browser frontends on these origins may call the APIs (exact origins, e.g. https://app.example.com).
# Credentials travel in the Authorization header, never in cookies, so credentialed CORS stays off.
CORS_ALLOWED_ORIGINS = env.list("VIGIL_CORS_ALLOWED_ORIGINS", default=[])
CORS_ALLOW_HEADERS = ("authorization", "content-type", "x-tenant", "idempotency-key")
CORS_EXPOSE_HEADERS = ("retry-after", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset")

# GraphQL limits, all checked before a resolver runs. The deepest query the schema allows is 9 levels below a root
# field: three nested lists, each a connection (edges → node), as in cases → edges → node → statements → edges →
# node → versions → edges → node → body. No type refers back to itself, so a deeper document is an attack.
GRAPHQL_MAX_DEPTH = env.int("VIGIL_GRAPHQL_MAX_DEPTH", default=9)

# The most nodes one cascade answer reads; a larger cascade is cut there and says so (`truncated`).
CASCADE_MAX_NODES = env.int("VIGIL_CASCADE_MAX_NODES", default=200_000)
# Cascade forecasts learn from the tenant's stored cascades whose root is at least this old (they have stopped
# growing), read back at most this many, and keep a fitted model this long.
FORECAST_HISTORY_MIN_AGE_HOURS = env.int("VIGIL_FORECAST_HISTORY_MIN_AGE_HOURS", default=72)
FORECAST_HISTORY_MAX_CASCADES = env.int("VIGIL_FORECAST_HISTORY_MAX_CASCADES", default=5000)
FORECAST_MODEL_CACHE_SECONDS = env.int("VIGIL_FORECAST_MODEL_CACHE_SECONDS", default=3600)
GRAPHQL_MAX_TOKENS = env.int("VIGIL_GRAPHQL_MAX_TOKENS", default=2000)
GRAPHQL_MAX_ALIASES = env.int("VIGIL_GRAPHQL_MAX_ALIASES", default=30)
# The query document; variables may be larger (ingestMentions carries up to VIGIL_INGEST_MAX_BYTES of mentions)
# but only for authenticated callers: an anonymous caller's whole body is held to this size.
GRAPHQL_MAX_QUERY_BYTES = env.int("VIGIL_GRAPHQL_MAX_QUERY_BYTES", default=64 * 1024)
STRAWBERRY_DJANGO = {"MUTATIONS_DEFAULT_HANDLE_ERRORS": False}

# Request size guard for every endpoint (413 above it); feature endpoints apply their own tighter limits.
MAX_REQUEST_BYTES = env.int("VIGIL_MAX_REQUEST_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/react", NODE_MODULES / "react" / "umd"),
    ("vendor/react-dom", NODE_MODULES / "react-dom" / "umd"),
    ("vendor/js-cookie", NODE_MODULES / "js-cookie" / "dist"),
    ("vendor/graphiql", NODE_MODULES / "graphiql"),
    ("vendor/graphiql-explorer", NODE_MODULES / "@graphiql" / "plugin-explorer" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # The transport logs every request at INFO; keep that for debugging sessions only.
    "loggers": {
        "elastic_transport": {"level": "WARNING"},
        # httpx logs each request's full URL at INFO, and chat webhook URLs carry their robot's key.
        "httpx": {"level": "WARNING"},
        # WeasyPrint logs each rendering step at INFO, and font-subsetting noise from fontTools.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
