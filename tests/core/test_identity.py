from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.identity import (
    CREDIT_CODE_ALPHABET,
    InvalidBankCard,
    InvalidCreditCode,
    InvalidIdNumber,
    InvalidMobile,
    check_bank_card,
    check_credit_code,
    is_local_region,
    make_credit_code,
    make_resident_id,
    normalise_mobile,
    parse_resident_id,
)

TODAY = date(2026, 11, 26)


class TestParseResidentId:
    def test_returns_the_parts_of_the_standard_example(self):
        result = parse_resident_id("11010519491231002X", today=TODAY)

        assert result.number == "11010519491231002X"
        assert result.region_code == "110105"
        assert result.birth_date == date(1949, 12, 31)
        assert result.sex == "F"

    def test_accepts_a_lowercase_x_and_stores_it_upper_case(self):
        result = parse_resident_id("11010519491231002x", today=TODAY)

        assert result.number == "11010519491231002X"

    def test_ignores_spaces(self):
        result = parse_resident_id(" 110105 19491231 002X ", today=TODAY)

        assert result.number == "11010519491231002X"

    def test_reads_an_odd_seventeenth_digit_as_male(self):
        number = make_resident_id("350203", date(1990, 5, 17), 13)

        result = parse_resident_id(number, today=TODAY)

        assert result.sex == "M"

    def test_refuses_a_changed_digit(self):
        with pytest.raises(InvalidIdNumber) as caught:
            parse_resident_id("11010519491231003X", today=TODAY)

        assert caught.value.code == "INVALID_ID_NUMBER"

    @pytest.mark.parametrize("birth", ["19490230", "19491301", "19490000", "20230229"])
    def test_refuses_a_date_that_does_not_exist(self, birth):
        number = f"110105{birth}0020"

        with pytest.raises(InvalidIdNumber, match="不是有效日期"):
            parse_resident_id(number, today=TODAY)

    def test_refuses_a_birth_date_in_the_future(self):
        number = make_resident_id("350203", date(2026, 11, 27), 1)

        with pytest.raises(InvalidIdNumber, match="不合理"):
            parse_resident_id(number, today=TODAY)

    def test_refuses_a_birth_date_before_1900(self):
        number = make_resident_id("350203", date(1899, 12, 31), 1)

        with pytest.raises(InvalidIdNumber, match="不合理"):
            parse_resident_id(number, today=TODAY)

    @pytest.mark.parametrize(
        "value",
        [
            "",
            "110105194912310",
            "11010519491231002",
            "11010519491231002XX",
            "1101051949123100X2",
            "A1010519491231002X",
        ],
    )
    def test_refuses_a_malformed_number(self, value):
        with pytest.raises(InvalidIdNumber):
            parse_resident_id(value, today=TODAY)

    def test_refuses_full_width_or_other_script_digits(self):
        with pytest.raises(InvalidIdNumber):
            parse_resident_id("١١٠١٠٥19491231002X", today=TODAY)

    @given(
        region=st.from_regex(r"[1-9][0-9]{5}", fullmatch=True),
        birth_date=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
        sequence=st.integers(min_value=0, max_value=999),
        data=st.data(),
    )
    def test_parses_every_generated_number_and_refuses_any_single_digit_change(
        self, region, birth_date, sequence, data
    ):
        number = make_resident_id(region, birth_date, sequence)
        position = data.draw(st.integers(min_value=0, max_value=16))
        replacement = data.draw(st.sampled_from([d for d in "0123456789" if d != number[position]]))
        changed = number[:position] + replacement + number[position + 1 :]

        parsed = parse_resident_id(number, today=TODAY)

        assert parsed.number == number
        assert parsed.birth_date == birth_date
        with pytest.raises(InvalidIdNumber):
            parse_resident_id(changed, today=TODAY)


class TestMakeResidentId:
    def test_computes_the_check_character_of_the_standard_example(self):
        result = make_resident_id("110105", date(1949, 12, 31), 2)

        assert result == "11010519491231002X"

    @pytest.mark.parametrize(("region", "sequence"), [("3502", 1), ("350203", 1000), ("350203", -1)])
    def test_refuses_a_bad_region_or_sequence(self, region, sequence):
        with pytest.raises(ValueError):
            make_resident_id(region, date(1990, 1, 1), sequence)


class TestIsLocalRegion:
    def test_recognises_a_xiamen_region(self):
        assert is_local_region("350203")

    def test_does_not_take_fuzhou_for_xiamen(self):
        assert not is_local_region("350102")

    def test_uses_the_given_prefix(self):
        assert is_local_region("350102", prefix="3501")


class TestCheckCreditCode:
    def test_accepts_a_real_format_fuzhou_code(self):
        result = check_credit_code("91350100M000100Y43")

        assert result.checksum_ok is True
        assert result.code == "91350100M000100Y43"

    def test_accepts_a_generated_code(self):
        code = make_credit_code("91350200MA2YTB4X0")

        result = check_credit_code(code)

        assert code == "91350200MA2YTB4X01"
        assert result.checksum_ok is True

    def test_returns_a_failed_checksum_as_a_warning_not_an_error(self):
        result = check_credit_code("91350100M000100Y44")

        assert result.checksum_ok is False
        assert result.code == "91350100M000100Y44"

    def test_upper_cases_and_strips_spaces(self):
        result = check_credit_code(" 91350100m000100y43 ")

        assert result.code == "91350100M000100Y43"

    @pytest.mark.parametrize(
        "value", ["", "91350100M000100Y4", "91350100M000100Y433", "91350100M000100I43", "91350100M000100O43"]
    )
    def test_refuses_a_bad_length_or_character(self, value):
        with pytest.raises(InvalidCreditCode) as caught:
            check_credit_code(value)

        assert caught.value.code == "INVALID_CREDIT_CODE"

    def test_maps_a_remainder_of_zero_to_check_character_zero(self):
        body = next(
            body
            for body in (f"9135020{char}MA2YTB4X0" for char in CREDIT_CODE_ALPHABET)
            if make_credit_code(body)[-1] == "0"
        )

        result = check_credit_code(make_credit_code(body))

        assert result.checksum_ok is True

    @given(st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=17, max_size=17))
    def test_accepts_every_generated_code(self, body):
        code = make_credit_code(body)

        assert check_credit_code(code).checksum_ok is True


class TestMakeCreditCode:
    @pytest.mark.parametrize("body", ["9135020", "91350200MA2YTB4XI", "91350200MA2YTB4X01"])
    def test_refuses_a_body_that_is_not_17_characters_of_the_alphabet(self, body):
        with pytest.raises(ValueError):
            make_credit_code(body)


class TestCheckBankCard:
    @pytest.mark.parametrize("number", ["4111111111111111", "378282246310005", "6011 0009 9013 9424"])
    def test_accepts_a_card_passing_luhn(self, number):
        result = check_bank_card(number)

        assert result.luhn_ok is True
        assert " " not in result.number

    def test_returns_a_luhn_failure_as_a_warning_not_an_error(self):
        result = check_bank_card("4111111111111112")

        assert result.luhn_ok is False
        assert result.number == "4111111111111112"

    @pytest.mark.parametrize(
        "number", ["", "41111111111111", "41111111111111111111", "4111-1111-1111-1111", "411111111111111A"]
    )
    def test_refuses_a_bad_format(self, number):
        with pytest.raises(InvalidBankCard) as caught:
            check_bank_card(number)

        assert caught.value.code == "INVALID_BANK_CARD"


class TestNormaliseMobile:
    @pytest.mark.parametrize(
        "value",
        ["13912345678", "+8613912345678", "+86 139 1234 5678", "0086-139-1234-5678", " 139-1234-5678 "],
    )
    def test_returns_eleven_digits(self, value):
        result = normalise_mobile(value)

        assert result == "13912345678"

    @pytest.mark.parametrize(
        "value", ["", "12912345678", "1391234567", "139123456789", "8613912345678", "+85291234567"]
    )
    def test_refuses_a_number_that_is_not_a_mainland_mobile(self, value):
        with pytest.raises(InvalidMobile) as caught:
            normalise_mobile(value)

        assert caught.value.code == "INVALID_MOBILE"
