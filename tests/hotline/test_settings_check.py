"""Production refuses the 12329 channels' shared secrets when they are missing, the default or short."""

import subprocess
import sys
from pathlib import Path

from fundportal.settings.base import DEV_SMS_WEBHOOK_SECRET
from hotline.settings_check import webhook_secret_problems
from tests.production_env import production_env

ROOT = Path(__file__).resolve().parents[2]


class TestWebhookSecretProblems:
    def test_accepts_a_long_random_secret(self):
        assert webhook_secret_problems("SMS_WEBHOOK_SECRET", "k" * 40, DEV_SMS_WEBHOOK_SECRET) == []

    def test_refuses_an_empty_secret(self):
        assert webhook_secret_problems("SMS_WEBHOOK_SECRET", " ", DEV_SMS_WEBHOOK_SECRET) == [
            "SMS_WEBHOOK_SECRET must be set"
        ]

    def test_refuses_the_development_default(self):
        problems = webhook_secret_problems(
            "SMS_WEBHOOK_SECRET", DEV_SMS_WEBHOOK_SECRET, DEV_SMS_WEBHOOK_SECRET
        )

        assert problems == ["SMS_WEBHOOK_SECRET must not be the development default"]

    def test_refuses_a_short_secret(self):
        assert webhook_secret_problems("IVR_WEBHOOK_SECRET", "short", DEV_SMS_WEBHOOK_SECRET) == [
            "IVR_WEBHOOK_SECRET must be a random value of 32+ characters"
        ]


def test_production_refuses_to_start_without_the_webhook_secrets():
    env = production_env()
    env.pop("SMS_WEBHOOK_SECRET", None)

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )

    assert result.returncode != 0
    assert "SMS_WEBHOOK_SECRET must be set" in result.stderr
    assert "IVR_WEBHOOK_SECRET" not in result.stderr
