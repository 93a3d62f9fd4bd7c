"""Fixtures for the approvals services: fake government sources and an in-memory query log."""

from contextlib import ExitStack

import pytest

from integrations.gov.testing import all_fakes, use_fakes


@pytest.fixture
def gov_log(monkeypatch):
    """The government query log kept in memory for the test.

    Sources are asked from the gathering pool's threads, whose connections cannot write to the
    test's database: the test's transaction is never committed (PostgreSQL would keep their rows
    after the test) and SQLite's shared in-memory database refuses a second writer.
    """
    from integrations.models import GovQuery

    rows = []

    def create(**fields):
        rows.append(fields)
        return GovQuery(**fields)

    monkeypatch.setattr(GovQuery.objects, "create", create)
    return rows


@pytest.fixture
def sources(gov_log):
    """``sources(real_estate=FakeRealEstate(...), ...)``: every source a fake, these ones as given."""
    with ExitStack() as stack:

        def install(**fakes):
            chosen = all_fakes(**fakes)
            stack.enter_context(use_fakes(chosen))
            return chosen

        install()
        yield install


@pytest.fixture(autouse=True)
def _fresh_parameters():
    """Each test reads the policy parameters of its own database, not a cached earlier test's."""
    from approvals.services import clear_parameter_cache

    clear_parameter_cache()
    yield
    clear_parameter_cache()
