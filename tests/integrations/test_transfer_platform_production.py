"""Production's transfer platform: not connected by default, never the sandbox."""

import subprocess
import sys
from pathlib import Path

import pytest

from integrations.transfer_platform import ports
from integrations.transfer_platform.settings_check import transfer_platform_problems
from integrations.transfer_platform.unconfigured import NOT_CONNECTED, NotConnectedTransferPlatform
from tests.production_env import production_env

ROOT = Path(__file__).resolve().parents[2]


def _production_platform(platform: str | None) -> subprocess.CompletedProcess:
    env = production_env()
    env.pop("TRANSFER_PLATFORM", None)
    if platform is not None:
        env["TRANSFER_PLATFORM"] = platform
    script = (
        "import django; django.setup(); from django.conf import settings; print(settings.TRANSFER_PLATFORM)"
    )
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)


class TestProductionTransferPlatform:
    def test_defaults_to_the_platform_not_connected(self):
        result = _production_platform(None)

        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == NOT_CONNECTED

    def test_refuses_the_sandbox(self):
        result = _production_platform("integrations.transfer_platform.sandbox.SandboxTransferPlatform")

        assert result.returncode != 0
        assert "TRANSFER_PLATFORM" in result.stderr

    def test_the_not_connected_platform_answers_nothing(self):
        with pytest.raises(ports.PlatformUnavailable):
            NotConnectedTransferPlatform().poll_incoming_letters(timeout=1)

    def test_accepts_the_not_connected_platform(self):
        assert transfer_platform_problems(NOT_CONNECTED) == []
