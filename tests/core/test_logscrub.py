"""Log scrubbing: resident ID and card numbers are masked in every record a handler formats."""

import logging
from datetime import date
from io import StringIO

import pytest

from core.identity import luhn_check_digit, make_resident_id
from core.logscrub import ScrubPersonalNumbers, scrub

ID_NUMBER = make_resident_id("350203", date(1990, 1, 1), 123)  # 35020319900101123X
CARD = "622202123456123" + luhn_check_digit("622202123456123")
CARD_19 = "621700123456789012" + luhn_check_digit("621700123456789012")


def _logged(message, *args, exc_info=None) -> str:
    stream = StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ScrubPersonalNumbers())
    logger = logging.getLogger("tests.logscrub")
    logger.addHandler(handler)
    try:
        logger.error(message, *args, exc_info=exc_info)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


class TestScrub:
    def test_masks_an_18_digit_id_number(self):
        text = scrub(f"person {ID_NUMBER} logged in")

        assert text == "person 3502**********123X logged in"

    def test_masks_an_id_number_with_a_lower_case_check_letter(self):
        text = scrub(f"username={ID_NUMBER.lower()}")

        assert ID_NUMBER.lower() not in text
        assert "3502**********123X" in text

    def test_masks_a_15_digit_first_generation_id_number(self):
        text = scrub("old card 350203900101123 shown")

        assert text == "old card 3502*******1123 shown"

    @pytest.mark.parametrize(
        "written",
        [
            CARD,
            " ".join(CARD[i : i + 4] for i in range(0, 16, 4)),
            "-".join(CARD[i : i + 4] for i in range(0, 16, 4)),
        ],
    )
    def test_masks_a_card_number_solid_or_in_groups(self, written):
        text = scrub(f"paid to {written}.")

        assert text == f"paid to 6222 **** **** {CARD[-4:]}."

    def test_masks_a_19_digit_card_number(self):
        text = scrub(f"card={CARD_19}")

        assert text == f"card=6217 **** **** {CARD_19[-4:]}"

    def test_leaves_an_id_number_with_a_wrong_check_character(self):
        wrong = ID_NUMBER[:17] + "1"

        assert scrub(wrong) == wrong

    def test_leaves_numbers_that_fail_the_luhn_check(self):
        reference = "6222021234561230"

        assert scrub(f"order {reference}") == f"order {reference}"

    def test_leaves_account_numbers_and_amounts(self):
        text = "account 350290000099 paid 480000 fen on 2026-11-27"

        assert scrub(text) == text


class TestScrubPersonalNumbers:
    def test_masks_the_arguments_of_a_message(self):
        output = _logged("payout to %s for %s", CARD, ID_NUMBER)

        assert CARD not in output
        assert ID_NUMBER not in output
        assert "payout to 6222 **** ****" in output

    def test_masks_dictionary_arguments(self):
        output = _logged("login %(username)s failed", {"username": ID_NUMBER})

        assert output.strip() == "login 3502**********123X failed"

    def test_masks_the_traceback_of_an_exception(self):
        try:
            raise ValueError(f"bank refused card {CARD} of {ID_NUMBER}")
        except ValueError as error:
            output = _logged("paying failed", exc_info=error)

        assert "Traceback" in output
        assert CARD not in output
        assert ID_NUMBER not in output

    def test_keeps_every_record(self):
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "plain %s", ("text",), None)

        kept = ScrubPersonalNumbers().filter(record)

        assert kept
        assert record.getMessage() == "plain text"
