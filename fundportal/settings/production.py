"""Production: refuses to start with development defaults, DEBUG or demo shortcuts."""

from django.core.exceptions import ImproperlyConfigured

from core.redis_sentinel import is_sentinel_url, sentinel_cache
from hotline.settings_check import webhook_secret_problems
from integrations.bank.settings_check import bank_collection_problems, bank_payment_problems
from integrations.bank.unconfigured import NOT_CONNECTED as BANK_NOT_CONNECTED
from integrations.bank.unconfigured import PAYMENT_NOT_CONNECTED
from integrations.gov.settings_check import gov_sources_from_json, gov_sources_problems
from integrations.gov.unconfigured import NOT_CONNECTED
from integrations.sms.settings_check import sms_gateway_problems
from integrations.sms.unconfigured import NOT_CONNECTED as SMS_NOT_CONNECTED
from integrations.transfer_platform.settings_check import transfer_platform_problems
from integrations.transfer_platform.unconfigured import NOT_CONNECTED as PLATFORM_NOT_CONNECTED

from .base import *  # noqa: F403
from .base import (
    CELERY_BROKER_TRANSPORT_OPTIONS,
    DEV_FIELD_ENCRYPTION_KEY,
    DEV_IVR_WEBHOOK_SECRET,
    DEV_SEAL_SIGNING_KEY,
    DEV_SECRET_KEY,
    DEV_SMS_WEBHOOK_SECRET,
    LOGGING,
    env,
)

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY", default="")
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")
SEAL_SIGNING_KEY = env.str("SEAL_SIGNING_KEY", default="")
DATABASE_URL = env.str("DATABASE_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")

_problems = []
if env.bool("DEBUG", default=False):
    _problems.append("DEBUG must be off")
if not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50:
    _problems.append("SECRET_KEY must be set to a random value of 50+ characters")
if not FIELD_ENCRYPTION_KEY or FIELD_ENCRYPTION_KEY == DEV_FIELD_ENCRYPTION_KEY:
    _problems.append("FIELD_ENCRYPTION_KEY must be set (not the development key)")
if not SEAL_SIGNING_KEY or SEAL_SIGNING_KEY == DEV_SEAL_SIGNING_KEY:
    _problems.append("SEAL_SIGNING_KEY must be set (not the development key)")
if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
    _problems.append("DATABASE_URL must point at PostgreSQL")
if not CELERY_BROKER_URL.startswith(("redis://", "rediss://", "sentinel://")):
    _problems.append("CELERY_BROKER_URL must point at Redis (redis://, rediss:// or sentinel://)")
# Redis behind Sentinel (docs/DEPLOYMENT.md): the broker and the shared cache follow the primary
# the Sentinels name, through a failover.
REDIS_SENTINEL_MASTER = env.str("REDIS_SENTINEL_MASTER", default="")
if is_sentinel_url(CELERY_BROKER_URL):
    try:
        CACHES = {"default": sentinel_cache(CELERY_BROKER_URL, REDIS_SENTINEL_MASTER)}
    except ValueError as error:
        _problems.append(f"CELERY_BROKER_URL / REDIS_SENTINEL_MASTER: {error}")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "master_name": REDIS_SENTINEL_MASTER,
    }
# Logs: one JSON object per line for log shipping unless LOG_FORMAT=text is asked for (base.py
# has already refused any other value).
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING = {
    **LOGGING,
    "handlers": {name: {**handler, "formatter": LOG_FORMAT} for name, handler in LOGGING["handlers"].items()},
}
if env.str("AUTH_SECOND_FACTOR", default="on") != "on":
    _problems.append("AUTH_SECOND_FACTOR cannot be turned off in production")
# Government sources: until a real connector is configured through GOV_SOURCES_JSON, every
# source answers "unavailable" and each decision that needs it goes to staff review.
GOV_SOURCES, _gov_problems = gov_sources_from_json(
    env.str("GOV_SOURCES_JSON", default=""), default=NOT_CONNECTED
)
_problems += _gov_problems + gov_sources_problems(GOV_SOURCES)
# The collection bank: not connected (every call unavailable, nothing debited) until configured.
BANK_COLLECTION = env.str("BANK_COLLECTION", default=BANK_NOT_CONNECTED)
_problems += bank_collection_problems(BANK_COLLECTION)
# The payment bank: not connected (payouts wait, SENT, and nothing is paid) until configured.
BANK_PAYMENT = env.str("BANK_PAYMENT", default=PAYMENT_NOT_CONNECTED)
_problems += bank_payment_problems(BANK_PAYMENT)
# The SMS gateway: not connected (texts tried and given up; in-portal messages still arrive).
SMS_GATEWAY = env.str("SMS_GATEWAY", default=SMS_NOT_CONNECTED)
_problems += sms_gateway_problems(SMS_GATEWAY)
# The national transfer platform: not connected (transfers wait) until its connector is named.
TRANSFER_PLATFORM = env.str("TRANSFER_PLATFORM", default=PLATFORM_NOT_CONNECTED)
_problems += transfer_platform_problems(TRANSFER_PLATFORM)
# The 12329 channels: the gateway's and the telephony system's shared secrets.
SMS_WEBHOOK_SECRET = env.str("SMS_WEBHOOK_SECRET", default="")
IVR_WEBHOOK_SECRET = env.str("IVR_WEBHOOK_SECRET", default="")
_problems += webhook_secret_problems("SMS_WEBHOOK_SECRET", SMS_WEBHOOK_SECRET, DEV_SMS_WEBHOOK_SECRET)
_problems += webhook_secret_problems("IVR_WEBHOOK_SECRET", IVR_WEBHOOK_SECRET, DEV_IVR_WEBHOOK_SECRET)
if _problems:
    raise ImproperlyConfigured("Production settings refused: " + "; ".join(_problems))

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Load balancers probe the health endpoints over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# The language switch's cookie and the sign-in device cookie (which follows SESSION_COOKIE_SECURE)
# travel over HTTPS only, like the session's.
LANGUAGE_COOKIE_SECURE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
