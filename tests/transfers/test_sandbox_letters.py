"""The sandbox's other centres write to us about one of our accounts: the command and the function."""

import pytest
from django.core.management import CommandError, call_command

from integrations.models import SandboxTransferLetter
from integrations.transfer_platform.fakes import FakeTransferPlatform
from integrations.transfer_platform.sandbox import SandboxTransferPlatform
from integrations.transfer_platform.testing import use_platform
from tests.accounts.factories import FundAccountFactory
from transfers.sandbox_letters import InvalidCity, NotTheSandbox, write_sandbox_letter

from .factories import sealed_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def sandbox():
    with use_platform(SandboxTransferPlatform()) as platform:
        yield platform


class TestSandboxTransferLetterCommand:
    def test_writes_about_the_first_sealed_account(self, sandbox, capsys):
        FundAccountFactory()
        account = sealed_account()

        call_command("sandbox_transfer_letter")

        letter = SandboxTransferLetter.objects.get()
        assert letter.id_number == account.person.id_number
        assert (letter.other_city_code, letter.other_city_name) == ("310000", "上海市")
        assert f"asks for account {account.account_no}" in capsys.readouterr().out

    def test_writes_about_the_account_named(self, sandbox):
        account = FundAccountFactory()

        call_command(
            "sandbox_transfer_letter", account.account_no, "--city", "110000", "--city-name", "北京市"
        )

        assert SandboxTransferLetter.objects.get().id_number == account.person.id_number

    def test_refuses_when_the_platform_is_not_the_sandbox(self):
        sealed_account()

        with use_platform(FakeTransferPlatform()), pytest.raises(CommandError):
            call_command("sandbox_transfer_letter")

        assert not SandboxTransferLetter.objects.exists()


class TestWriteSandboxLetter:
    def test_refuses_a_city_that_is_not_a_six_digit_code_or_is_ours(self, sandbox, settings):
        account = FundAccountFactory()

        for city in ("31000", "abcdef", settings.FUND_CENTRE_CODE):
            with pytest.raises(InvalidCity):
                write_sandbox_letter(account_no=account.account_no, city_code=city, city_name="", actor=None)

        assert not SandboxTransferLetter.objects.exists()

    def test_is_refused_unless_the_platform_is_the_sandbox(self):
        account = FundAccountFactory()

        with use_platform(FakeTransferPlatform()), pytest.raises(NotTheSandbox):
            write_sandbox_letter(account_no=account.account_no, city_code="310000", city_name="", actor=None)
