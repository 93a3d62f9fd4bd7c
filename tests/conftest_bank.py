"""The collection bank fixture every package testing deposit lists shares."""

import pytest

from integrations.bank.fakes import FakeCollectionBank
from integrations.bank.testing import use_bank


@pytest.fixture
def bank():
    """A bank that holds every order pending until the test settles it."""
    with use_bank(FakeCollectionBank(settle_at_once=False)) as fake:
        yield fake
