"""Account numbers: prefix, sequence and Luhn check digit."""

import pytest
from django.db import transaction

from accounts.numbering import (
    FUND_ACCOUNT,
    UNIT_ACCOUNT,
    format_number,
    is_valid_number,
    reserve_numbers,
)
from core.identity import luhn_check_digit

pytestmark = pytest.mark.django_db


class TestLuhnCheckDigit:
    def test_matches_a_known_card_number(self):
        assert luhn_check_digit("7992739871") == "3"


class TestFormatNumber:
    def test_gives_a_fund_account_twelve_digits_with_the_city_prefix(self):
        number = format_number(FUND_ACCOUNT, 42)

        assert len(number) == 12
        assert number.startswith("35020000042")
        assert is_valid_number(number, FUND_ACCOUNT)

    def test_gives_a_unit_account_eleven_digits(self):
        assert len(format_number(UNIT_ACCOUNT, 42)) == 11

    def test_catches_a_single_mistyped_digit(self):
        number = format_number(FUND_ACCOUNT, 1234567)
        typo = number[:5] + str((int(number[5]) + 1) % 10) + number[6:]

        assert not is_valid_number(typo, FUND_ACCOUNT)


class TestReserveNumbers:
    def test_hands_out_consecutive_numbers_across_calls(self):
        with transaction.atomic():
            first = reserve_numbers(FUND_ACCOUNT, 3)
            second = reserve_numbers(FUND_ACCOUNT)

        assert [n[4:11] for n in [*first, *second]] == [f"{v:07d}" for v in range(1, 5)]
