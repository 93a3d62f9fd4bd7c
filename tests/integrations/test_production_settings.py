import json
import subprocess
import sys
from pathlib import Path

from integrations.gov.settings_check import gov_sources_from_json, gov_sources_problems
from integrations.gov.unconfigured import NOT_CONNECTED
from tests.production_env import production_env

ROOT = Path(__file__).resolve().parents[2]


def _production_check(gov_sources_json: str | None) -> subprocess.CompletedProcess:
    env = production_env()
    env.pop("GOV_SOURCES_JSON", None)
    if gov_sources_json is not None:
        env["GOV_SOURCES_JSON"] = gov_sources_json
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.GOV_SOURCES['real_estate'])"
    )
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)


class TestProductionGovSources:
    def test_defaults_to_the_not_connected_sources(self):
        result = _production_check(None)

        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().endswith("NotConnectedRealEstate")

    def test_refuses_a_sandbox_source(self):
        result = _production_check(json.dumps({"real_estate": "integrations.gov.sandbox.SandboxRealEstate"}))

        assert result.returncode != 0
        assert "sandbox and fake sources are for development and tests only" in result.stderr

    def test_refuses_a_fake_source(self):
        result = _production_check(json.dumps({"civil_affairs": "integrations.gov.fakes.FakeCivilAffairs"}))

        assert result.returncode != 0
        assert "GOV_SOURCES['civil_affairs']" in result.stderr


class TestGovSourcesProblems:
    def test_accepts_the_not_connected_sources(self):
        assert gov_sources_problems(NOT_CONNECTED) == []

    def test_names_a_missing_source(self):
        sources = {k: v for k, v in NOT_CONNECTED.items() if k != "credit_bureau"}

        assert gov_sources_problems(sources) == ["GOV_SOURCES lacks credit_bureau"]

    def test_reports_json_that_is_not_an_object(self):
        _sources, problems = gov_sources_from_json("[1]", default=NOT_CONNECTED)

        assert problems
