"""Production writes JSON log lines and follows Redis through Sentinel; bad values are refused by name."""

import json
import subprocess
import sys
from pathlib import Path

from tests.production_env import production_env

ROOT = Path(__file__).resolve().parents[2]

SHOW = (
    "import json, logging, django; django.setup(); from django.conf import settings; "
    "logging.getLogger('probe').info('settings loaded'); "
    "print(json.dumps({'formatter': settings.LOGGING['handlers']['console']['formatter'], "
    "'cache': settings.CACHES['default']['LOCATION'], "
    "'master': settings.CELERY_BROKER_TRANSPORT_OPTIONS.get('master_name')}))"
)


def _settings(**env) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in production_env(**env).items() if value is not None}
    return subprocess.run(
        [sys.executable, "-c", SHOW], cwd=ROOT, env=environment, capture_output=True, text=True
    )


class TestProductionLogs:
    def test_writes_json_lines_by_default(self):
        result = _settings(LOG_FORMAT=None)

        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["formatter"] == "json"
        line = json.loads(next(line for line in result.stderr.splitlines() if "settings loaded" in line))
        assert (line["logger"], line["channel"]) == ("probe", "system")

    def test_writes_text_when_asked(self):
        result = _settings(LOG_FORMAT="text")

        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["formatter"] == "text"

    def test_refuses_an_unknown_log_format_by_name(self):
        result = _settings(LOG_FORMAT="xml")

        assert result.returncode != 0
        assert "LOG_FORMAT must be json or text, not 'xml'" in result.stderr


class TestProductionSentinel:
    def test_sends_the_broker_and_the_cache_through_the_sentinels(self):
        result = _settings(
            CELERY_BROKER_URL="sentinel://127.0.0.1:26390/11;sentinel://127.0.0.1:26391/11",
            REDIS_SENTINEL_MASTER="fundportal",
        )

        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) | {"formatter": None} == {
            "formatter": None,
            "cache": "redis://fundportal/11",
            "master": "fundportal",
        }

    def test_refuses_sentinels_without_the_primarys_name(self):
        result = _settings(CELERY_BROKER_URL="sentinel://127.0.0.1:26390/11", REDIS_SENTINEL_MASTER=None)

        assert result.returncode != 0
        assert "REDIS_SENTINEL_MASTER: the Sentinel master name is empty" in result.stderr
