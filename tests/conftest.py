"""Fixtures shared by every test package, and the markers for tests that need a real server."""

import pytest
from django.db import connection

pytest_plugins = ["tests.conftest_people"]


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    on_redis = settings.CELERY_BROKER_URL.startswith("redis")
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL (CI runs these)")
    skip_redis = pytest.mark.skip(reason="needs Redis: set CELERY_BROKER_URL (CI runs these)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not on_redis:
            item.add_marker(skip_redis)


@pytest.fixture
def vendor():
    return connection.vendor
