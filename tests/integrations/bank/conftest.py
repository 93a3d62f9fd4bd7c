import pytest

from integrations.bank import ports, sandbox


@pytest.fixture(autouse=True)
def _repeatable_draws(settings):
    """Sandbox draws start from one seed in every test; knobs start at the quiet defaults."""
    settings.SANDBOX_BANK_RANDOM_SEED = 20260701
    settings.SANDBOX_BANK_DELAY_MS = 200
    settings.SANDBOX_BANK_FAILURE_RATE = "0"
    settings.SANDBOX_BANK_TIMEOUT_RATE = "0"
    sandbox.reset_random()
    yield
    sandbox.reset_random()


@pytest.fixture
def make_order():
    def make(order_ref="DL-2026-07-0001", **overrides):
        fields = {
            "order_ref": order_ref,
            "payer_account_no": "6222020200012345678",
            "payer_bank_name": "工商银行厦门分行",
            "payer_name": "厦门示例科技有限公司",
            "amount": 1_234_500,
            "same_bank": True,
            "memo": "2026-07 汇缴",
        }
        return ports.CollectionOrder(**{**fields, **overrides})

    return make
