import pytest

from integrations.sms import ports
from integrations.sms.fakes import FakeSmsGateway

MOBILE = "13812345678"


class TestFakeSmsGateway:
    def test_sends_each_reference_once(self):
        gateway = FakeSmsGateway()

        first = gateway.send(MOBILE, "text", reference="r-1", timeout=1)
        again = gateway.send(MOBILE, "text", reference="r-1", timeout=1)

        assert again == first
        assert gateway.texts_to(MOBILE) == ["text"]
        assert gateway.calls == 2

    def test_keeps_the_message_it_accepted_before_losing_the_answer(self):
        gateway = FakeSmsGateway(time_out_after_accepting=True)

        with pytest.raises(ports.SmsUnavailable):
            gateway.send(MOBILE, "text", reference="r-1", timeout=1)

        assert list(gateway.sent) == ["r-1"]

    def test_sends_nothing_when_unavailable(self):
        gateway = FakeSmsGateway(unavailable=True)

        with pytest.raises(ports.SmsUnavailable):
            gateway.send(MOBILE, "text", reference="r-1", timeout=1)

        assert gateway.sent == {}

    def test_refuses_a_timeout_that_is_not_positive(self):
        with pytest.raises(ValueError):
            FakeSmsGateway().send(MOBILE, "text", reference="r-1", timeout=0)


class TestCheckMessage:
    @pytest.mark.parametrize(
        ("mobile", "text", "reference"),
        [
            ("1381234567", "t", "r"),
            (MOBILE, "", "r"),
            (MOBILE, "t", ""),
            (MOBILE, "t" * 501, "r"),
            (MOBILE, "t", "r" * 65),
        ],
    )
    def test_refuses_what_a_gateway_would_refuse(self, mobile, text, reference):
        with pytest.raises(ports.SmsRejected):
            ports.check_message(mobile, text, reference)
