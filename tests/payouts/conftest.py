import pytest

from integrations.bank import sandbox
from integrations.bank.fakes import FakePaymentBank
from integrations.bank.testing import use_payment_bank


@pytest.fixture
def payment_bank():
    """A payment bank that pays every payment at once."""
    with use_payment_bank(FakePaymentBank()) as fake:
        yield fake


@pytest.fixture
def slow_payment_bank():
    """A payment bank that holds every payment unsettled until the test settles it."""
    with use_payment_bank(FakePaymentBank(settle_at_once=False)) as fake:
        yield fake


@pytest.fixture
def quiet_sandbox(settings):
    """The sandbox bank with repeatable draws, no delay, no failures, no lost answers."""
    settings.SANDBOX_BANK_RANDOM_SEED = 20261126
    settings.SANDBOX_BANK_DELAY_MS = 0
    settings.SANDBOX_BANK_FAILURE_RATE = "0"
    settings.SANDBOX_BANK_TIMEOUT_RATE = "0"
    settings.BANK_TIMEOUT_S = 0.05
    sandbox.reset_random()
    yield settings
    sandbox.reset_random()
