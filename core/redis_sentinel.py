"""Redis behind Sentinel: the broker URL kombu understands, turned into the shared cache's settings.

In production the broker may be ``sentinel://host1:26379/11;sentinel://host2:26379/11`` with the
primary's name in ``REDIS_SENTINEL_MASTER``: kombu asks the Sentinels where the primary is and
asks again after a failover. The Django cache (the beat heartbeat, throttles, locks) must follow
the same primary, or after a failover it would write to the old one, now a read-only replica.
"""

from __future__ import annotations

from urllib.parse import urlsplit

SCHEME = "sentinel://"


def is_sentinel_url(url: str) -> bool:
    return url.startswith(SCHEME)


def sentinel_addresses(url: str) -> tuple[list[tuple[str, int]], int]:
    """``sentinel://h1:26379/11;sentinel://h2:26379/11`` → ``([("h1", 26379), ("h2", 26379)], 11)``.

    Every part must be a sentinel:// address with a host and a port, and all must name one database.
    """
    addresses, databases = [], set()
    for part in filter(None, (piece.strip() for piece in url.split(";"))):
        if not is_sentinel_url(part):
            raise ValueError(f"not a sentinel:// address: {part!r}")
        parts = urlsplit(part)
        try:
            port = parts.port
        except ValueError as error:
            raise ValueError(f"bad port in {part!r}") from error
        if not parts.hostname or port is None:
            raise ValueError(f"a Sentinel address needs a host and a port: {part!r}")
        path = parts.path.strip("/") or "0"
        if not path.isdigit():
            raise ValueError(f"the database must be a number: {part!r}")
        addresses.append((parts.hostname, port))
        databases.add(int(path))
    if not addresses:
        raise ValueError("no Sentinel address given")
    if len(databases) > 1:
        raise ValueError(f"the Sentinel addresses name different databases: {sorted(databases)}")
    return addresses, databases.pop()


def sentinel_cache(url: str, master_name: str, *, socket_timeout: float = 2.0) -> dict:
    """A ``CACHES`` entry for Django's Redis cache on the primary the Sentinels at ``url`` name."""
    from redis.sentinel import Sentinel

    if not master_name:
        raise ValueError("the Sentinel master name is empty")
    addresses, database = sentinel_addresses(url)
    return {
        "BACKEND": "core.redis_cache.RedisCache",
        # The host part is only a label: the pool asks the Sentinels for the primary's address.
        "LOCATION": f"redis://{master_name}/{database}",
        "OPTIONS": {
            "pool_class": "redis.sentinel.SentinelConnectionPool",
            "service_name": master_name,
            # Sentinel() only records the addresses; it connects on the first command.
            "sentinel_manager": Sentinel(addresses, socket_timeout=socket_timeout),
            "socket_timeout": socket_timeout,
        },
    }
