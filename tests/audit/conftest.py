"""Each audit test keeps its anchor file in its own temporary directory."""

import pytest


@pytest.fixture(autouse=True)
def anchor_file(settings, tmp_path):
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "audit-anchors.log")
    return tmp_path / "audit-anchors.log"


@pytest.fixture
def payment_bank():
    """A payment bank that holds every payment unsettled (the withdrawal tests' own)."""
    from integrations.bank.fakes import FakePaymentBank
    from integrations.bank.testing import use_payment_bank

    with use_payment_bank(FakePaymentBank(settle_at_once=False)) as fake:
        yield fake
