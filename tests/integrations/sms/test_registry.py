import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from integrations.sms.fakes import FakeSmsGateway
from integrations.sms.registry import sms_gateway
from integrations.sms.sandbox import SandboxSmsGateway
from integrations.sms.settings_check import sms_gateway_problems
from integrations.sms.testing import use_sms
from integrations.sms.unconfigured import NOT_CONNECTED, NotConnectedSmsGateway
from tests.production_env import production_env

ROOT = Path(__file__).resolve().parents[3]


class TestSmsGateway:
    def test_is_the_sandbox_by_default(self):
        assert isinstance(sms_gateway(), SandboxSmsGateway)

    def test_is_the_test_s_fake_while_one_is_in_use(self):
        with use_sms(FakeSmsGateway()) as fake:
            assert sms_gateway() is fake

        assert not isinstance(sms_gateway(), FakeSmsGateway)

    def test_refuses_a_class_that_does_not_implement_the_port(self, settings):
        settings.SMS_GATEWAY = "integrations.sms.ports.SmsReceipt"

        with pytest.raises((ImproperlyConfigured, TypeError)):
            sms_gateway()


class TestSmsGatewayProblems:
    def test_accepts_the_not_connected_gateway(self):
        assert sms_gateway_problems(NOT_CONNECTED) == []

    @pytest.mark.parametrize(
        "path", ["integrations.sms.sandbox.SandboxSmsGateway", "integrations.sms.fakes.FakeSmsGateway"]
    )
    def test_refuses_sandbox_and_fakes(self, path):
        assert "for development and tests only" in sms_gateway_problems(path)[0]

    def test_refuses_an_empty_path(self):
        assert sms_gateway_problems("") == ["SMS_GATEWAY must be a dotted class path"]


class TestNotConnectedSmsGateway:
    def test_is_always_unavailable(self):
        from integrations.sms.ports import SmsUnavailable

        with pytest.raises(SmsUnavailable):
            NotConnectedSmsGateway().send("13812345678", "t", reference="r", timeout=1)


def _production(sms_gateway: str | None) -> subprocess.CompletedProcess:
    env = production_env()
    env.pop("SMS_GATEWAY", None)
    if sms_gateway is not None:
        env["SMS_GATEWAY"] = sms_gateway
    script = "import django; django.setup(); from django.conf import settings; print(settings.SMS_GATEWAY)"
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)


class TestProductionSmsGateway:
    def test_defaults_to_the_not_connected_gateway(self):
        result = _production(None)

        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == NOT_CONNECTED

    def test_refuses_the_sandbox(self):
        result = _production("integrations.sms.sandbox.SandboxSmsGateway")

        assert result.returncode != 0
        assert "SMS_GATEWAY is integrations.sms.sandbox.SandboxSmsGateway" in result.stderr
