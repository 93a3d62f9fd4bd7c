"""Identity numbers: resident ID, unified social credit code, bank card and mobile (DOMAIN.md §3).

Each checker normalises what people type (spaces, a lowercase ``x``, ``+86``) and either returns
a frozen result or raises a :class:`~core.exceptions.DomainError` subclass with a stable code.
Two checks are deliberately soft: a credit code whose check character fails (early Fujian pilot
codes are legal) and a bank card failing Luhn (some old domestic cards) are returned with a
``False`` flag for staff to confirm, never rejected here.

The region part of a resident ID is not checked against a list of codes: permanent residence
cards for foreigners (9xxxxx) and residence permits for Hong Kong, Macao and Taiwan residents
(81/82/83xxxx) share the format, and region codes change as districts merge. First-generation
15-digit numbers (invalid since 2013) are refused.
"""

import re
from dataclasses import dataclass
from datetime import date
from operator import mul

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError

# GB 11643-1999
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_FORMAT = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)
_EARLIEST_BIRTH_DATE = date(1900, 1, 1)

# GB 32100-2015
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_FORMAT = re.compile(f"[{CREDIT_CODE_ALPHABET}]{{18}}")

_BANK_CARD_FORMAT = re.compile(r"[0-9]{15,19}", re.ASCII)
_MOBILE_FORMAT = re.compile(r"1[3-9][0-9]{9}", re.ASCII)
_WHITESPACE = re.compile(r"\s+")


class InvalidIdNumber(DomainError):
    code = "INVALID_ID_NUMBER"


class InvalidCreditCode(DomainError):
    code = "INVALID_CREDIT_CODE"


class InvalidBankCard(DomainError):
    code = "INVALID_BANK_CARD"


class InvalidMobile(DomainError):
    code = "INVALID_MOBILE"


@dataclass(frozen=True)
class ResidentId:
    number: str
    region_code: str
    birth_date: date
    sex: str  # "M" or "F", from the parity of the 17th digit


@dataclass(frozen=True)
class CreditCodeCheck:
    code: str
    checksum_ok: bool


@dataclass(frozen=True)
class BankCardCheck:
    number: str
    luhn_ok: bool


def _without_whitespace(value: str) -> str:
    return _WHITESPACE.sub("", value)


def _resident_id_check(first17: str) -> str:
    if len(first17) != len(_ID_WEIGHTS):
        raise ValueError("the check character is computed over 17 digits")
    # map rather than a generator: a 50,000-row deposit list checks 50,000 numbers.
    total = sum(map(mul, map(int, first17), _ID_WEIGHTS))
    return _ID_CHECK[total % 11]


def parse_resident_id(value: str, *, today: date | None = None) -> ResidentId:
    """Validate an 18-character resident ID number and return its parts.

    Spaces are removed and a lowercase ``x`` is stored upper case. The birth date must be a real
    calendar date between 1900-01-01 and ``today`` (the local date by default).
    """
    if not isinstance(value, str):
        raise InvalidIdNumber(_("Enter an ID number."))
    number = _without_whitespace(value).upper()
    if len(number) != 18:
        raise InvalidIdNumber(_("An ID number has 18 characters."))
    if not _ID_FORMAT.fullmatch(number):
        raise InvalidIdNumber(_("An ID number is 17 digits followed by a digit or X."))
    try:
        birth_date = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(_("The date of birth in this ID number is not a real date.")) from None
    if birth_date < _EARLIEST_BIRTH_DATE or birth_date > (today or timezone.localdate()):
        raise InvalidIdNumber(_("The date of birth in this ID number is not possible."))
    if _resident_id_check(number[:17]) != number[17]:
        raise InvalidIdNumber(_("This ID number is not valid: please check every digit."))
    return ResidentId(
        number=number,
        region_code=number[:6],
        birth_date=birth_date,
        sex="M" if int(number[16]) % 2 else "F",
    )


def make_resident_id(region_code: str, birth_date: date, sequence: int) -> str:
    """Build a valid resident ID number (demo data and tests): region + date + sequence + check."""
    if not re.fullmatch(r"[0-9]{6}", region_code, re.ASCII):
        raise ValueError(f"region_code must be 6 digits, not {region_code!r}")
    if not 0 <= sequence <= 999:
        raise ValueError(f"sequence must be between 0 and 999, not {sequence}")
    first17 = f"{region_code}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + _resident_id_check(first17)


def is_local_region(region_code: str, prefix: str = "3502") -> bool:
    """Is this region code (the first six digits of an ID) inside the city (``city.local_region_prefix``)?

    The ID's region is where the number was first issued, not the current hukou: decisions about
    hukou use it only together with the public-security record.
    """
    return region_code.startswith(prefix)


def _credit_code_check(body17: str) -> str:
    total = sum(
        CREDIT_CODE_ALPHABET.index(char) * weight
        for char, weight in zip(body17, _CREDIT_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def check_credit_code(value: str) -> CreditCodeCheck:
    """Validate the format of a unified social credit code and report whether its check character holds.

    Spaces are removed and letters upper-cased. A wrong length or a character outside the
    31-symbol alphabet (I, O, S, V, Z are not in it) raises :class:`InvalidCreditCode`; a failed
    check character returns ``checksum_ok=False``: some early pilot codes fail it and are legal.
    """
    if not isinstance(value, str):
        raise InvalidCreditCode(_("Enter a unified social credit code."))
    code = _without_whitespace(value).upper()
    if len(code) != 18:
        raise InvalidCreditCode(_("A unified social credit code has 18 characters."))
    if not _CREDIT_FORMAT.fullmatch(code):
        raise InvalidCreditCode(
            _("A unified social credit code uses only digits and the letters A–Y except I, O, S, V.")
        )
    return CreditCodeCheck(code=code, checksum_ok=_credit_code_check(code[:17]) == code[17])


def make_credit_code(body17: str) -> str:
    """Append the GB 32100-2015 check character to 17 characters of the code alphabet."""
    if len(body17) != 17 or not all(char in CREDIT_CODE_ALPHABET for char in body17):
        raise ValueError(f"body17 must be 17 characters of {CREDIT_CODE_ALPHABET}, not {body17!r}")
    return body17 + _credit_code_check(body17)


def _luhn_sum(digits: str, *, double_first: bool) -> int:
    total = 0
    # Every second digit from the right is doubled; which one starts depends on whether a
    # check digit is already on the right.
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == (0 if double_first else 1):
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total


def _luhn_ok(number: str) -> bool:
    return _luhn_sum(number, double_first=False) % 10 == 0


def luhn_check_digit(digits: str) -> str:
    """The digit that makes ``digits + check`` pass the Luhn test (account and card numbers)."""
    return str((10 - _luhn_sum(digits, double_first=True) % 10) % 10)


def check_bank_card(value: str) -> BankCardCheck:
    """Validate a bank card number (15–19 digits, spaces ignored) and report whether Luhn holds.

    A failed Luhn check is returned as ``luhn_ok=False``, a warning: some old domestic cards fail it.
    """
    if not isinstance(value, str):
        raise InvalidBankCard(_("Enter a bank card number."))
    number = _without_whitespace(value)
    if not _BANK_CARD_FORMAT.fullmatch(number):
        raise InvalidBankCard(_("A bank card number has 15 to 19 digits."))
    return BankCardCheck(number=number, luhn_ok=_luhn_ok(number))


def normalise_mobile(value: str) -> str:
    """Return the 11-digit mainland mobile number, without spaces, dashes and a +86 or 0086 prefix."""
    if not isinstance(value, str):
        raise InvalidMobile(_("Enter a mobile number."))
    number = re.sub(r"[\s\-]+", "", value)
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            number = number.removeprefix(prefix)
            break
    if not _MOBILE_FORMAT.fullmatch(number):
        raise InvalidMobile(_("Enter an 11-digit mainland mobile number starting with 13 to 19."))
    return number
