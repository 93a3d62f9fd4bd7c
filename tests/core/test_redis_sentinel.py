"""Redis behind Sentinel: the broker URL's Sentinels also lead the shared cache to the primary."""

import pytest

from core.redis_sentinel import sentinel_addresses, sentinel_cache


class TestSentinelAddresses:
    def test_reads_every_sentinel_and_the_database(self):
        url = "sentinel://10.0.0.5:26379/11;sentinel://10.0.0.6:26379/11; sentinel://redis-c:26380/11"

        assert sentinel_addresses(url) == ([("10.0.0.5", 26379), ("10.0.0.6", 26379), ("redis-c", 26380)], 11)

    def test_takes_database_zero_when_none_is_named(self):
        assert sentinel_addresses("sentinel://127.0.0.1:26379") == ([("127.0.0.1", 26379)], 0)

    @pytest.mark.parametrize(
        ("url", "complaint"),
        [
            ("", "no Sentinel address"),
            ("redis://127.0.0.1:6379/0", "not a sentinel:// address"),
            ("sentinel://127.0.0.1/0", "needs a host and a port"),
            ("sentinel://127.0.0.1:port/0", "bad port"),
            ("sentinel://127.0.0.1:26379/eleven", "must be a number"),
            ("sentinel://a:26379/1;sentinel://b:26379/2", "different databases"),
        ],
    )
    def test_refuses_a_malformed_url_saying_why(self, url, complaint):
        with pytest.raises(ValueError, match=complaint):
            sentinel_addresses(url)


class TestSentinelCache:
    def test_points_django_redis_cache_at_the_primary_the_sentinels_name(self):
        cache = sentinel_cache("sentinel://127.0.0.1:26390/11;sentinel://127.0.0.1:26391/11", "fundportal")

        assert cache["LOCATION"] == "redis://fundportal/11"
        assert cache["OPTIONS"]["pool_class"] == "redis.sentinel.SentinelConnectionPool"
        assert cache["OPTIONS"]["service_name"] == "fundportal"
        assert [
            tuple(s.connection_pool.connection_kwargs[k] for k in ("host", "port"))
            for s in cache["OPTIONS"]["sentinel_manager"].sentinels
        ] == [("127.0.0.1", 26390), ("127.0.0.1", 26391)]

    def test_refuses_an_empty_master_name(self):
        with pytest.raises(ValueError, match="master name is empty"):
            sentinel_cache("sentinel://127.0.0.1:26390/11", "")
