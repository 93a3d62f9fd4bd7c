"""Log scrubbing: no raw resident ID number or bank card number reaches a log line.

``ScrubPersonalNumbers`` is a :class:`logging.Filter` set on every handler (``LOGGING`` in
fundportal/settings/privacy.py). It renders the message with its arguments, then replaces

- an 18-digit resident ID number whose GB 11643 check character is right, and a 15-digit
  first-generation number whose birth date is a real date, by ``3502**********123X``;
- a 16 to 19-digit number passing the Luhn check, written solid or in groups separated by
  spaces or dashes, by ``6222 **** **** 1234``

in the message, the traceback and the stack. Numbers that fail the checks (an account number,
a reference, a timestamp) are left as they are, so the logs stay useful.
"""

from __future__ import annotations

import logging
import re
from datetime import date

from core.crypto import mask_bank_card, mask_id_number
from core.identity import _resident_id_check, luhn_check_digit

_ID_18 = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_ID_15 = re.compile(r"(?<![0-9])[0-9]{15}(?![0-9])")
# Digits with at most one space or dash between them: "6222021234561234", "6222 0212 3456 1234".
_CARD = re.compile(r"(?<![0-9])[0-9](?:[ \-]?[0-9]){15,18}(?![0-9])")


def _is_resident_id(number: str) -> bool:
    return _resident_id_check(number[:17]) == number[17].upper()


def _is_first_generation_id(number: str) -> bool:
    try:
        date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    except ValueError:
        return False
    return True


def _mask_id(match: re.Match) -> str:
    number = match.group(0)
    return mask_id_number(number) if _is_resident_id(number) else number


def _mask_first_generation_id(match: re.Match) -> str:
    number = match.group(0)
    return mask_id_number(number) if _is_first_generation_id(number) else number


def _mask_card(match: re.Match) -> str:
    digits = re.sub(r"[ \-]", "", match.group(0))
    if 16 <= len(digits) <= 19 and luhn_check_digit(digits[:-1]) == digits[-1]:
        return mask_bank_card(digits)
    return match.group(0)


def scrub(text: str) -> str:
    """``text`` with every resident ID number and card-like number masked."""
    if not text or not any(c.isdigit() for c in text):
        return text
    text = _ID_18.sub(_mask_id, text)
    text = _CARD.sub(_mask_card, text)
    return _ID_15.sub(_mask_first_generation_id, text)


class ScrubPersonalNumbers(logging.Filter):
    """Masks ID and card numbers in a record before any handler formats it; never drops a record."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: keep its pieces, scrubbed, for the reader
            message = f"{record.msg} {record.args!r}"
        record.msg = scrub(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True
