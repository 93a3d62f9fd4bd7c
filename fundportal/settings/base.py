"""Settings shared by every environment; values come from the environment (django-environ)."""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("FUNDPORTAL_VAR_DIR", default=str(BASE_DIR / "var")))

VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
    AUTH_SECOND_FACTOR=(str, "on"),
)

# A development-only key: production settings refuse to start with it.
DEV_SECRET_KEY = "dev-only-insecure-key-fundportal-change-me-0123456789abcdef"
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
DEBUG = env("DEBUG")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")

# Personal data at rest (ID numbers, bank cards): a 32-byte url-safe base64 key.
# The default exists only so a fresh clone runs; production refuses it.
DEV_FIELD_ENCRYPTION_KEY = "ZGV2LW9ubHktZmllbGQta2V5LWZ1bmRwb3J0YWwtMDE="
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default=DEV_FIELD_ENCRYPTION_KEY)
AUTH_SECOND_FACTOR = env("AUTH_SECOND_FACTOR")
# Electronic seals (audit.seals): the Ed25519 signing key (32-byte seed, url-safe base64), the id
# its seals carry, and the public keys of retired ids ({"id": key}) so their seals still verify.
DEV_SEAL_SIGNING_KEY = "CAZ6b1RbAMmv32s0UpI4kpQ4suepGSvHRRp-xjiCkvw="
SEAL_SIGNING_KEY = env.str("SEAL_SIGNING_KEY", default=DEV_SEAL_SIGNING_KEY)
SEAL_KEY_ID = env.str("SEAL_KEY_ID", default="dev")
SEAL_RETIRED_PUBLIC_KEYS = env.json("SEAL_RETIRED_PUBLIC_KEYS", default={})

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    # Swagger UI's files served from our own static files (no CDN, strict CSP).
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "core",
    "audit",
    "ledger",
    "integrations",
    "accounts",
    "approvals",
    "deposits",
    "notifications",
    "withdrawals",
    "payouts",
    "appointments",
    "loans",
    "transfers",
    "catalogue",
    "hotline",
    "signin",
    "inspection",
    "demo",
    "web",
    "api",
]

MIDDLEWARE = [
    # First, before anything that may write an audit event or answer on its own: who asks, from
    # where, through which channel; every answer, the HTTPS redirect included, carries the
    # request id and has its access log line.
    "core.request_context.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks request.user.is_verified() once a staff member has passed their TOTP step.
    "django_otp.middleware.OTPMiddleware",
    # Staff sessions that have not passed their authenticator code are ended (signin).
    "signin.middleware.StaffVerifiedMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: it turns lockouts into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fundportal.urls"
WSGI_APPLICATION = "fundportal.wsgi.application"

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
                "web.context.user_label",
            ],
        },
    },
]


def database_config(url: str) -> dict:
    """One database from a URL; PostgreSQL gets psycopg's pool, SQLite WAL and IMMEDIATE writes."""
    config = environ.Env.db_url_config(url)
    if config["ENGINE"] == "django.db.backends.postgresql":
        config["OPTIONS"] = {"pool": {"min_size": 1, "max_size": 20, "timeout": 10}}
    elif config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of one failing
        # with "database is locked" when it tries to upgrade a read lock; WAL lets the web
        # process read while the task worker writes.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return config


DATABASES = {
    "default": database_config(env.str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"))
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.IdNumberBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Object-level rules (the `rules` package): "a person only their own", "an employer only its staff".
    "rules.permissions.ObjectPermissionBackend",
]
# The password policy (AUTH_PASSWORD_VALIDATORS) is in authn.py.
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# Five failures lock for 30 minutes; what is locked (AXES_LOCKOUT_PARAMETERS) is in authn.py.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "web/lockout.html"
# One lockout name per person whatever the case of the ID's x, stored as its keyed hash; and the
# posted form (which holds the ID number) is never written to axes' tables in clear.
AXES_USERNAME_CALLABLE = "accounts.backends.axes_username"
AXES_SENSITIVE_PARAMETERS = ["username", "password"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_ROOT = VAR_DIR / "media"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    # Each token (or logged-in session) has its own budget: one channel app's runaway loop slows
    # itself, not everyone else (api.throttling). Views that set their own classes keep them.
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    # Guessing passwords through the API is slowed here and locked out by django-axes.
    "DEFAULT_THROTTLE_RATES": {
        "anon": "30/minute",
        "token": env.str("API_TOKEN_RATE", default="120/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "FundPortal API",
    "VERSION": "1.0.0",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_INCLUDE_SCHEMA": False,
    "APPEND_COMPONENTS": {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
    },
    "SECURITY": [{"bearerAuth": []}],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Celery: Redis when CELERY_BROKER_URL is set; otherwise kombu's filesystem transport, which
# runs a real worker and beat on one host with nothing to install.
CELERY_QUEUE_DIR = VAR_DIR / "celery"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
        # A folder poll is cheap; at the default 1 s a worker holding one message per process
        # (prefetch 1, late acks) takes ~2 tasks/s, so the demo's seeding backlog hid beat's heartbeat
        # from /readyz for minutes.
        "polling_interval": 0.1,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": 3600}
)
if CELERY_BROKER_URL.startswith("filesystem"):
    # kombu does not create its folders.
    for _folder in ("queue", "processed", "control"):
        (CELERY_QUEUE_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# The worker proves it is alive (and beat that it is ticking) every minute; the staff console
# shows the last heartbeat so an operator sees at once when background work has stopped.
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "core.tasks.heartbeat", "schedule": 60.0},
    # Year-end interest (DOMAIN.md §5): every night at 02:30 (CELERY_TIMEZONE), after 30 June has
    # closed and before the halls open; a no-op once the last 30 June is settled (ledger.tasks).
    "ledger-settle-interest": {
        "task": "ledger.tasks.settle_interest_when_due",
        "schedule": crontab(hour=2, minute=30),
    },
    # Deposit lists: ask the bank about collecting lists, queue again checks whose worker died.
    "deposit-lists-sweep": {"task": "deposits.tasks.sweep_deposit_lists", "schedule": 60.0},
    # Payouts: the relay's safety net (each commit queues it at once) and the stuck-payout sweep.
    "payouts-relay": {"task": "payouts.tasks.relay_payouts", "schedule": 5.0},
    "payouts-reconcile": {"task": "payouts.tasks.reconcile_stuck_payouts", "schedule": 300.0},
    # Text messages whose after-commit send was lost (worker died, gateway down): send them again.
    "sms-outbox-sweep": {"task": "notifications.tasks.sweep_sms_outbox", "schedule": 60.0},
    # 12329 answers and hotline codes whose after-commit send was lost.
    "hotline-texts-sweep": {"task": "hotline.tasks.sweep_texts", "schedule": 60.0},
    # Withdrawals: approved ones the after-decision hook did not pay (the process died between the
    # decision's commit and the hook), held ones, and failed closing payouts whose hook was lost.
    "withdrawals-sweep": {"task": "withdrawals.tasks.pay_approved_withdrawals", "schedule": 60.0},
    # 委托按月还贷: each morning, the instalments whose repayment day has come (once a month each).
    "withdrawals-monthly-instalments": {
        "task": "withdrawals.tasks.pay_due_instalments",
        "schedule": crontab(hour=6, minute=0),
    },
    # Loans: settled disbursement payouts whose hook was lost reach their loan.
    "loans-disbursement-results": {"task": "loans.tasks.record_settled_disbursements", "schedule": 60.0},
    # Loan repayment: overdue marking and the month's collections each morning (before the fund
    # offsets of withdrawals at 06:00 would compete for the same balances), bank debits every
    # minute, and 1 January re-pricing every night (a no-op once the year's is done).
    "loans-daily-repayments": {
        "task": "loans.tasks.run_daily_repayments",
        "schedule": crontab(hour=5, minute=30),
    },
    "loans-repayment-results": {"task": "loans.tasks.sweep_repayments", "schedule": 60.0},
    "loans-reprice": {"task": "loans.tasks.reprice_loans", "schedule": crontab(hour=1, minute=15)},
}

# --- Celery queues ---------------------------------------------------------------------------
# Work is split by what it waits on, so a month-end flood of deposit lists cannot hold up a
# payout or a decision: each queue gets its own workers in production (docs/DEPLOYMENT.md). A
# worker started without -Q (`make run`, the demo) consumes all four. Routes are matched in
# order, first match wins; a task named by none goes to "default".
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_QUEUE_NAMES = ("default", "decisions", "collections", "payouts")
CELERY_TASK_QUEUES = [Queue(name, routing_key=name) for name in CELERY_QUEUE_NAMES]
CELERY_TASK_ROUTES = {
    # Decisions and pre-checks made in the background (re-evaluations, referred cases).
    "approvals.tasks.*": {"queue": "decisions"},
    "*.tasks.decide_*": {"queue": "decisions"},
    "*.tasks.precheck_*": {"queue": "decisions"},
    # Deposits and bank debits: list checks, collections, their notices; loan repayment debits.
    "deposits.tasks.*": {"queue": "collections"},
    "loans.tasks.advance_repayment": {"queue": "collections"},
    "loans.tasks.sweep_repayments": {"queue": "collections"},
    "loans.tasks.run_daily_repayments": {"queue": "collections"},
    # Money out: the payout relay and reconciliation, withdrawal payments, loan disbursements.
    "payouts.tasks.*": {"queue": "payouts"},
    "withdrawals.tasks.*": {"queue": "payouts"},
    "loans.tasks.disburse_loan": {"queue": "payouts"},
    "loans.tasks.record_disbursement_result": {"queue": "payouts"},
    "loans.tasks.record_settled_disbursements": {"queue": "payouts"},
}
# --- end of Celery queues --------------------------------------------------------------------

# /readyz reports not ready when beat's heartbeat (every 60 s) is older than this.
HEALTH_BEAT_MAX_AGE_S = env.int("HEALTH_BEAT_MAX_AGE_S", default=180)

# A cache every process shares: Redis when the broker is Redis, otherwise files under var/.
CACHES = {
    "default": (
        {"BACKEND": "core.redis_cache.RedisCache", "LOCATION": CELERY_BROKER_URL}
        if CELERY_BROKER_URL.startswith("redis")
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    )
}

# Government data sources (integrations.gov): registry name → dotted path of the class.
# The sandbox answers from the sandbox tables seed_demo fills; production refuses it.
GOV_SOURCES = {
    "public_security": "integrations.gov.sandbox.SandboxPublicSecurity",
    "market_regulation": "integrations.gov.sandbox.SandboxMarketRegulation",
    "social_security": "integrations.gov.sandbox.SandboxSocialSecurity",
    "civil_affairs": "integrations.gov.sandbox.SandboxCivilAffairs",
    "employment_office": "integrations.gov.sandbox.SandboxEmploymentOffice",
    "real_estate": "integrations.gov.sandbox.SandboxRealEstate",
    "credit_bureau": "integrations.gov.sandbox.SandboxCreditBureau",
}
# Largest monthly deposit list an employer may upload (deposits.reading), in bytes: checked
# before any parsing, so an oversized upload costs no memory beyond the bytes themselves.
DEPOSIT_LIST_MAX_BYTES = env.int("DEPOSIT_LIST_MAX_BYTES", default=20 * 1024 * 1024)
# This centre's code, as the credit bureau names the lender of a provident fund loan.
FUND_CENTRE_CODE = env.str("FUND_CENTRE_CODE", default="350200")
# Sandbox knobs (CONTRACT.md): milliseconds per call, and the share of calls that fail, given as
# a fraction ("0.1") or per mille ("100‰"); staff override both per source in the admin.
SANDBOX_GOV_LATENCY_MS = env.int("SANDBOX_GOV_LATENCY_MS", default=50)
SANDBOX_GOV_FAILURE_RATE = env.str("SANDBOX_GOV_FAILURE_RATE", default="0")
# A seed makes the sandbox's random failures repeatable (tests); None draws from the OS.
SANDBOX_GOV_RANDOM_SEED = env.int("SANDBOX_GOV_RANDOM_SEED", default=None)

# Entrusted collection (integrations.bank): dotted path of the collection bank; production
# refuses the sandbox and fakes. Sandbox knobs (CONTRACT.md): the delay before an order's result,
# and the shares of orders that fail and of calls that time out (fraction "0.1" or "100‰").
BANK_COLLECTION = env.str("BANK_COLLECTION", default="integrations.bank.sandbox.SandboxCollectionBank")
SANDBOX_BANK_DELAY_MS = env.int("SANDBOX_BANK_DELAY_MS", default=200)
SANDBOX_BANK_FAILURE_RATE = env.str("SANDBOX_BANK_FAILURE_RATE", default="0")
SANDBOX_BANK_TIMEOUT_RATE = env.str("SANDBOX_BANK_TIMEOUT_RATE", default="0")
SANDBOX_BANK_RANDOM_SEED = env.int("SANDBOX_BANK_RANDOM_SEED", default=None)
# Payments to employees' cards (代付, integrations.bank.payments): dotted path of the payment bank;
# production refuses the sandbox and fakes. The sandbox knobs above drive it too.
BANK_PAYMENT = env.str("BANK_PAYMENT", default="integrations.bank.sandbox.SandboxPaymentBank")
# Payouts (payouts.relay): instructions per bank call; how often a task asks for a batch's results
# before leaving them to reconciliation, which asks about payouts SENT longer than the last figure.
PAYOUT_BATCH_SIZE = env.int("PAYOUT_BATCH_SIZE", default=500)
PAYOUT_RESULT_POLLS = env.int("PAYOUT_RESULT_POLLS", default=8)
PAYOUT_RECONCILE_AFTER_S = env.int("PAYOUT_RECONCILE_AFTER_S", default=120)
# Each call to the bank waits this long (seconds) before the order's fate counts as unknown.
BANK_TIMEOUT_S = env.float("BANK_TIMEOUT_S", default=5.0)
# The bank holding the centre's collection account: a unit banking there is collected same-bank
# (同行), any other bank cross-bank (跨行) through the clearing system.
CENTRE_COLLECTION_BANK = env.str("CENTRE_COLLECTION_BANK", default="中国建设银行")
# Lists up to this size are checked inside the upload request, so the clerk sees the preview at
# once; larger ones are checked by a worker while the page shows the progress.
DEPOSIT_LIST_INLINE_BYTES = env.int("DEPOSIT_LIST_INLINE_BYTES", default=256 * 1024)
# How many times a collection task asks the bank before leaving the order to the sweeper, which
# looks at every collecting list each minute (a bank may settle hours later).
DEPOSIT_COLLECTION_POLLS = env.int("DEPOSIT_COLLECTION_POLLS", default=12)

# Text messages (integrations.sms): dotted path of the SMS gateway; production refuses the sandbox
# and fakes. Sandbox knobs: the gateway's answer time, and the share of calls it refuses.
SMS_GATEWAY = env.str("SMS_GATEWAY", default="integrations.sms.sandbox.SandboxSmsGateway")
SANDBOX_SMS_LATENCY_MS = env.int("SANDBOX_SMS_LATENCY_MS", default=100)
SANDBOX_SMS_FAILURE_RATE = env.str("SANDBOX_SMS_FAILURE_RATE", default="0")
SANDBOX_SMS_RANDOM_SEED = env.int("SANDBOX_SMS_RANDOM_SEED", default=None)
# Each send waits this long (seconds) before the message's fate counts as unknown (sent again).
SMS_TIMEOUT_S = env.float("SMS_TIMEOUT_S", default=5.0)

# The 12329 channels (hotline, docs/hotline.md): the SMS gateway posting the texts citizens send
# and the telephony system driving the hotline menu sign each call with these shared secrets
# (HMAC-SHA256). The defaults exist only so a fresh clone runs; production refuses them.
DEV_SMS_WEBHOOK_SECRET = "dev-only-12329-sms-webhook-secret-change-me"
SMS_WEBHOOK_SECRET = env.str("SMS_WEBHOOK_SECRET", default=DEV_SMS_WEBHOOK_SECRET)
DEV_IVR_WEBHOOK_SECRET = "dev-only-12329-ivr-webhook-secret-change-me"
IVR_WEBHOOK_SECRET = env.str("IVR_WEBHOOK_SECRET", default=DEV_IVR_WEBHOOK_SECRET)
# A signed call older (or further in the future) than this is refused: a captured one cannot be
# replayed later.
HOTLINE_SIGNATURE_MAX_AGE_S = env.int("HOTLINE_SIGNATURE_MAX_AGE_S", default=300)
# Texts answered per number and hour; beyond it texts are recorded and not answered (each answer costs).
HOTLINE_SMS_PER_HOUR = env.int("HOTLINE_SMS_PER_HOUR", default=10)
# A hotline call with no key pressed for this long is over; codes texted per person and hour.
HOTLINE_CALL_IDLE_MINUTES = env.int("HOTLINE_CALL_IDLE_MINUTES", default=5)
HOTLINE_CODES_PER_HOUR = env.int("HOTLINE_CODES_PER_HOUR", default=3)
# Where the telephony system puts a caller who presses 0 (its agent queue's name).
HOTLINE_AGENT_QUEUE = env.str("HOTLINE_AGENT_QUEUE", default="12329-agents")
# An employee's withdrawal lock (accounts.WithdrawalLock): an unlock takes effect only after this
# many hours, so someone who has stolen the password cannot unlock and withdraw at once.
WITHDRAWAL_UNLOCK_COOLING_OFF_HOURS = env.int("WITHDRAWAL_UNLOCK_COOLING_OFF_HOURS", default=24)

# 秒批 fact gathering (approvals.gathering): each source's timeout and the whole decision's
# deadline, in seconds; a source that misses either makes its facts UNKNOWN and the case is referred.
DECISION_SOURCE_TIMEOUT_S = env.float("DECISION_SOURCE_TIMEOUT_S", default=2.0)
DECISION_DEADLINE_S = env.float("DECISION_DEADLINE_S", default=3.0)

# Logs: LOG_FORMAT=text (a line for a person; the default here) or json (one object per line for
# log shipping; production's default). Both carry the request id (core.logformat). Django's own
# request-error lines repeat what the access log (fundportal.access) already says, so only its
# errors are kept.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "core.logformat.JsonFormatter"},
        "text": {"()": "core.logformat.TextFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "django.request": {"level": "ERROR"}},
}

# --- Cross-city transfers (transfers, integrations.transfer_platform) ---------------------------
# The national transfer platform (异地转移接续平台): dotted path of its adapter; production must
# not use the sandbox or fakes. Sandbox knobs: how long (ms) the sandbox's other centres take to
# answer a letter and to confirm a transfer, the shares of our letters they refuse or negotiate
# (fraction "0.1" or "100‰"), and the seed that fixes each letter's fate.
TRANSFER_PLATFORM = env.str(
    "TRANSFER_PLATFORM", default="integrations.transfer_platform.sandbox.SandboxTransferPlatform"
)
SANDBOX_PLATFORM_DELAY_MS = env.int("SANDBOX_PLATFORM_DELAY_MS", default=3000)
SANDBOX_PLATFORM_REFUSAL_RATE = env.str("SANDBOX_PLATFORM_REFUSAL_RATE", default="0")
SANDBOX_PLATFORM_NEGOTIATION_RATE = env.str("SANDBOX_PLATFORM_NEGOTIATION_RATE", default="0")
SANDBOX_PLATFORM_SEED = env.int("SANDBOX_PLATFORM_SEED", default=0)
# Each platform call waits this long (seconds) before its fate counts as unknown (asked again).
TRANSFER_PLATFORM_TIMEOUT_S = env.float("TRANSFER_PLATFORM_TIMEOUT_S", default=5.0)
# This centre's city as the platform names it (the code is FUND_CENTRE_CODE).
FUND_CENTRE_CITY_NAME = env.str("FUND_CENTRE_CITY_NAME", default="厦门市")
# Every minute: send letters, follow their statuses, answer other centres' letters.
CELERY_BEAT_SCHEDULE["transfers-sweep"] = {"task": "transfers.tasks.sweep_transfers", "schedule": 60.0}
# --- end of cross-city transfers ---------------------------------------------------------------
# Appointments: the text the day before a visit, hourly 09:00–20:00 (once per booking: reminded_at).
CELERY_BEAT_SCHEDULE["appointments-reminders"] = {
    "task": "appointments.tasks.remind_tomorrows_visits",
    "schedule": crontab(minute=0, hour="9-20"),
}

# Security settings kept in their own modules, each with one concern (sign-in and headers; personal
# data and logs; the electronic audit rules).
from .authn import *  # noqa: E402, F403
from .inspection import *  # noqa: E402, F403
from .privacy import *  # noqa: E402, F403

CELERY_BEAT_SCHEDULE.update(INSPECTION_BEAT_SCHEDULE)  # noqa: F405
LOGGING = with_log_scrubbing(LOGGING)  # noqa: F405

# --- audit chain anchors -------------------------------------------------------------------
# Every 10 minutes the chain's head is signed and kept in the database and in this append-only
# file outside it (audit.anchors); keep the file on storage the database's users cannot write.
AUDIT_ANCHOR_FILE = env.str("AUDIT_ANCHOR_FILE", default=str(VAR_DIR / "audit-anchors.log"))
CELERY_BEAT_SCHEDULE["audit-anchor"] = {"task": "audit.tasks.anchor_audit_chain", "schedule": 600.0}
# --- end of audit chain anchors ------------------------------------------------------------
