"""Load balancers and monitoring ask /healthz and /readyz; an operator reads why a node is not ready."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from core.tasks import HEARTBEAT_KEY, heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def beat_just_ran():
    heartbeat()
    yield
    cache.delete(HEARTBEAT_KEY)


def test_healthz_answers_ok_without_a_login(client):
    response = client.get("/healthz")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readyz_is_ready_when_the_database_the_broker_and_beat_all_answer(client, beat_just_ran):
    response = client.get("/readyz")

    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "broker": True,
        "beat": True,
    }


def test_readyz_is_not_ready_when_beat_has_not_ticked_for_too_long(client, settings):
    cache.set(HEARTBEAT_KEY, (timezone.now() - timedelta(minutes=10)).isoformat())
    settings.HEALTH_BEAT_MAX_AGE_S = 180

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["beat"]["ok"] is False
    assert response.json()["checks"]["beat"]["age_s"] >= 600
    cache.delete(HEARTBEAT_KEY)


def test_readyz_names_a_broker_that_does_not_answer(client, beat_just_ran, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get("/readyz")

    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["broker"]["ok"] is False and body["checks"]["broker"]["error"]
    assert body["checks"]["database"]["ok"] is True


def test_readyz_without_any_heartbeat_says_so(client):
    cache.delete(HEARTBEAT_KEY)

    check = client.get("/readyz").json()["checks"]["beat"]

    assert (check["ok"], check["error"]) == (False, "NoHeartbeat")
