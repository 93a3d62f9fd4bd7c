"""The environment production settings accept, for tests that start them in a child process.

Each such test changes or removes the one value it is about, so a refusal it sees is that value's.
The keys are made-up test values, not secrets of any deployment.
"""

import os

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "fundportal.settings.production",
    "SECRET_KEY": "s" * 60,
    "FIELD_ENCRYPTION_KEY": "cHJvZHVjdGlvbi10ZXN0LWtleS0zMi1ieXRlcy0wMDA=",
    "SEAL_SIGNING_KEY": "cHJvZHVjdGlvbi1zZWFsLWtleS0zMi1ieXRlcy0wMDA=",
    "SMS_WEBHOOK_SECRET": "sms-" + "w" * 40,
    "IVR_WEBHOOK_SECRET": "ivr-" + "w" * 40,
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
}


def production_env(**changes: str) -> dict[str, str]:
    """This process's environment with production's settings and ``changes`` on top."""
    return {**os.environ, **PRODUCTION, **changes}
