"""Fixtures shared by the web page tests."""

from contextlib import ExitStack

import pytest

from integrations.gov.testing import all_fakes, use_fakes
from integrations.models import GovQuery


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
