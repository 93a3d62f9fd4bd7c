import subprocess
import sys
from pathlib import Path

import pytest

from integrations.bank import ports
from integrations.bank.fakes import FakeCollectionBank
from integrations.bank.registry import collection_bank
from integrations.bank.sandbox import SandboxCollectionBank
from integrations.bank.settings_check import bank_collection_problems
from integrations.bank.testing import use_bank
from integrations.bank.unconfigured import NOT_CONNECTED, NotConnectedCollectionBank
from tests.production_env import production_env

ROOT = Path(__file__).resolve().parents[3]


class TestCollectionBank:
    def test_is_the_sandbox_by_default(self):
        assert isinstance(collection_bank(), SandboxCollectionBank)

    def test_follows_the_dotted_path_in_settings(self, settings):
        settings.BANK_COLLECTION = NOT_CONNECTED

        assert isinstance(collection_bank(), NotConnectedCollectionBank)

    def test_is_the_given_fake_inside_use_bank(self):
        fake = FakeCollectionBank()

        with use_bank(fake):
            inside = collection_bank()

        assert inside is fake
        assert isinstance(collection_bank(), SandboxCollectionBank)


class TestNotConnectedCollectionBank:
    def test_answers_every_call_with_bank_unavailable(self, make_order):
        bank = NotConnectedCollectionBank()

        with pytest.raises(ports.BankUnavailable):
            bank.submit_collection(order=make_order(), timeout=1)
        with pytest.raises(ports.BankUnavailable):
            bank.collection_result(order_ref="DL-1", timeout=1)


class TestBankCollectionProblems:
    def test_accepts_the_not_connected_bank(self):
        assert bank_collection_problems(NOT_CONNECTED) == []

    @pytest.mark.parametrize(
        "path",
        ["integrations.bank.sandbox.SandboxCollectionBank", "integrations.bank.fakes.FakeCollectionBank"],
    )
    def test_refuses_the_sandbox_and_fakes(self, path):
        assert bank_collection_problems(path) == [
            f"BANK_COLLECTION is {path}: sandbox and fake banks are for development and tests only"
        ]


def _production_bank(bank_collection: str | None) -> subprocess.CompletedProcess:
    env = production_env()
    env.pop("GOV_SOURCES_JSON", None)
    env.pop("BANK_COLLECTION", None)
    if bank_collection is not None:
        env["BANK_COLLECTION"] = bank_collection
    script = (
        "import django; django.setup(); from django.conf import settings; print(settings.BANK_COLLECTION)"
    )
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)


class TestProductionBankCollection:
    def test_defaults_to_the_not_connected_bank(self):
        result = _production_bank(None)

        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == NOT_CONNECTED

    def test_refuses_the_sandbox_bank(self):
        result = _production_bank("integrations.bank.sandbox.SandboxCollectionBank")

        assert result.returncode != 0
        assert "sandbox and fake banks are for development and tests only" in result.stderr

    def test_refuses_a_fake_bank(self):
        result = _production_bank("integrations.bank.fakes.FakeCollectionBank")

        assert result.returncode != 0
        assert "BANK_COLLECTION is integrations.bank.fakes.FakeCollectionBank" in result.stderr
