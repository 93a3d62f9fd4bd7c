"""Withdrawals pay through the real payouts app into a fake payment bank that holds every payment."""

import pytest

from integrations.bank.fakes import FakePaymentBank
from integrations.bank.testing import use_payment_bank


@pytest.fixture(autouse=True)
def payment_bank():
    """Payments are accepted and stay unsettled until the test settles them."""
    with use_payment_bank(FakePaymentBank(settle_at_once=False)) as fake:
        yield fake
