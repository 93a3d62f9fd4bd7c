import pytest

from integrations.sms.fakes import FakeSmsGateway
from integrations.sms.testing import use_sms


@pytest.fixture
def gateway():
    with use_sms(FakeSmsGateway()) as fake:
        yield fake
