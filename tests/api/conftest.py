"""Fixtures shared by the API tests."""

from contextlib import ExitStack

import pytest
from django.core.cache import cache

from integrations.gov.testing import all_fakes, use_fakes
from integrations.models import GovQuery


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Each test starts with empty throttle counters: the anonymous budget (30 a minute) is per
    process, and a fast run would otherwise spend it on earlier tests."""
    cache.clear()


@pytest.fixture
def sources(monkeypatch):
    """``sources(social_security=FakeSocialSecurity(...))``: every government source a fake, these as given.

    The query log stays in memory: sources answer from the gathering pool's threads, whose database
    connections cannot write to the test's (see tests/approvals/conftest.py).
    """
    monkeypatch.setattr(GovQuery.objects, "create", lambda **fields: GovQuery(**fields))
    with ExitStack() as stack:

        def install(**fakes):
            return stack.enter_context(use_fakes(all_fakes(**fakes)))

        install()
        yield install
