from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import (
    FEN_HALF_UP,
    ROUNDING_MODES,
    YUAN_HALF_UP,
    InvalidAmount,
    format_yuan,
    parse_yuan,
    round_fen,
    share_fen,
    yuan_to_fen,
)


class TestParseYuan:
    @pytest.mark.parametrize(
        ("text", "fen"),
        [
            ("1800", 180000),
            ("1800.5", 180050),
            ("1800.00", 180000),
            ("0.05", 5),
            ("0", 0),
            ("007", 700),
            ("  42.10 ", 4210),
            ("1,800.00", 180000),
            ("12,345,678.9", 1234567890),
            ("１８００．００", 180000),
        ],
    )
    def test_returns_the_fen_of_a_yuan_string(self, text, fen):
        result = parse_yuan(text)

        assert result == fen

    def test_accepts_a_negative_amount_when_allowed(self):
        result = parse_yuan("-3.10", allow_negative=True)

        assert result == -310

    def test_refuses_a_negative_amount_by_default(self):
        with pytest.raises(InvalidAmount) as caught:
            parse_yuan("-3.10")

        assert caught.value.code == "INVALID_AMOUNT"
        assert "不能为负数" in str(caught.value.message)

    @pytest.mark.parametrize("value", [1800.0, 0.1, 1800, Decimal("1800"), None, True])
    def test_refuses_anything_but_text(self, value):
        with pytest.raises(InvalidAmount):
            parse_yuan(value)

    def test_refuses_three_decimals_saying_why(self):
        with pytest.raises(InvalidAmount) as caught:
            parse_yuan("1800.005")

        assert "最多保留两位小数" in str(caught.value.message)

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "   ",
            "abc",
            "1,80",
            "18,00.00",
            "1,8000",
            ".5",
            "5.",
            "+5",
            "1e3",
            "NaN",
            "¥5",
            "١٢",
            "1 800",
            "--1",
        ],
    )
    def test_refuses_malformed_text(self, text):
        with pytest.raises(InvalidAmount):
            parse_yuan(text, allow_negative=True)

    def test_refuses_an_amount_too_large_for_the_database(self):
        with pytest.raises(InvalidAmount):
            parse_yuan("1" + "0" * 16)

    @given(st.integers(min_value=-(10**17), max_value=10**17))
    def test_reads_back_every_formatted_amount(self, fen):
        text = format_yuan(fen)

        assert parse_yuan(text, allow_negative=True) == fen


class TestFormatYuan:
    @pytest.mark.parametrize(
        ("fen", "text"), [(180000, "1800.00"), (-5, "-0.05"), (0, "0.00"), (7, "0.07"), (-180050, "-1800.50")]
    )
    def test_writes_yuan_with_two_decimals(self, fen, text):
        result = format_yuan(fen)

        assert result == text

    @pytest.mark.parametrize("value", [1800.0, Decimal("1800"), True, "1800"])
    def test_refuses_anything_but_an_int(self, value):
        with pytest.raises(TypeError):
            format_yuan(value)


class TestYuanToFen:
    def test_converts_an_exact_decimal_amount(self):
        result = yuan_to_fen(Decimal("18.5"))

        assert result == 1850

    def test_refuses_fractions_of_a_fen(self):
        with pytest.raises(InvalidAmount):
            yuan_to_fen(Decimal("0.001"))

    @pytest.mark.parametrize("value", [18.5, 18, "18.5", Decimal("NaN"), Decimal("Infinity")])
    def test_refuses_anything_but_a_finite_decimal(self, value):
        with pytest.raises(InvalidAmount):
            yuan_to_fen(value)


class TestRoundFen:
    @pytest.mark.parametrize(
        ("fen", "rounded"),
        [
            (Decimal("24360.5"), 24361),
            (Decimal("24360.49"), 24360),
            (Decimal("-0.5"), -1),
            (Decimal("-0.49"), 0),
            (203000 * Decimal("0.12"), 24360),
            (24360, 24360),
        ],
    )
    def test_rounds_half_up_to_the_fen(self, fen, rounded):
        result = round_fen(fen, FEN_HALF_UP)

        assert result == rounded

    @pytest.mark.parametrize(
        ("fen", "rounded"), [(Decimal("24350"), 24400), (Decimal("24349.99"), 24300), (Decimal("-50"), -100)]
    )
    def test_rounds_half_up_to_the_whole_yuan(self, fen, rounded):
        result = round_fen(fen, YUAN_HALF_UP)

        assert result == rounded

    def test_refuses_a_float(self):
        with pytest.raises(TypeError):
            round_fen(24360.5)

    def test_refuses_an_unknown_mode(self):
        with pytest.raises(ValueError, match="unknown rounding mode"):
            round_fen(Decimal(1), "FEN_HALF_EVEN")


class TestShareFen:
    @given(
        fen=st.integers(min_value=-(10**12), max_value=10**12),
        numerator=st.integers(min_value=0, max_value=20000),
        denominator=st.sampled_from([1, 360, 10000, 36000]),
        mode=st.sampled_from(ROUNDING_MODES),
    )
    def test_rounds_exactly_as_round_fen_does_on_the_decimal_quotient(
        self, fen, numerator, denominator, mode
    ):
        expected = round_fen(Decimal(fen * numerator) / Decimal(denominator), mode)

        assert share_fen(fen, numerator, denominator, mode) == expected

    def test_rounds_a_half_fen_up(self):
        assert share_fen(5, 5000, 10000) == 3

    def test_rounds_to_whole_yuan_under_the_yuan_rule(self):
        assert share_fen(812345, 1200, 10000, YUAN_HALF_UP) == 97500
