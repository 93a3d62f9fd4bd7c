"""``manage.py check --deploy`` with the production settings and the secrets they demand: no warning."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


@pytest.fixture
def production_environment(tmp_path):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "AUTH_SECOND_FACTOR", "DATABASE_URL", "CELERY_BROKER_URL"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="fundportal.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        FIELD_ENCRYPTION_KEY=_key(),
        SEAL_SIGNING_KEY=_key(),
        DATABASE_URL="postgres://fundportal:secret@db.internal:5432/fundportal",
        CELERY_BROKER_URL="redis://redis.internal:6379/0",
        SMS_WEBHOOK_SECRET=secrets.token_urlsafe(40),
        IVR_WEBHOOK_SECRET=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="gjj.example.gov.cn",
        FUNDPORTAL_VAR_DIR=str(tmp_path),
    )
    return environment


def _manage(environment, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


class TestDeployCheck:
    def test_finds_nothing_to_warn_about(self, production_environment):
        result = _manage(production_environment, "check", "--deploy", "--fail-level", "WARNING")

        assert result.returncode == 0, result.stdout + result.stderr
        assert "no issues (0 silenced)" in result.stdout

    def test_production_refuses_the_second_factor_off(self, production_environment):
        production_environment["AUTH_SECOND_FACTOR"] = "off"

        result = _manage(production_environment, "check", "--deploy")

        assert result.returncode != 0
        assert "AUTH_SECOND_FACTOR cannot be turned off in production" in result.stderr
