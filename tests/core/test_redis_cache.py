"""The Redis cache keeps one client per connection pool and behaves as Django's own (core.redis_cache)."""

import threading
import uuid

import pytest
from django.conf import settings

from core.redis_cache import RedisCache

pytestmark = pytest.mark.redis


#: Every key these tests write, removed afterwards: ``clear()`` would empty the whole Redis
#: database, which is also the broker's.
KEYS = ("answer", "counter", "hits")


@pytest.fixture
def cache():
    backend = RedisCache(settings.CELERY_BROKER_URL, {"KEY_PREFIX": f"test-redis-cache-{uuid.uuid4().hex}"})
    yield backend
    backend.delete_many(KEYS)


def test_every_call_is_served_by_the_same_client(cache):
    assert cache._cache.get_client() is cache._cache.get_client(write=True)


def test_values_round_trip_as_with_djangos_cache(cache):
    cache.set("answer", {"balance": 123456}, 30)

    assert cache.add("answer", "not this", 30) is False
    assert cache.get("answer") == {"balance": 123456}
    assert cache.add("counter", 0, 30) is True
    assert cache.incr("counter") == 1
    assert cache.get("missing", "default") == "default"


def test_threads_sharing_the_client_lose_no_increment(cache):
    cache.set("hits", 0, 60)

    def hit():
        for _ in range(200):
            cache.incr("hits")

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert cache.get("hits") == 1600
